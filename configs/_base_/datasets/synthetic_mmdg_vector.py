# The vector-level synthetic benchmark: the world and rules of
# configs/_base_/datasets/synthetic_mmdg.py, each modality a feature vector
# (SyntheticMMDGVectorDataset). Same splits, sizes and knobs; for statistics
# over many seeds on a CPU. Docs: docs/synthetic_benchmark.md.
modalities = ('imgs', 'flow_imgs', 'audios')
source_domains = ['source0', 'source1']
target_domains = ['target']
world = dict(
    type='SyntheticMMDGVectorDataset',
    source_domains=source_domains,
    domain_names=source_domains + target_domains,
    modalities=modalities,
    vector_dims=dict(imgs=32, flow_imgs=32, audios=32),  # coordinates per modality
    num_classes=4,
    cooccurrence=1.0,  # P(a sample follows its domain's token rule)
    cooccurrence_form='split',  # each modality carries part of a class code
    target_rule='own',  # the target follows its own, different rule
    reliability=0.6,  # P(a modality shows the true class's template)
    class_signal=1.0,
    domain_shift=1.0,
    nuisance_strength=0.3,  # token amplitude (calibrated on Fusion: docs/synthetic_benchmark.md)
    token_extent=1.0,  # fraction of the coordinates carrying the token
    noise=0.5,
    seed=0)  # world seed: templates, styles, tokens, rules
# Packs the sample's `modalities` (the dataset's subset) and its domain.
pack = dict(type='PackMultiModalInputs', algorithm_keys=('domain', ))
# What mmaction.apis.inference_recognizer reads (samples are rendered, not loaded).
test_pipeline = [pack]

train_dataloader = dict(
    batch_size=16,
    num_workers=0,
    sampler=dict(type='BalancedDomainSampler', batch_size=16, shuffle=True),
    dataset=dict(**world, domains=source_domains, split='train',
                 samples_per_domain=384, pipeline=[pack]))
val_dataloader = dict(
    batch_size=256,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='ConcatDataset',
        datasets=[
            dict(**world, domains=source_domains, split='val',
                 samples_per_domain=128, pipeline=[pack], test_mode=True),
            dict(**world, domains=target_domains, split='test',
                 samples_per_domain=256, pipeline=[pack], test_mode=True),
        ]))
test_dataloader = dict(
    batch_size=256,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**world, domains=target_domains, split='test',
                 samples_per_domain=256, pipeline=[pack], test_mode=True))
val_evaluator = dict(type='DomainAccMetric', source_domains=source_domains,
                     target_domains=target_domains)
test_evaluator = val_evaluator
