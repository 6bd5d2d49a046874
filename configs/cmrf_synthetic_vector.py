# Entry point: CMRF alone on the vector-level synthetic benchmark (the grid's
# synthetic_vector dataset; docs/methods.md). Heads sized to the 64-d MLP features.
_base_ = ['synthetic/fusion_mlp_scratch_1xb16-6e_synthetic-vector-source0-source1-to-target-rgb-flow-audio.py', '_base_/methods/cmrf.py']

model = dict(regularizers=dict(cmrf=dict(
    _base_.cmrf_regularizer,
    projector=dict(type='SupConProjector', hidden_channels=128, out_channels=128))))
# The averaged teacher from the second of 6 epochs (the official 400 steps are
# about the first 8 % of its EPIC schedule).
custom_hooks = _base_.custom_hooks + [
    dict(_base_.cmrf_hooks[0], begin_iter=0, begin_epoch=1)]
