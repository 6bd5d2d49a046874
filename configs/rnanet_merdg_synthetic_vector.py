# RNA-Net's relative norm alignment (Planamente et al., WACV 2022) + MER-DG,
# on the vector-level synthetic benchmark: configs/fusion_synthetic_vector.py plus the method
# (configs/_base_/methods/rnanet.py) and MER-DG.
#   python tools/train.py configs/rnanet_merdg_synthetic_vector.py
_base_ = ['fusion_synthetic_vector.py', '_base_/methods/rnanet.py']

model = dict(
    regularizers=dict(
        rna=_base_.rna_regularizer,
        mer=_base_.mer_regularizer))
