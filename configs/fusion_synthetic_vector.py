# Entry point: the Fusion baseline on the vector-level synthetic benchmark.
_base_ = ['synthetic/fusion_mlp_scratch_1xb16-6e_synthetic-vector-s0s12t-rgb-flow-audio.py']
