# Entry point: GMP alone on the embedded synthetic benchmark: gmp_merdg_synthetic.py
# without MER-DG (regularizers.mer removed).
_base_ = [
    'synthetic/merdg_tiny-slowfast-slowonly-resnetaudio_scratch_1xb16-4e_synthetic-split-source0-source1-to-target-rgb-flow-audio.py',
    '_base_/methods/gmp.py',
]

# The domain discriminator classifies the recipe's two source domains.
model = dict(regularizers=dict(mer=None, gmp=dict(
    _base_.gmp_regularizer, domains=_base_.source_domains)))
