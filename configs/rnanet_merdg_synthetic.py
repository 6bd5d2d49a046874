# Entry point: RNA-Net + MER-DG on the embedded synthetic benchmark: the MER-DG
# recipe (configs/merdg_synthetic.py) plus RNA-Net's objectives.
_base_ = [
    'synthetic/merdg_tiny-slowfast-slowonly-resnetaudio_scratch_1xb16-4e_synthetic-split-source0-source1-to-target-rgb-flow-audio.py',
    '_base_/methods/rnanet.py',
]

model = dict(regularizers=dict(rna=_base_.rna_regularizer))
