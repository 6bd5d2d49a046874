# Entry point: MBCD + MER-DG on the vector-level synthetic benchmark (the grid's
# synthetic_vector dataset; docs/methods.md). Heads sized to the 64-d MLP features.
_base_ = ['synthetic/merdg_mlp_scratch_1xb16-6e_synthetic-vector-source0-source1-to-target-rgb-flow-audio.py', '_base_/methods/mbcd.py']

# The meta step updates each MLP encoder's last linear layer (its 'layer4');
# DSU leaves these 2-D features unchanged.
model = dict(_base_.mbcd_model, meta_stage='layers.2', regularizers=dict(mbcd=dict(
    _base_.mbcd_regularizer, hidden_channels=128)))
# Teacher time constant a fifth of the schedule (6 epochs of 48 iterations),
# as the official 1000 steps are of an EPIC two-source run.
custom_hooks = _base_.custom_hooks + [dict(_base_.mbcd_hooks[0], momentum=0.02)]
