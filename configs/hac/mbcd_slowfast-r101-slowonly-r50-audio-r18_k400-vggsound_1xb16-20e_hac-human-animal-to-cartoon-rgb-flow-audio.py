# MBCD (Wang et al., 2025) with its recognizer and EMA teacher,
# on HAC human + animal -> cartoon: fusion_slowfast-r101-slowonly-r50-audio-...
# (the family config) plus configs/_base_/methods/mbcd.py, at its official defaults.
_base_ = ['./fusion_slowfast-r101-slowonly-r50-audio-r18_k400-vggsound_1xb16-20e_hac-human-animal-to-cartoon-rgb-flow-audio.py',
          '../_base_/methods/mbcd.py']

model = dict(**_base_.mbcd_model, regularizers=dict(mbcd=_base_.mbcd_regularizer))

# The runtime hooks plus the EMA teacher.
custom_hooks = _base_.custom_hooks + _base_.mbcd_hooks
