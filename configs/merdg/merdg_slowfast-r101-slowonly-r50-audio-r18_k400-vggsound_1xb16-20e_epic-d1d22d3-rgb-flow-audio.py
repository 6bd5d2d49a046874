# MER-DG, EPIC-Kitchens D1 + D2 -> D3 (kitchens P08 + P01 -> P22), RGB+flow+audio,
# the paper's recipe: Adam 1e-4, weight decay 1e-4, batch 16 balanced over
# D1 and D2, lambda_mer = 3.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/models/merdg_slowfast_r101_slowonly_r50_audio_r18.py',
    '../_base_/datasets/epic_kitchens_mm.py',
]

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=20, val_begin=1, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=1e-4, weight_decay=1e-4),
    clip_grad=dict(max_norm=40, norm_type=2))
param_scheduler = [dict(type='MultiStepLR', milestones=[15], by_epoch=True, gamma=0.1)]
# Batch 16 on 1 GPU; --auto-scale-lr scales the lr for other totals.
auto_scale_lr = dict(enable=False, base_batch_size=16)
