# SimMMDG (Dong et al., NeurIPS 2023) + MER-DG,
# on the vector-level synthetic benchmark: configs/fusion_synthetic_vector.py plus the method
# (configs/_base_/methods/simmmdg.py) and MER-DG.
#   python tools/train.py configs/simmmdg_merdg_synthetic_vector.py
_base_ = ['fusion_synthetic_vector.py', '_base_/methods/simmmdg.py']

# CPU-sized heads (128 wide, as the MER-DG projector of these benchmarks).
model = dict(
    regularizers=dict(
        simmmdg=dict(
            _base_.simmmdg_regularizer,
            projector=dict(type='SupConProjector', hidden_channels=128, out_channels=128),
            translator_hidden_channels=128),
        mer=_base_.mer_regularizer))
