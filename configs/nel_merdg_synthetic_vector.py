# Entry point: NEL + MER-DG on the vector-level synthetic benchmark (the grid's
# synthetic_vector dataset; docs/methods.md). Head sized to the 64-d MLP features.
_base_ = ['synthetic/merdg_mlp_scratch_1xb16-6e_synthetic-vector-source0-source1-to-target-rgb-flow-audio.py', '_base_/methods/nel.py']

model = dict(**_base_.nel_model, regularizers=dict(nel=dict(
    _base_.nel_regularizer,
    projector=dict(type='SupConProjector', hidden_channels=128, out_channels=128))))
# Two noisy views of each training sample, each trained on as a sample.
train_dataloader = dict(dataset=dict(num_views=2))
