# Entry point: MER-DG on EPIC-Kitchens, train on D1 + D2, generalize to D3 (the
# paper's recipe: its encoders, schedule and MER-DG defaults).
#   python tools/train.py configs/merdg_epic_d1d2_d3.py
# Data layout and preparation: tools/data/epic_kitchens/README.md. Other shifts
# and subsets: --shift D2,D3:D1, --shift D1:D2,D3, --modalities rgb,audio.
_base_ = ['epic_kitchens/fusion_slowfast-r101-slowonly-r50-audio-r18_k400-vggsound_1xb16-20e_epic-d1d2-to-d3-rgb-flow-audio.py']

model = dict(regularizers=dict(mer=_base_.mer_regularizer))
