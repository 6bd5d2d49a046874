# The synthetic_vector family: Fusion on the vector-level synthetic benchmark
# (the clip-level world, each modality a feature vector; seconds per run, for
# statistics over many seeds: docs/synthetic_benchmark.md).
# A method on top: configs/<method>_synthetic_vector.py; MER-DG:
# configs/merdg_synthetic_vector.py, configs/<method>_merdg_synthetic_vector.py or --mer.
_base_ = [
    '_base_/default_runtime.py',
    '_base_/models/vector-mlp.py',  # carries mer_regularizer
    '_base_/datasets/synthetic_mmdg_vector.py',
    '_base_/schedules/adam-1e-3_cosine_6e.py',
]
