# MER-DG on the synthetic benchmark (source0 + source1 -> target), CPU-sized.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/models/merdg_tiny_slowfast_slowonly_resnetaudio.py',
    '../_base_/datasets/synthetic_mmdg.py',
]

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=10, val_begin=1, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

# Training from scratch: Adam 1e-3 (the paper's 1e-4 is for pretrained encoders).
optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=1e-3, weight_decay=1e-4),
    clip_grad=dict(max_norm=20, norm_type=2))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=10, by_epoch=True, eta_min=1e-5)]
auto_scale_lr = dict(enable=False, base_batch_size=16)
