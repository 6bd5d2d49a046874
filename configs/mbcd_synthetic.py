# Entry point: MBCD alone on the embedded synthetic benchmark: mbcd_merdg_synthetic.py
# without MER-DG (regularizers.mer removed).
_base_ = [
    'synthetic/merdg_tiny-slowfast-slowonly-resnetaudio_scratch_1xb16-4e_synthetic-split-source0-source1-to-target-rgb-flow-audio.py',
    '_base_/methods/mbcd.py',
]

model = dict(**_base_.mbcd_model, regularizers=dict(mer=None, mbcd=dict(
    _base_.mbcd_regularizer, hidden_channels=128)))  # CPU-sized, as the MER-DG projector
# The teacher's time constant (1 / momentum steps) is a fifth of the schedule,
# as the official 1000 steps are of an EPIC two-source run (about 250
# iterations x 20 epochs); here 4 epochs of 32 iterations.
custom_hooks = _base_.custom_hooks + [dict(_base_.mbcd_hooks[0], momentum=0.04)]
