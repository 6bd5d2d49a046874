# Entry point: MER-DG on EPIC-Kitchens, train on D1 + D2, generalize to D3.
#   python tools/train.py configs/merdg_epic_d1d2_d3.py
# Data layout and preparation: tools/data/epic_kitchens/README.md.
_base_ = ['epic_kitchens/merdg_slowfast-r101-slowonly-r50-audio-r18_k400-vggsound_1xb16-20e_epic-d1d2-to-d3-rgb-flow-audio.py']
