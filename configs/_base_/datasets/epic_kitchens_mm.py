# EPIC-Kitchens D1/D2/D3 (kitchens P08/P01/P22, 8 verb classes, MM-SADA splits)
# in SimMMDG's on-disk layout; see tools/data/epic_kitchens/README.md.
# This base is the D1 D2 -> D3 shift with RGB, flow and audio; other shifts and
# subsets set the datasets' `domains` and `modalities` (tools/train.py --shift,
# --modalities; mmaction_merdg.apis.compose_experiment). The pipelines hold the steps of
# every modality; a step skips the modalities absent from the sample's
# `modalities`, so they serve every subset unchanged.
dataset_type = 'EpicKitchensMMDataset'
data_root = 'data/epic_kitchens'  # holds rgb/, flow/ and the wavs
ann_root = 'MM-SADA_Domain_Adaptation_Splits'  # D{1,2,3}_{train,test}.pkl, under data_root
modalities = ('imgs', 'flow_imgs', 'audios')
source_domains = ['D1', 'D2']
target_domains = ['D3']
num_classes = 8  # take, put, open, close, wash, cut, mix, pour
metainfo = dict(classes=('take', 'put', 'open', 'close', 'wash', 'cut', 'mix',
                         'pour'))

# The prior recipe's clips: RGB 32 frames at stride 2 (64 frames of 60 fps,
# ~1.07 s) for SlowFast; flow 8 frames at stride 4 on the half-rate flow index
# (the same ~64 RGB frames) for SlowOnly. align=False reproduces the prior
# behaviour: RGB and flow offsets are drawn independently and the audio window
# is the whole segment (its timestamps); align=True centres flow and audio on
# the RGB clip.
sampling = dict(
    clip_len=dict(imgs=32, flow_imgs=8),
    frame_interval=dict(imgs=2, flow_imgs=4),
    align=False)
# Audio: 16 kHz mono, window tiled or cropped to 10 s, log power spectrogram
# (nperseg 512, overlap 353 -> 257 x 1004), z-scored per clip.
audio_load = dict(type='LoadAudioWindow', sample_rate=16000, clip_seconds=10.0)
spectrogram = dict(type='AudioLogSpectrogram', nperseg=512, noverlap=353)
# Packs the sample's `modalities` (the dataset's subset) and its domain.
pack = dict(type='PackMultiModalInputs', algorithm_keys=('domain', ))

train_pipeline = [
    dict(type='SampleMultiModalFrames', **sampling),
    dict(type='MultiModalRawFrameDecode'),
    dict(type='MultiModalResize', scale=(-1, 256)),  # short edge 256
    # One random box for RGB and flow (Inception crop: 8-100% of the area).
    dict(type='MultiModalRandomResizedCrop'),
    dict(type='MultiModalResize', scale=(224, 224)),
    # One draw for RGB and flow; the flow x channel changes sign on a flip.
    dict(type='MultiModalFlip', flip_ratio=0.5),
    dict(type='MultiModalFormatShape'),  # -> [1, C, T, H, W], raw 0..255
    audio_load,
    spectrogram,
    # Prior train-time augmentation: uniform noise +-0.05, 9 masked freq rows.
    dict(type='AudioSpectrogramAugment', noise_amplitude=0.05, mask_rows=9),
    pack,
]
# Validation and test: centred clips and a 224 centre crop for both RGB and
# flow (the prior code centre-cropped flow to 256; one crop for both keeps
# the two aligned and the input size fixed).
val_pipeline = [
    dict(type='SampleMultiModalFrames', test_mode=True, **sampling),
    dict(type='MultiModalRawFrameDecode'),
    dict(type='MultiModalResize', scale=(-1, 256)),
    dict(type='MultiModalCenterCrop', crop_size=224),
    dict(type='MultiModalFormatShape'),
    audio_load,
    spectrogram,
    pack,
]
# MMAction2's inference_recognizer(model, 'clip.mp4') runs test_pipeline on a bare
# video path; this pipeline reads extracted frames, so VideoFileSample says to use
# mmaction_merdg.apis.inference.inference_multimodal or the demo instead (they swap
# in video decoding). Dataset samples pass it unchanged.
test_pipeline = [dict(type='VideoFileSample', frames_only=True)] + val_pipeline

common = dict(
    type=dataset_type,
    ann_root=ann_root,
    data_root=data_root,
    modalities=modalities,
    num_classes=num_classes,
    metainfo=metainfo)
train_dataloader = dict(
    batch_size=16,
    num_workers=8,
    persistent_workers=True,
    # Every batch holds the source domains in equal shares.
    sampler=dict(type='BalancedDomainSampler', batch_size=16, shuffle=True),
    dataset=dict(
        **common,
        domains=source_domains,
        split='train',
        pipeline=train_pipeline,
        # Replace (and log) a training sample whose media cannot be read.
        skip_unreadable=False))
# Validation: the sources' test pickles select the checkpoint (as SimMMDG);
# the target's test pickle is evaluated alongside, logged, never used to select.
val_source = dict(**common, domains=source_domains, split='test',
                  pipeline=val_pipeline, test_mode=True)
val_target = dict(**common, domains=target_domains, split='test',
                  pipeline=val_pipeline, test_mode=True)
val_dataloader = dict(
    batch_size=16,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='ConcatDataset', datasets=[val_source, val_target]))
test_dataloader = dict(
    batch_size=16,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**common, domains=target_domains, split='test',
                 pipeline=test_pipeline, test_mode=True))
val_evaluator = dict(
    type='DomainAccMetric',
    source_domains=source_domains,
    target_domains=target_domains)
test_evaluator = val_evaluator
