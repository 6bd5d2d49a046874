# The HAC family: Fusion (late fusion, cross-entropy only) with the paper's
# encoders (SlowFast-R101 RGB, SlowOnly-R50 flow, VGGSound ResNet-18 audio; pretrained
# weights under checkpoints/), human + animal -> cartoon, RGB + flow + audio, the paper's
# schedule. Data layout: tools/data/hac/README.md.
# The methods inherit this config (hac/<method>_...); MER-DG on top of any
# of them: --mer; another shift / subset: --shift human:animal,cartoon, --modalities rgb,audio.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/models/slowfast-r101_slowonly-r50_audio-r18.py',  # carries mer_regularizer
    '../_base_/datasets/hac_mm.py',
    '../_base_/schedules/adam-1e-4_multistep_20e.py',
]

# HAC's 7 actions (the model base's head has EPIC's 8 verbs).
model = dict(cls_head=dict(num_classes=_base_.num_classes))
