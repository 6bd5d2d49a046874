# MER-DG: per-modality entropy regularisation of the projected features
# (marginal std hinge + log-det spectral term), added to the fused
# cross-entropy. Paper defaults: lambda_mer = 3 (loss_weight),
# alpha_marg = alpha_spec = 1, eps = 1e-4, the log-det estimator.
# A leaf applies it with `model = dict(**_base_.merdg)`; the projection neck
# comes from the model base (`model.projector`).
merdg = dict(
    mer_loss=dict(
        type='ModalityEntropyLoss', alpha_marg=1.0, alpha_spec=1.0, eps=1e-4,
        loss_weight=3.0, estimator='logdet'))

# MER-DG as a regularizer (the paper's defaults: projection head
# Linear-LN-ReLU x2 -> 128 at hidden 512, lambda_mer = 3, alpha_marg =
# alpha_spec = 1, eps = 1e-4). Add it to any method's config with
#   _base_ = [..., '<path>/_base_/methods/merdg.py']
#   model = dict(regularizers=dict(mer=_base_.mer_regularizer))
# and remove it with `model = dict(regularizers=dict(mer=None))`. (The MER-DG
# leaves use the equivalent `merdg` form above: the recognizer's
# `mer_loss` key with the model base's `projector`.)
mer_regularizer = dict(
    type='MERRegularizer',
    projector=dict(type='MERProjector', hidden_channels=512, out_channels=128),
    loss=dict(type='ModalityEntropyLoss', alpha_marg=1.0, alpha_spec=1.0, eps=1e-4,
              loss_weight=3.0, estimator='logdet'))
