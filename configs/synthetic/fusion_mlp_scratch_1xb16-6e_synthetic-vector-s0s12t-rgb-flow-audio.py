# Fusion baseline on the vector-level benchmark: the MER-DG config without the
# entropy loss (same code path).
_base_ = ['./merdg_mlp_scratch_1xb16-6e_synthetic-vector-s0s12t-rgb-flow-audio.py']

model = dict(mer_loss=None, projector=None)
