# GMP (Li et al., AAAI 2026; its domain terms classify the sources),
# on EPIC-Kitchens D1 + D2 -> D3: fusion_slowfast-r101-slowonly-r50-audio-...
# (the family config) plus configs/_base_/methods/gmp.py, at its official defaults.
_base_ = ['./fusion_slowfast-r101-slowonly-r50-audio-r18_k400-vggsound_1xb16-20e_epic-d1d2-to-d3-rgb-flow-audio.py',
          '../_base_/methods/gmp.py']

model = dict(regularizers=dict(gmp=dict(_base_.gmp_regularizer, domains=_base_.source_domains)))
