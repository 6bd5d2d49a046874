# Entry point: RNA-Net alone on the embedded synthetic benchmark: rnanet_merdg_synthetic.py
# without MER-DG (regularizers.mer removed).
_base_ = [
    'synthetic/merdg_tiny-slowfast-slowonly-resnetaudio_scratch_1xb16-4e_synthetic-split-source0-source1-to-target-rgb-flow-audio.py',
    '_base_/methods/rnanet.py',
]

model = dict(regularizers=dict(mer=None, rna=_base_.rna_regularizer))
