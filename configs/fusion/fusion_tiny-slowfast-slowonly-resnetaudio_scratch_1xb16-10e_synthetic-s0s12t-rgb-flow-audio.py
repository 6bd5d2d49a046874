# Fusion baseline: the MER-DG config without the entropy loss (same code path).
_base_ = ['../merdg/merdg_tiny-slowfast-slowonly-resnetaudio_scratch_1xb16-10e_synthetic-s0s12t-rgb-flow-audio.py']

model = dict(mer_loss=None, projector=None)
