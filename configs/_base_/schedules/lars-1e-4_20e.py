# MER-DG's official recipe (olivesgatech/MER-DG, train_mer_dg.py, as
# run_experiments.sh runs Fusion and Fusion + MER-DG on EPIC-Kitchens): LARS
# with lr 1e-4 (--lr; no scheduler, --use_lr_scheduler False), weight decay
# 1e-6, momentum 0.9, trust coefficient eta 1e-3, biases and norm parameters
# excluded from the adaptation and the weight decay; 20 epochs (--nepochs 20)
# at batch 16 (--bsz 16, the dataset bases' batch_size); validation every
# epoch. Trained: the last stage (layer4) of every encoder, the fusion head and
# the regularizers' heads (projection heads); everything else frozen (the
# encoders' earlier stages are also the model base's frozen_stages=3, in eval
# mode). The official optimizer.py is missing from the release, so LARS is
# the standard form (You et al. 2017, as VICReg code) with the official
# arguments. Use instead of the Adam schedule (one _base_ line):
#   '../_base_/schedules/lars-1e-4_20e.py'
# A backbone without a `layer4` (e.g. the vector MLP encoders) is an error
# naming it.
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=20, val_begin=1, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    constructor='TrainableParamsOptimWrapperConstructor',
    optimizer=dict(type='LARS', lr=1e-4, weight_decay=1e-6, momentum=0.9, eta=1e-3,
                   exclude_bias_and_norm=True),
    paramwise_cfg=dict(trainable=['backbones.*.layer4', 'cls_head', 'regularizers']))
# Constant learning rate (the official run has no scheduler).
param_scheduler = []
# Batch 16 on 1 GPU; --auto-scale-lr scales the lr for other totals.
auto_scale_lr = dict(enable=False, base_batch_size=16)
