# HAC (human, animal, cartoon; 7 actions) in SimMMDG's on-disk layout; see
# tools/data/hac/README.md. This base is the human animal -> cartoon shift with
# RGB, flow and audio; other shifts and subsets set the datasets' `domains` and
# `modalities` (tools/train.py --shift, --modalities; compose_experiment).
# The pipelines hold the steps of every modality; a step skips the modalities
# absent from the sample's `modalities`, so they serve every subset unchanged.
dataset_type = 'HACMMDataset'
data_root = 'data/hac'  # holds <domain>/{videos,flow,audio}/
ann_root = 'HAC_Splits'  # HAC_{train,test}_only_<domain>.csv, under data_root
modalities = ('imgs', 'flow_imgs', 'audios')
source_domains = ['human', 'animal']
target_domains = ['cartoon']
num_classes = 7
metainfo = dict(classes=('sleeping', 'watching_tv', 'eating', 'drinking',
                         'swimming', 'running', 'door_opening'))

# Clips as for EPIC (RGB 32 x stride 2, flow 8 x stride 4), but HAC's flow
# videos share the RGB frame index. The audio window is the span of the RGB
# clip at an assumed 24 fps (the prior code's assumption; assume_fps=None uses
# each video's own rate).
sampling = dict(
    clip_len=dict(imgs=32, flow_imgs=8),
    frame_interval=dict(imgs=2, flow_imgs=4),
    align=False)
assume_fps = 24.0
audio_load = dict(type='LoadAudioWindow', sample_rate=16000, clip_seconds=10.0)
spectrogram = dict(type='AudioLogSpectrogram', nperseg=512, noverlap=353)
# Packs the sample's `modalities` (the dataset's subset) and its domain.
pack = dict(type='PackMultiModalInputs', algorithm_keys=('domain', ))

train_pipeline = [
    dict(type='MultiModalDecordInit'),  # MMAction2's DecordInit per video
    dict(type='SampleMultiModalFrames', **sampling),
    dict(type='MultiModalDecordDecode'),
    dict(type='MultiModalResize', scale=(-1, 256)),  # short edge 256
    dict(type='MultiModalRandomResizedCrop'),
    dict(type='MultiModalResize', scale=(224, 224)),
    dict(type='MultiModalFlip', flip_ratio=0.5),
    dict(type='MultiModalFormatShape'),
    audio_load,
    spectrogram,
    dict(type='AudioSpectrogramAugment', noise_amplitude=0.05, mask_rows=9),
    pack,
]
val_pipeline = [
    dict(type='MultiModalDecordInit'),
    dict(type='SampleMultiModalFrames', test_mode=True, **sampling),
    dict(type='MultiModalDecordDecode'),
    dict(type='MultiModalResize', scale=(-1, 256)),
    dict(type='MultiModalCenterCrop', crop_size=224),
    dict(type='MultiModalFormatShape'),
    audio_load,
    spectrogram,
    pack,
]
# MMAction2's inference_recognizer(model, 'clip.mp4') runs test_pipeline on a bare
# video path: VideoFileSample makes it a sample of these modalities (the audio from
# the video's own track; flow only from flow_files, e.g.
# '{dirname}/../flow/{stem}_flow_{direction}.mp4' for a video of a HAC tree).
# Dataset samples pass it unchanged. A leaf of a subset sets its modalities here.
video_file = dict(type='VideoFileSample', modalities=modalities, flow_files=None)
test_pipeline = [video_file] + val_pipeline

common = dict(
    type=dataset_type,
    ann_root=ann_root,
    data_root=data_root,
    modalities=modalities,
    num_classes=num_classes,
    assume_fps=assume_fps,
    metainfo=metainfo)
train_dataloader = dict(
    batch_size=16,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='BalancedDomainSampler', batch_size=16, shuffle=True),
    dataset=dict(
        **common,
        domains=source_domains,
        split='train',
        pipeline=train_pipeline,
        skip_unreadable=False))
# Validation: the sources' test lists select the checkpoint; the target is
# evaluated on its train + test lists (the prior protocol), logged only.
val_source = dict(**common, domains=source_domains, split='test',
                  pipeline=val_pipeline, test_mode=True)
val_target = dict(**common, domains=target_domains, split=['train', 'test'],
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
    dataset=dict(**common, domains=target_domains, split=['train', 'test'],
                 pipeline=test_pipeline, test_mode=True))
val_evaluator = dict(
    type='DomainAccMetric',
    source_domains=source_domains,
    target_domains=target_domains)
test_evaluator = val_evaluator
