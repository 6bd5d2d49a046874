# GMP (Li et al., AAAI 2026; its domain terms classify the sources) + MER-DG,
# on the vector-level synthetic benchmark: configs/fusion_synthetic_vector.py plus the method
# (configs/_base_/methods/gmp.py) and MER-DG.
#   python tools/train.py configs/gmp_merdg_synthetic_vector.py
_base_ = ['fusion_synthetic_vector.py', '_base_/methods/gmp.py']

model = dict(
    regularizers=dict(
        gmp=dict(_base_.gmp_regularizer, domains=_base_.source_domains),
        mer=_base_.mer_regularizer))
