# MOOSA (Dong et al., ECCV 2024), closed-set + MER-DG,
# on the vector-level synthetic benchmark: configs/fusion_synthetic_vector.py plus the method
# (configs/_base_/methods/moosa.py) and MER-DG.
#   python tools/train.py configs/moosa_merdg_synthetic_vector.py
_base_ = ['fusion_synthetic_vector.py', '_base_/methods/moosa.py']

# CPU-sized heads (128 wide, as the MER-DG projector of these benchmarks).
model = dict(
    regularizers=dict(
        moosa=dict(
            _base_.moosa_regularizer,
            projector=dict(type='SupConProjector', hidden_channels=128, out_channels=128),
            translator_hidden_channels=128),
        mer=_base_.mer_regularizer))
