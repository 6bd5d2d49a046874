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
