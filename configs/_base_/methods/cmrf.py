# CMRF (Fan et al., NeurIPS 2024; fanyunfeng-bit/Cross-modal-Representation-
# Flattening-for-MMDG) with its official defaults: unimodal CE (weight 2.0),
# SupCon on the projections (temperature 0.1, base 0.07, weight 3.0),
# distillation from the simple moving average of the model, started at step
# 400, through cross-modal mixup Beta(0.1, 0.1) (weight 3.0); audio terms
# weighted 1/2. Use with
#   model = dict(regularizers=dict(cmrf=_base_.cmrf_regularizer))
#   custom_hooks = _base_.cmrf_hooks
cmrf_regularizer = dict(
    type='CMRFRegularizer',
    projector=dict(type='SupConProjector', hidden_channels=2048, out_channels=128),
    temperature=0.1, base_temperature=0.07,
    contrast_weight=3.0, unimodal_weight=2.0, distill_weight=3.0, mix_alpha=0.1,
    modality_weights=dict(imgs=1.0, flow_imgs=1.0, audios=0.5))
# The teacher: mmengine's EMAHook with a simple (stochastic weight) average;
# it also validates, tests and saves the averaged weights.
cmrf_hooks = [dict(type='AveragedTeacherHook', ema_type='StochasticWeightAverage',
                   begin_iter=400)]
# HAC: the official README starts the average at step 100 (--sma_start_step
# 100), EPIC-Kitchens at 400 (the registry's per-family default).
cmrf_hooks_hac = [dict(cmrf_hooks[0], begin_iter=100)]
