# MER-DG (on Fusion) on HAC, human + animal -> cartoon, RGB + flow + audio, the paper's
# encoders and MER-DG's official recipe (LARS lr 1e-4, no scheduler, 20 epochs,
# layer4 + heads trained; see configs/_base_/schedules/lars-1e-4_20e.py).
# Data layout: tools/data/hac/README.md.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/models/slowfast-r101_slowonly-r50_audio-r18.py',  # carries mer_regularizer
    '../_base_/datasets/hac_mm.py',
    '../_base_/schedules/lars-1e-4_20e.py',
]

model = dict(cls_head=dict(num_classes=_base_.num_classes),
             regularizers=dict(mer=_base_.mer_regularizer))
