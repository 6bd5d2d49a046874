# Ablation: MER-DG with the marginal (per-dimension std hinge) term only.
# The spectral term, which spreads variance across dimensions (decorrelation),
# is switched off; everything else is the synthetic MER-DG recipe.
_base_ = ['./merdg_tiny-slowfast-slowonly-resnetaudio_scratch_1xb16-10e_synthetic-source0-source1-to-target-rgb-flow-audio.py']

model = dict(regularizers=dict(mer=dict(loss=dict(alpha_marg=1.0, alpha_spec=0.0))))
