# Schedule for training from scratch (the synthetic benchmark): Adam lr 1e-3
# (the paper's 1e-4 is for pretrained encoders), weight decay 1e-4, 4 epochs
# of cosine decay to 1e-5, gradient norm clipped at 20; validation every epoch.
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=4, val_begin=1, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=1e-3, weight_decay=1e-4),
    clip_grad=dict(max_norm=20, norm_type=2))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=4, by_epoch=True, eta_min=1e-5)]
auto_scale_lr = dict(enable=False, base_batch_size=16)
