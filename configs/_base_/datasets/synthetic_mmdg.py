# The embedded synthetic benchmark: two source domains -> one target domain.
# Generative model and knob values: docs/synthetic_benchmark.md.
# Change a knob for every split at once with
#   tools/train.py CONFIG --dataset-options cooccurrence=0.5
# `modalities` is the one statement of the modality subset: the datasets
# render, and PackMultiModalInputs packs, exactly these (a leaf changes it in
# every dataset, and the model's backbones to match).
modalities = ('imgs', 'flow_imgs', 'audios')
source_domains = ['source0', 'source1']
target_domains = ['target']
world = dict(
    type='SyntheticMMDGDataset',
    source_domains=source_domains,
    domain_names=source_domains + target_domains,
    modalities=modalities,
    num_classes=4,
    cooccurrence=1.0,  # P(a source sample follows its domain's token rule)
    reliability=0.6,  # P(a modality shows the true class's template)
    class_signal=1.0,
    domain_shift=1.0,
    nuisance_strength=1.0,
    noise=0.5,
    rgb_shape=(16, 32, 32),  # (T, H, W); flow has T/2 frames
    audio_shape=(64, 64),  # (F, T) log-spectrogram bins
    seed=0)  # world seed: templates, styles, tokens, rules
# Packs the sample's `modalities` (the dataset's subset) and its domain.
pack = dict(type='PackMultiModalInputs', algorithm_keys=('domain', ))
# What mmaction.apis.inference_recognizer reads (samples are rendered, not loaded).
test_pipeline = [pack]

train_dataloader = dict(
    batch_size=16,
    num_workers=0,  # rendering costs <1 ms/sample; workers would only add overhead
    # Every batch: 8 samples of each source domain.
    sampler=dict(type='BalancedDomainSampler', batch_size=16, shuffle=True),
    dataset=dict(**world, domains=source_domains, split='train',
                 samples_per_domain=384, pipeline=[pack]))
# Validation: the sources' held-out split drives model selection; the target
# split is evaluated too, but only logged (selected/ and oracle/ metrics).
val_source = dict(**world, domains=source_domains, split='val',
                  samples_per_domain=128, pipeline=[pack], test_mode=True)
val_target = dict(**world, domains=target_domains, split='test',
                  samples_per_domain=256, pipeline=[pack], test_mode=True)
val_dataloader = dict(
    batch_size=32,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='ConcatDataset', datasets=[val_source, val_target]))
test_dataloader = dict(
    batch_size=32,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**world, domains=target_domains, split='test',
                 samples_per_domain=256, pipeline=[pack], test_mode=True))
val_evaluator = dict(type='DomainAccMetric', source_domains=source_domains,
                     target_domains=target_domains)
test_evaluator = val_evaluator
