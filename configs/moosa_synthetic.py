# MOOSA (Dong et al., ECCV 2024), closed-set,
# on the embedded synthetic benchmark (clip level): configs/fusion_synthetic.py plus the method
# (configs/_base_/methods/moosa.py).
#   python tools/train.py configs/moosa_synthetic.py
_base_ = ['fusion_synthetic.py', '_base_/methods/moosa.py']

# CPU-sized heads (128 wide, as the MER-DG projector of these benchmarks).
model = dict(
    regularizers=dict(
        moosa=dict(
            _base_.moosa_regularizer,
            projector=dict(type='SupConProjector', hidden_channels=128, out_channels=128),
            translator_hidden_channels=128)))
