# MER-DG on EPIC-Kitchens D1 + D2 -> D3 with the family's Adam schedule (lr 1e-4,
# multistep; the SimMMDG recipe every other method of the family trains with)
# instead of MER-DG's official LARS recipe (configs/merdg_epic_d1d2_d3.py).
# Everything is trained, as with the other methods.
#   python tools/train.py configs/merdg_epic_d1d2_d3_adam.py
_base_ = ['epic_kitchens/fusion_slowfast-r101-slowonly-r50-audio-r18_k400-vggsound_1xb16-20e_epic-d1d2-to-d3-rgb-flow-audio.py']

model = dict(regularizers=dict(mer=_base_.mer_regularizer))
