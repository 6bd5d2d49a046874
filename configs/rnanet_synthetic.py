# RNA-Net's relative norm alignment (Planamente et al., WACV 2022),
# on the embedded synthetic benchmark (clip level): configs/fusion_synthetic.py plus the method
# (configs/_base_/methods/rnanet.py).
#   python tools/train.py configs/rnanet_synthetic.py
_base_ = ['fusion_synthetic.py', '_base_/methods/rnanet.py']

model = dict(regularizers=dict(rna=_base_.rna_regularizer))
