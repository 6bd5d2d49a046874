# Entry point: MER-DG on the vector-level synthetic benchmark (seconds per run).
_base_ = ['synthetic/merdg_mlp_scratch_1xb16-6e_synthetic-vector-s0s12t-rgb-flow-audio.py']
