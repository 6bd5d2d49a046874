# MBCD (Wang et al., 2025) with its recognizer and EMA teacher,
# on the embedded synthetic benchmark (clip level): configs/fusion_synthetic.py plus the method
# (configs/_base_/methods/mbcd.py).
#   python tools/train.py configs/mbcd_synthetic.py
_base_ = ['fusion_synthetic.py', '_base_/methods/mbcd.py']

# CPU-sized heads (128 wide, as the MER-DG projector of these benchmarks).
model = dict(
    **_base_.mbcd_model,
    regularizers=dict(
        mbcd=dict(_base_.mbcd_regularizer, hidden_channels=128)))

# The teacher's time constant (1 / momentum steps) is a fifth of the schedule
# (4 epochs of 32 iterations), as the official 1000 steps are of an EPIC
# two-source run.
custom_hooks = _base_.custom_hooks + [dict(_base_.mbcd_hooks[0], momentum=0.04)]
