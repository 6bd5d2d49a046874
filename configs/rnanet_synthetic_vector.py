# RNA-Net's relative norm alignment (Planamente et al., WACV 2022),
# on the vector-level synthetic benchmark: configs/fusion_synthetic_vector.py plus the method
# (configs/_base_/methods/rnanet.py).
#   python tools/train.py configs/rnanet_synthetic_vector.py
_base_ = ['fusion_synthetic_vector.py', '_base_/methods/rnanet.py']

model = dict(regularizers=dict(rna=_base_.rna_regularizer))
