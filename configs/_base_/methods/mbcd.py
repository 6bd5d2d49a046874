# MBCD (Wang et al., 2025; xiaohanwang01/MBCD) with the defaults of the MMDG
# benchmark's action-recognition code (lihongzhao99/MMDG_Benchmark,
# train_MBCD.py). Three parts, used together:
#   model = dict(**_base_.mbcd_model, regularizers=dict(mbcd=_base_.mbcd_regularizer))
#   custom_hooks = _base_.custom_hooks + _base_.mbcd_hooks
# The recognizer: non-affine LayerNorm on every pooled embedding; a first-order
# meta step (lr 1e-4) on each encoder's last stage (`meta_stage`, the only
# stage the recipe trains) driven by the unimodal cross-entropy; DSU feature
# augmentation (probability 0.5) around that stage in the pre-step pass; and
# confidence-driven modality dropout before fusion (drop probability
# base + (1 - base) tanh(r - 1) for a dominant modality, base 0).
mbcd_model = dict(
    type='MBCDRecognizer', meta_stage='layer4', inner_lr=1e-4, dsu_prob=0.5,
    modality_drop_base=0.0, feature_norm=True)
# The losses: unimodal classifiers (Linear-ReLU-Dropout(0.5)-Linear, hidden
# 512) with their cross-entropies summed (weight 1); KL from the teacher's
# fused probabilities to the fused (kl_mm_coeff 1) and to each unimodal
# prediction (kl_um_coeff 1).
mbcd_regularizer = dict(
    type='MBCDRegularizer', hidden_channels=512, dropout_ratio=0.5, unimodal_weight=1.0,
    distill_fused_weight=1.0, distill_unimodal_weight=1.0)
# The teacher: an exponential moving average of the whole model, buffers
# included, decay 0.999 (mmengine's momentum = 1 - decay), updated at every
# step from the first; it is also the model validated, tested and saved
# (ema_state_dict), as in the reference.
mbcd_hooks = [dict(type='AveragedTeacherHook', ema_type='ExponentialMovingAverage',
                   momentum=0.001, update_buffers=True, begin_iter=0)]
