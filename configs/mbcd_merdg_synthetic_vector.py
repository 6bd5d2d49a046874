# MBCD (Wang et al., 2025) with its recognizer and EMA teacher + MER-DG,
# on the vector-level synthetic benchmark: configs/fusion_synthetic_vector.py plus the method
# (configs/_base_/methods/mbcd.py) and MER-DG.
#   python tools/train.py configs/mbcd_merdg_synthetic_vector.py
_base_ = ['fusion_synthetic_vector.py', '_base_/methods/mbcd.py']

# The meta step updates each MLP encoder's last linear layer (its 'layer4');
# DSU leaves these 2-D features unchanged.
# CPU-sized heads (128 wide, as the MER-DG projector of these benchmarks).
model = dict(
    _base_.mbcd_model, meta_stage='layers.2',
    regularizers=dict(
        mbcd=dict(_base_.mbcd_regularizer, hidden_channels=128),
        mer=_base_.mer_regularizer))

# The teacher's time constant (1 / momentum steps) is a fifth of the schedule
# (6 epochs of 48 iterations), as the official 1000 steps are of an EPIC
# two-source run.
custom_hooks = _base_.custom_hooks + [dict(_base_.mbcd_hooks[0], momentum=0.02)]
