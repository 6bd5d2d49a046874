# JAT (Li et al., ACM MM 2025; its discriminators classify the sources) + MER-DG,
# on the embedded synthetic benchmark (clip level): configs/fusion_synthetic.py plus the method
# (configs/_base_/methods/jat.py) and MER-DG.
#   python tools/train.py configs/jat_merdg_synthetic.py
_base_ = ['fusion_synthetic.py', '_base_/methods/jat.py']

model = dict(
    regularizers=dict(
        jat=dict(_base_.jat_regularizer, domains=_base_.source_domains),
        mer=_base_.mer_regularizer))
