# Entry point: MER-DG (on Fusion) on the vector-level synthetic benchmark
# (seconds per run; docs/synthetic_benchmark.md).
_base_ = ['fusion_synthetic_vector.py']

model = dict(regularizers=dict(mer=_base_.mer_regularizer))
