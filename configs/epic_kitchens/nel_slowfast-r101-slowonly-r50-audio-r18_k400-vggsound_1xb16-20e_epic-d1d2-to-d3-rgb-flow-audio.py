# NEL (Neurocomputing 658, 2025) on two views of each sample,
# on EPIC-Kitchens D1 + D2 -> D3: fusion_slowfast-r101-slowonly-r50-audio-...
# (the family config) plus configs/_base_/methods/nel.py, at its official defaults.
_base_ = ['./fusion_slowfast-r101-slowonly-r50-audio-r18_k400-vggsound_1xb16-20e_epic-d1d2-to-d3-rgb-flow-audio.py',
          '../_base_/methods/nel.py']

model = dict(**_base_.nel_model, regularizers=dict(nel=_base_.nel_regularizer))

# Two views (clips) of each training sample, each trained on as a sample: the
# train pipeline but its packer runs once per view (own clip, crop, flip, audio).
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='MultiModalViews', num_views=2, transforms=_base_.train_pipeline[:-1]),
    _base_.pack]))
