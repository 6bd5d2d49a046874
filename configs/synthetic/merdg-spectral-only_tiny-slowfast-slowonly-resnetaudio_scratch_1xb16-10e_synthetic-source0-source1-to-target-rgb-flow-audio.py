# Ablation: MER-DG with the spectral (log-det entropy) term only; the marginal
# std hinge is switched off. Everything else is the synthetic MER-DG recipe.
_base_ = ['./merdg_tiny-slowfast-slowonly-resnetaudio_scratch_1xb16-10e_synthetic-source0-source1-to-target-rgb-flow-audio.py']

model = dict(regularizers=dict(mer=dict(loss=dict(alpha_marg=0.0, alpha_spec=1.0))))
