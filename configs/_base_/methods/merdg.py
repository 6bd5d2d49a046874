# MER-DG as a regularizer (the paper's defaults: projection head
# Linear-LN-ReLU x2 -> 128 at hidden 512, lambda_mer = 3, alpha_marg =
# alpha_spec = 1, eps = 1e-4). Add it to any method's config with
#   _base_ = [..., '<path>/_base_/methods/merdg.py']
#   model = dict(regularizers=dict(mer=_base_.mer_regularizer))
# and remove it with `model = dict(regularizers=dict(mer=None))`. (The MER-DG
# recipes of configs/merdg/ still use the equivalent legacy keys
# `projector` + `mer_loss` of the recognizer.)
mer_regularizer = dict(
    type='MERRegularizer',
    projector=dict(type='MERProjector', hidden_channels=512, out_channels=128),
    loss=dict(type='ModalityEntropyLoss', alpha_marg=1.0, alpha_spec=1.0, eps=1e-4,
              loss_weight=3.0, estimator='logdet'))
