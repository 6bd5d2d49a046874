# Entry point: MER-DG (on Fusion) on the embedded synthetic benchmark (clip
# level; docs/synthetic_benchmark.md). Fusion alone: configs/fusion_synthetic.py.
#   python tools/train.py configs/merdg_synthetic.py
_base_ = ['fusion_synthetic.py']

model = dict(regularizers=dict(mer=_base_.mer_regularizer))
