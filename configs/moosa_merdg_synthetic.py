# Entry point: MOOSA + MER-DG on the embedded synthetic benchmark: the MER-DG
# recipe (configs/merdg_synthetic.py) plus MOOSA's objectives.
_base_ = [
    'synthetic/merdg_tiny-slowfast-slowonly-resnetaudio_scratch_1xb16-4e_synthetic-split-source0-source1-to-target-rgb-flow-audio.py',
    '_base_/methods/moosa.py',
]

model = dict(regularizers=dict(moosa=dict(
    _base_.moosa_regularizer,
    # CPU-sized heads, as the MER-DG projector of this recipe (128 wide).
    projector=dict(type='SupConProjector', hidden_channels=128, out_channels=128),
    translator_hidden_channels=128)))
