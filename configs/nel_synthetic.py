# Entry point: NEL alone on the embedded synthetic benchmark: nel_merdg_synthetic.py
# without MER-DG (regularizers.mer removed).
_base_ = [
    'synthetic/merdg_tiny-slowfast-slowonly-resnetaudio_scratch_1xb16-4e_synthetic-split-source0-source1-to-target-rgb-flow-audio.py',
    '_base_/methods/nel.py',
]

model = dict(**_base_.nel_model, regularizers=dict(mer=None, nel=dict(
    _base_.nel_regularizer,
    # CPU-sized head, as the MER-DG projector of this recipe (128 wide).
    projector=dict(type='SupConProjector', hidden_channels=128, out_channels=128))))
# Two noisy views of each training sample, each trained on as a sample.
train_dataloader = dict(dataset=dict(num_views=2))
