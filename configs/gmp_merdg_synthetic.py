# Entry point: GMP + MER-DG on the embedded synthetic benchmark: the MER-DG
# recipe (configs/merdg_synthetic.py) plus GMP's objectives.
_base_ = [
    'synthetic/merdg_tiny-slowfast-slowonly-resnetaudio_scratch_1xb16-4e_synthetic-split-source0-source1-to-target-rgb-flow-audio.py',
    '_base_/methods/gmp.py',
]

# The domain discriminator classifies the recipe's two source domains.
model = dict(regularizers=dict(gmp=dict(_base_.gmp_regularizer, domains=_base_.source_domains)))
