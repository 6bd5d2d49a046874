# RNA-Net's relative norm alignment (Planamente et al., WACV 2022) + MER-DG,
# on the embedded synthetic benchmark (clip level): configs/fusion_synthetic.py plus the method
# (configs/_base_/methods/rnanet.py) and MER-DG.
#   python tools/train.py configs/rnanet_merdg_synthetic.py
_base_ = ['fusion_synthetic.py', '_base_/methods/rnanet.py']

model = dict(
    regularizers=dict(
        rna=_base_.rna_regularizer,
        mer=_base_.mer_regularizer))
