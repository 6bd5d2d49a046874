# Entry point: JAT + MER-DG on the embedded synthetic benchmark: the MER-DG
# recipe (configs/merdg_synthetic.py) plus JAT's objectives.
_base_ = [
    'synthetic/merdg_tiny-slowfast-slowonly-resnetaudio_scratch_1xb16-4e_synthetic-split-source0-source1-to-target-rgb-flow-audio.py',
    '_base_/methods/jat.py',
]

# The discriminators classify the recipe's two source domains.
model = dict(regularizers=dict(jat=dict(_base_.jat_regularizer, domains=_base_.source_domains)))
