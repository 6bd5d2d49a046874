# SimMMDG (Dong et al., NeurIPS 2023),
# on HAC human + animal -> cartoon: fusion_slowfast-r101-slowonly-r50-audio-...
# (the family config) plus configs/_base_/methods/simmmdg.py, at its official defaults.
_base_ = ['./fusion_slowfast-r101-slowonly-r50-audio-r18_k400-vggsound_1xb16-20e_hac-human-animal-to-cartoon-rgb-flow-audio.py',
          '../_base_/methods/simmmdg.py']

model = dict(regularizers=dict(simmmdg=_base_.simmmdg_regularizer))
