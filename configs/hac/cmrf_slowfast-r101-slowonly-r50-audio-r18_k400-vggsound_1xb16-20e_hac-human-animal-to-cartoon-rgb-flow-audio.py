# CMRF (Fan et al., NeurIPS 2024) with its averaged teacher,
# on HAC human + animal -> cartoon: fusion_slowfast-r101-slowonly-r50-audio-...
# (the family config) plus configs/_base_/methods/cmrf.py, at its official defaults.
_base_ = ['./fusion_slowfast-r101-slowonly-r50-audio-r18_k400-vggsound_1xb16-20e_hac-human-animal-to-cartoon-rgb-flow-audio.py',
          '../_base_/methods/cmrf.py']

model = dict(regularizers=dict(cmrf=_base_.cmrf_regularizer))

# The runtime hooks plus the averaged teacher (from iteration 100 on HAC, as the
# CMRF README's HAC commands; 400 on EPIC).
custom_hooks = _base_.custom_hooks + _base_.cmrf_hooks_hac
