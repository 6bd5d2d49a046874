# MER-DG on the vector-level synthetic benchmark (source0 + source1 -> target):
# the clip-level recipe (Adam 1e-3, cosine, batch 16) on MLP encoders, 6 epochs.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/models/merdg_vector_mlp.py',
    '../_base_/datasets/synthetic_mmdg_vector.py',
]

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=6, val_begin=1, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=1e-3, weight_decay=1e-4),
    clip_grad=dict(max_norm=20, norm_type=2))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=6, by_epoch=True, eta_min=1e-5)]
auto_scale_lr = dict(enable=False, base_batch_size=16)
# Seconds-long runs: keep only the best checkpoint and the last one.
default_hooks = dict(checkpoint=dict(max_keep_ckpts=1))
# One torch thread: an MLP this small only loses time to thread contention.
custom_hooks = [dict(type='TorchThreadsHook', num_threads=1)]
