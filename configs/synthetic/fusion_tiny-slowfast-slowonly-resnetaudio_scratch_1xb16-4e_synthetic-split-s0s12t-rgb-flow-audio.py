# Fusion baseline on the calibrated synthetic benchmark: the MER-DG config
# without the entropy loss (same code path).
_base_ = ['./merdg_tiny-slowfast-slowonly-resnetaudio_scratch_1xb16-4e_synthetic-split-s0s12t-rgb-flow-audio.py']

model = dict(mer_loss=None, projector=None)
