# Entry point: CMRF alone on the embedded synthetic benchmark: cmrf_merdg_synthetic.py
# without MER-DG (regularizers.mer removed).
_base_ = [
    'synthetic/merdg_tiny-slowfast-slowonly-resnetaudio_scratch_1xb16-4e_synthetic-split-source0-source1-to-target-rgb-flow-audio.py',
    '_base_/methods/cmrf.py',
]

model = dict(regularizers=dict(mer=None, cmrf=dict(
    _base_.cmrf_regularizer,
    projector=dict(type='SupConProjector', hidden_channels=128, out_channels=128))))
# Averaging from the second epoch (after 1 of 4 epochs, 32 iterations each):
# the official 400 iterations are about the first 8% of its EPIC schedule.
# Counted in epochs, it stays "after the first epoch" when the grid shortens
# the schedule or the data.
custom_hooks = _base_.custom_hooks + [
    dict(_base_.cmrf_hooks[0], begin_iter=0, begin_epoch=1)]
