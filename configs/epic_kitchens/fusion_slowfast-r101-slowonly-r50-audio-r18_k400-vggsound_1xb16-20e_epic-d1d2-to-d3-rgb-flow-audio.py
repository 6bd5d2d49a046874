# The EPIC-Kitchens family: Fusion (late fusion, cross-entropy only) with the paper's
# encoders (SlowFast-R101 RGB, SlowOnly-R50 flow, VGGSound ResNet-18 audio; pretrained
# weights under checkpoints/), D1 + D2 -> D3, RGB + flow + audio, the paper's
# schedule. Data layout: tools/data/epic_kitchens/README.md.
# The methods inherit this config (epic_kitchens/<method>_...); MER-DG on top of any
# of them: --mer; another shift / subset: --shift D1:D2,D3, --modalities rgb,audio.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/models/slowfast-r101_slowonly-r50_audio-r18.py',  # carries mer_regularizer
    '../_base_/datasets/epic_kitchens_mm.py',
    '../_base_/schedules/adam-1e-4_multistep_20e.py',
]
