"""One contract over the registry x the dataset families (as timm's test_models.py and
DomainBed's test over ALGORITHMS): each method composes on each family, with and without
MER-DG, holding exactly what its MethodSpec declares; every method + MER-DG builds and takes a
loss step on the vector-level family, at the canonical shift and on a single source with two
modalities; the clip-level and paper-size models build once each."""
import math
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate

from mmaction.registry import DATASETS, MODELS
from mmaction_merdg.apis import compose_experiment, iter_dataset_cfgs
from mmaction_merdg.methods import FAMILIES, MERDG, METHODS

from ..conftest import REPO

LEGACY_MODEL_KEYS = ('projector', 'mer_loss')


def _fragment(spec):
    return Config.fromfile(osp.join(REPO, 'configs', '_base_', 'methods', f'{spec.fragment}.py'))


def _get(cfg, path):
    node = cfg
    for part in path.split('.'):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


@pytest.mark.parametrize('family', list(FAMILIES))
@pytest.mark.parametrize('method', list(METHODS))
def test_method_composes_as_declared(method, family):
    spec, fam = METHODS[method], FAMILIES[family]
    frag = _fragment(spec) if spec.fragment else None
    sources = list(fam.canonical_shift[0])
    base_hooks = [h['type'] for h in compose_experiment(family).custom_hooks]
    for mer in (False, True):
        cfg = compose_experiment(family, method, mer)
        assert not any(k in cfg.model for k in LEGACY_MODEL_KEYS)
        regs = {k: r for k, r in (cfg.model.get('regularizers') or {}).items() if r}
        assert set(regs) == ({spec.regularizer_key} - {None}) | ({'mer'} if mer else set())
        if spec.regularizer_key:
            assert regs[spec.regularizer_key]['type'] == frag[spec.regularizer_var]['type']
            assert ('domains' in regs[spec.regularizer_key]) == spec.needs_domains
            if spec.needs_domains:
                assert regs[spec.regularizer_key]['domains'] == sources
        if spec.model_var:
            for key, value in frag[spec.model_var].items():
                if f'model.{key}' not in spec.defaults_for(family) and not isinstance(value, dict):
                    assert cfg.model[key] == value, key
        hooks = [h['type'] for h in cfg.custom_hooks]
        own = [h['type'] for h in frag[spec.hooks_var]] if spec.hooks_var else []
        assert hooks == base_hooks + own
        train = list(iter_dataset_cfgs(cfg.train_dataloader.dataset))
        for ds in train:
            if fam.views == 'dataset':
                assert ds.get('num_views', 1) == spec.train_views
            else:
                views = ds.pipeline[0]
                assert (views.type == 'MultiModalViews') == (spec.train_views > 1)
                if spec.train_views > 1:
                    assert views.num_views == spec.train_views
        for path, default in spec.defaults_for(family).items():
            assert _get(cfg, path) == default.value, path
        if mer:
            assert regs['mer']['type'] == 'MERRegularizer'
            for path, default in MERDG.defaults_for(family).items():
                assert _get(cfg, path) == default.value, path


_BATCHES = {}


def _tiny_batch(cfg, n=4):
    """``n`` training samples of each source domain, collated (one build per dataset config)."""
    ds_cfg = cfg.train_dataloader.dataset
    key = repr(sorted(ds_cfg.items()))
    if key not in _BATCHES:
        _BATCHES[key] = _build_batch(ds_cfg, n)
    return _BATCHES[key]


def _build_batch(ds_cfg, n):
    ds = DATASETS.build(dict(ds_cfg, samples_per_domain=n))
    per_domain = len(ds) // len(ds_cfg.domains)
    idx = [d * per_domain + i for d in range(len(ds_cfg.domains)) for i in range(n)]
    return pseudo_collate([ds[i] for i in idx])


_SUBSETS = ('rgb,audio', 'flow,audio', 'rgb,flow')


@pytest.mark.parametrize('single_source', [False, True], ids=['canonical', 'single-source-subset'])
@pytest.mark.parametrize('method', list(METHODS))
def test_method_builds_and_takes_a_loss_step_on_vectors(method, single_source):
    spec = METHODS[method]
    # The teacher is attached by its hook in a Runner (tested with the hook); one
    # step here trains the student's terms.
    options = ({f'model.regularizers.{spec.regularizer_key}.require_teacher': False}
               if spec.needs_teacher else None)
    shift = dict(sources=['source0'], targets=['source1', 'target'],
                 modalities=_SUBSETS[list(METHODS).index(method) % 3]) if single_source else {}
    cfg = compose_experiment('synthetic_vector', method, mer=True, cfg_options=options, **shift)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    batch = _tiny_batch(cfg)
    losses = model(**model.data_preprocessor(batch, True), mode='loss')
    total = sum(v for k, v in losses.items() if 'loss' in k)
    assert {'loss_cls', 'loss_mer'} <= set(losses)
    assert math.isfinite(float(total.detach()))
    total.backward()
    assert any(p.grad is not None for p in model.parameters())


@pytest.mark.parametrize('family,method', [('synthetic', 'nel'), ('epic_kitchens', 'fusion')])
def test_clip_and_paper_models_build(family, method):
    # One build per model base: the tiny clip model (NEL's two views) and the paper's
    # SlowFast-R101 / SlowOnly-R50 / ResNet-18 (no weights are read: no init_weights).
    cfg = compose_experiment(family, method, mer=True, modalities='rgb,audio')
    model = MODELS.build(cfg.model)
    assert model.modalities == ['imgs', 'audios']
    assert set(model.regularizers) >= {'mer'}
