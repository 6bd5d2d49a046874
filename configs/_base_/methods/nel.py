# NEL ("Nonpolarized embedding learning in multimodal domain generalization",
# Neurocomputing 658, 2025) with the defaults of the MMDG benchmark's
# action-recognition code (lihongzhao99/MMDG_Benchmark, train_NEL.py):
# SupCon on the projected first halves of the features (tau_s 0.1, base 0.07,
# weight 1 - alpha = 0.3), mean-shift (k 8) contrast between two views of each
# sample (tau_u 0.25, weight alpha = 0.7), von Neumann entropy of the fused
# features' autocorrelation (weight beta = 1 / batch size = 1/16); projection
# head Linear-BN-ReLU x2 -> 128, hidden 2048. Two parts, used together:
#   model = dict(**_base_.nel_model, regularizers=dict(nel=_base_.nel_regularizer))
# and a training set with two views (clips) per sample: the train pipeline
# wrapped in MultiModalViews(num_views=2) (EPIC, HAC), or num_views=2 on a
# synthetic dataset (composition does both from the registry: NEL.train_views).
# As in the reference, each view is a training sample of its own: one pass
# over the 2N views, the cross-entropy on both views' fused logits, NEL's
# terms on the same 2N features (view-major; validation and test see V = 1).
nel_model = dict(train_cfg=dict(views_as_samples=True))
nel_regularizer = dict(
    type='NELRegularizer',
    projector=dict(type='SupConProjector', hidden_channels=2048, out_channels=128),
    temperature=0.1, base_temperature=0.07, unc_temperature=0.25, k=8, alpha=0.7,
    nee_weight=1 / 16)
