# The paper's schedule (the official MER-DG / SimMMDG recipe) for pretrained
# encoders: Adam lr 1e-4, weight decay 1e-4, 20 epochs, lr x0.1 after epoch
# 15, gradient norm clipped at 40; validation every epoch (model selection on
# the source domains' held-out split, see default_runtime.py).
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=20, val_begin=1, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=1e-4, weight_decay=1e-4),
    clip_grad=dict(max_norm=40, norm_type=2))
param_scheduler = [dict(type='MultiStepLR', milestones=[15], by_epoch=True, gamma=0.1)]
# Batch 16 on 1 GPU; --auto-scale-lr scales the lr for other totals.
auto_scale_lr = dict(enable=False, base_batch_size=16)
