# JAT (Li et al., ACM MM 2025; its discriminators classify the sources),
# on HAC human + animal -> cartoon: fusion_slowfast-r101-slowonly-r50-audio-...
# (the family config) plus configs/_base_/methods/jat.py, at its official defaults.
_base_ = ['./fusion_slowfast-r101-slowonly-r50-audio-r18_k400-vggsound_1xb16-20e_hac-human-animal-to-cartoon-rgb-flow-audio.py',
          '../_base_/methods/jat.py']

model = dict(regularizers=dict(jat=dict(_base_.jat_regularizer, domains=_base_.source_domains)))
