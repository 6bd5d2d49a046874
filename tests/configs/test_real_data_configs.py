"""The real-data leaf configs (configs/epic_kitchens, configs/hac): shift, modality subset
and method are what their names say, consistently in every part.

Loading and building the model of every config is tested for all configs in
tests/configs/test_configs.py.
"""
import glob
import os.path as osp
import re

import pytest
from mmengine.config import Config

from mmaction.registry import DATASETS
from mmaction_merdg.modalities import MODALITY_ALIASES

from mmaction_merdg.apis import iter_loader_datasets

from ..conftest import REPO

# One config per shift x subset x method (tools/misc/generate_configs.py).
LEAVES = sorted(
    glob.glob(osp.join(REPO, 'configs', 'epic_kitchens', '*.py')) +
    glob.glob(osp.join(REPO, 'configs', 'hac', '*.py')))


# Each method alone and + MER-DG (Fusion + MER-DG is `merdg`); the regularizer
# key each zoo method adds to `model.regularizers`.
ZOO = dict(simmmdg='simmmdg', cmrf='cmrf', rnanet='rna', moosa='moosa', mbcd='mbcd', jat='jat',
           gmp='gmp', nel='nel')
METHODS = ['fusion', 'merdg'] + [m + suffix for m in ZOO for suffix in ('', '-merdg')]


def test_every_shift_subset_and_method_is_there():
    assert len(LEAVES) == 2 * 3 * 4 * len(METHODS)
    names = {osp.basename(p).split('_')[0] for p in LEAVES}
    assert names == set(METHODS)


def _expected(path):
    """What a leaf's name says: method, dataset, sources, targets, modalities."""
    name = osp.basename(path)[:-3]
    match = re.match(rf'((?:{"|".join(ZOO)})(?:-merdg)?|merdg|fusion)_.*_'
                     r'(epic|hac)-(.+)-to-(.+?)-'
                     r'((?:rgb|flow|audio)(?:-(?:rgb|flow|audio))*)$', name)
    assert match, name
    algo, dataset, src, tgt, subset = match.groups()
    if dataset == 'epic':
        sources = [d.upper() for d in re.findall(r'd\d', src)]
        targets = [d.upper() for d in re.findall(r'd\d', tgt)]
    else:
        sources, targets = src.split('-'), tgt.split('-')
    return algo, dataset, sources, targets, {MODALITY_ALIASES[m] for m in subset.split('-')}


@pytest.mark.parametrize('path', LEAVES, ids=osp.basename)
def test_leaf_matches_its_name(path):
    algo, dataset, sources, targets, modalities = _expected(path)
    cfg = Config.fromfile(path)
    assert cfg.default_hooks.checkpoint.save_best == 'source/top1'
    assert set(cfg.model.backbones) == modalities
    with_mer = algo == 'merdg' or algo.endswith('-merdg')
    if with_mer:
        assert cfg.model.mer_loss.loss_weight == 3.0
    else:
        assert cfg.model.mer_loss is None
    method = algo.split('-')[0]
    assert set(cfg.model.get('regularizers') or {}) == ({ZOO[method]} if method in ZOO else set())
    # Domain-adversarial methods classify exactly the leaf's training domains.
    assert all(r.domains == sources for r in (cfg.model.get('regularizers') or {}).values()
               if 'domains' in r)
    num_classes = 8 if dataset == 'epic' else 7
    assert cfg.model.cls_head.num_classes == num_classes
    kind = 'EpicKitchensMMDataset' if dataset == 'epic' else 'HACMMDataset'
    for ds in iter_loader_datasets(cfg):
        assert ds.type == kind
        assert set(ds.modalities) == modalities
        assert ds.pipeline[-1]['type'] == 'PackMultiModalInputs'
        assert ds.pipeline[-1]['algorithm_keys'] == ('domain', )
        assert ds.num_classes == num_classes
    train, (val_src, val_tgt) = (cfg.train_dataloader.dataset,
                                 cfg.val_dataloader.dataset.datasets)
    assert (train.domains, train.split) == (sources, 'train')
    assert (val_src.domains, val_src.split) == (sources, 'test')
    assert val_tgt.domains == cfg.test_dataloader.dataset.domains == targets
    # HAC's target is evaluated on its train and test lists (prior protocol).
    target_split = 'test' if dataset == 'epic' else ['train', 'test']
    assert val_tgt.split == cfg.test_dataloader.dataset.split == target_split
    assert val_src.test_mode and val_tgt.test_mode
    assert not train.get('test_mode', False)
    for evaluator in (cfg.val_evaluator, cfg.test_evaluator):
        assert evaluator.type == 'DomainAccMetric'
        assert (evaluator.source_domains, evaluator.target_domains) == (
            sources, targets)
    assert cfg.train_dataloader.sampler.type == 'BalancedDomainSampler'
    assert cfg.train_dataloader.sampler.batch_size == \
        cfg.train_dataloader.batch_size
    # Sampling of the test pipeline is deterministic, of the train one not.
    samplers = [t for t in val_src.pipeline
                if t['type'] == 'SampleMultiModalFrames']
    assert samplers and samplers[0]['test_mode'] is True
    # NEL trains on two views of each sample, each a sample of its own; the
    # others on one clip, the train pipeline as the dataset base has it.
    two_views = method == 'nel'
    assert bool((cfg.model.get('train_cfg') or {}).get('views_as_samples')) == two_views
    if two_views:
        views, pack = train.pipeline
        assert (views.type, views.num_views, views.transforms, pack) == (
            'MultiModalViews', 2, cfg.train_pipeline[:-1], cfg.pack)
    else:
        assert train.pipeline == cfg.train_pipeline


@pytest.mark.parametrize('name,ann,lengths', [
    ('epic_kitchens/fusion_slowfast-r101-slowonly-r50-audio-r18_k400-vggsound_1xb16-'
     '20e_epic-d2d3-to-d1-rgb-audio.py', 'mm_sada_epic',
     (2495 + 3897, 750 + 974, 435, 435)),
    ('hac/merdg_slowfast-r101-slowonly-r50-audio-r18_k400-vggsound_1xb16-'
     '20e_hac-animal-cartoon-to-human-flow-audio.py', 'simmmdg_hac',
     (730 + 870, 176 + 218, 1111 + 276, 1111 + 276)),
])
def test_leaf_datasets_build_on_real_annotations(real_fixtures, name, ann,
                                                 lengths):
    cfg = Config.fromfile(osp.join(REPO, 'configs', name))
    built = []
    for ds in iter_loader_datasets(cfg):
        ds = dict(ds, ann_root=osp.join(real_fixtures, ann))
        built.append(DATASETS.build(ds))
    assert tuple(len(ds) for ds in built) == lengths
    domains = set(built[0].get_domain_labels())
    assert domains == set(cfg.val_evaluator.source_domains)
