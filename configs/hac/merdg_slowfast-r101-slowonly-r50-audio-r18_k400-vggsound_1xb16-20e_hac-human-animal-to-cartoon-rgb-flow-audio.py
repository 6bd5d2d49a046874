# MER-DG (on Fusion) on HAC, human + animal -> cartoon, RGB + flow + audio, the paper's
# encoders and schedule. Data layout: tools/data/hac/README.md.
_base_ = ['./fusion_slowfast-r101-slowonly-r50-audio-r18_k400-vggsound_1xb16-20e_hac-human-animal-to-cartoon-rgb-flow-audio.py']

model = dict(regularizers=dict(mer=_base_.mer_regularizer))
