# Fusion: the baseline every multimodal DG method is compared with. Late
# fusion of the per-modality features, cross-entropy on the fused head only:
# no feature loss and no projection necks. Same model code path and data as
# the other methods. A leaf applies it with `model = dict(**_base_.fusion)`.
fusion = dict(mer_loss=None, projector=None)
