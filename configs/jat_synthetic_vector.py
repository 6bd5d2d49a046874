# JAT (Li et al., ACM MM 2025; its discriminators classify the sources),
# on the vector-level synthetic benchmark: configs/fusion_synthetic_vector.py plus the method
# (configs/_base_/methods/jat.py).
#   python tools/train.py configs/jat_synthetic_vector.py
_base_ = ['fusion_synthetic_vector.py', '_base_/methods/jat.py']

model = dict(regularizers=dict(jat=dict(_base_.jat_regularizer, domains=_base_.source_domains)))
