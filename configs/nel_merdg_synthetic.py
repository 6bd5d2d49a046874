# NEL (Neurocomputing 658, 2025) on two views of each sample + MER-DG,
# on the embedded synthetic benchmark (clip level): configs/fusion_synthetic.py plus the method
# (configs/_base_/methods/nel.py) and MER-DG.
#   python tools/train.py configs/nel_merdg_synthetic.py
_base_ = ['fusion_synthetic.py', '_base_/methods/nel.py']

# CPU-sized heads (128 wide, as the MER-DG projector of these benchmarks).
model = dict(
    **_base_.nel_model,
    regularizers=dict(
        nel=dict(
            _base_.nel_regularizer,
            projector=dict(type='SupConProjector', hidden_channels=128, out_channels=128)),
        mer=_base_.mer_regularizer))

# Two noisy renders (views) of each training sample (docs/methods.md).
train_dataloader = dict(dataset=dict(num_views=2))
