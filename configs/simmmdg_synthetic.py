# SimMMDG (Dong et al., NeurIPS 2023),
# on the embedded synthetic benchmark (clip level): configs/fusion_synthetic.py plus the method
# (configs/_base_/methods/simmmdg.py).
#   python tools/train.py configs/simmmdg_synthetic.py
_base_ = ['fusion_synthetic.py', '_base_/methods/simmmdg.py']

# CPU-sized heads (128 wide, as the MER-DG projector of these benchmarks).
model = dict(
    regularizers=dict(
        simmmdg=dict(
            _base_.simmmdg_regularizer,
            projector=dict(type='SupConProjector', hidden_channels=128, out_channels=128),
            translator_hidden_channels=128)))
