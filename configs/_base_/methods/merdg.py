# MER-DG (Yarici & AlRegib, ICML 2026; olivesgatech/MER-DG) as a regularizer:
# per-modality entropy regularisation of the projected embeddings (marginal
# std hinge + log-det spectral term), added to the method's losses. Official
# defaults (train_mer_dg.py / run_experiments.sh): projection head
# Linear-LN-ReLU x2 -> 128 at hidden 2048 (--hidden_dim), lambda_mer = 3
# (loss_weight), alpha_marg = alpha_spec = 1, eps = 1e-4, the log-det
# estimator. Add it to any method's config with
#   _base_ = [..., '<path>/_base_/methods/merdg.py']
#   model = dict(regularizers=dict(mer=_base_.mer_regularizer))
# and remove it with `model = dict(regularizers=dict(mer=None))`. Composed with
# SimMMDG it acts on SimMMDG's projections, as the official code does
# (targets='auto'; docs/methods.md, "Composition with MER-DG").
mer_regularizer = dict(
    type='MERRegularizer',
    projector=dict(type='MERProjector', hidden_channels=2048, out_channels=128),
    loss=dict(type='ModalityEntropyLoss', alpha_marg=1.0, alpha_spec=1.0, eps=1e-4,
              loss_weight=3.0, estimator='logdet'),
    targets='auto')
