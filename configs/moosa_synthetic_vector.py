# Entry point: MOOSA alone on the vector-level synthetic benchmark (the grid's
# synthetic_vector dataset; docs/methods.md). Heads sized to the 64-d MLP features.
_base_ = ['synthetic/fusion_mlp_scratch_1xb16-6e_synthetic-vector-source0-source1-to-target-rgb-flow-audio.py', '_base_/methods/moosa.py']

model = dict(regularizers=dict(moosa=dict(
    _base_.moosa_regularizer,
    projector=dict(type='SupConProjector', hidden_channels=128, out_channels=128),
    translator_hidden_channels=128)))
