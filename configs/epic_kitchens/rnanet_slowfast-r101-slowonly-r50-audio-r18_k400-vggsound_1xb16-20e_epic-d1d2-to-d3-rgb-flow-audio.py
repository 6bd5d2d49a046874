# RNA-Net's relative norm alignment (Planamente et al., WACV 2022),
# on EPIC-Kitchens D1 + D2 -> D3: fusion_slowfast-r101-slowonly-r50-audio-...
# (the family config) plus configs/_base_/methods/rnanet.py, at its official defaults.
_base_ = ['./fusion_slowfast-r101-slowonly-r50-audio-r18_k400-vggsound_1xb16-20e_epic-d1d2-to-d3-rgb-flow-audio.py',
          '../_base_/methods/rnanet.py']

model = dict(regularizers=dict(rna=_base_.rna_regularizer))
