# MER-DG on the calibrated synthetic benchmark (split code, target's own rule),
# source0 + source1 -> target, CPU-sized: 8x16x16 clips, 4 epochs.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/models/merdg_tiny_slowfast_slowonly_resnetaudio.py',
    '../_base_/datasets/synthetic_mmdg_split_code.py',
]

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=4, val_begin=1, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

# Training from scratch: Adam 1e-3 (the paper's 1e-4 is for pretrained encoders).
optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=1e-3, weight_decay=1e-4),
    clip_grad=dict(max_norm=20, norm_type=2))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=4, by_epoch=True, eta_min=1e-5)]
auto_scale_lr = dict(enable=False, base_batch_size=16)
# One torch thread: measured on the shared 2 cores (load ~14), an iteration of
# this model took 25.6 s with torch's 2 threads and 1.2 s with 1.
custom_hooks = [dict(type='TorchThreadsHook', num_threads=1)]
