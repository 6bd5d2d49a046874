# GMP (Li et al., AAAI 2026; its domain terms classify the sources),
# on the embedded synthetic benchmark (clip level): configs/fusion_synthetic.py plus the method
# (configs/_base_/methods/gmp.py).
#   python tools/train.py configs/gmp_synthetic.py
_base_ = ['fusion_synthetic.py', '_base_/methods/gmp.py']

model = dict(regularizers=dict(gmp=dict(_base_.gmp_regularizer, domains=_base_.source_domains)))
