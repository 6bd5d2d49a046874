"""PreflightCheckHook and the loader/sampler batch size: refused before step 1."""
import os.path as osp
from types import SimpleNamespace

import pytest
from mmengine.config import Config
from torch.utils.data import DataLoader

from mmaction.registry import DATASETS, MODELS
from mmaction_merdg.datasets.balanced_domain_sampler import (
    BalancedDomainSampler, sync_sampler_batch_size)
from mmaction_merdg.engine.hooks.preflight_check_hook import PreflightCheckHook

from .fault_injection import REPO, train_tiny, write_tiny_vector_config

VECTOR = osp.join(REPO, 'configs', 'fusion_synthetic_vector.py')


def _dataset(domains=('source0', 'source1'), samples=8):
    cfg = Config.fromfile(VECTOR)
    return DATASETS.build(dict(cfg.train_dataloader.dataset,
                               domains=list(domains),
                               samples_per_domain=samples))


def _runner(model, dataset, loader_batch=8, sampler_batch=8):
    sampler = BalancedDomainSampler(dataset, batch_size=sampler_batch, seed=0)
    loader = DataLoader(dataset, batch_size=loader_batch, sampler=sampler,
                        collate_fn=list)
    return SimpleNamespace(train_dataloader=loader, model=model)


def _model(path=VECTOR, **cls_head):
    cfg = Config.fromfile(path)
    cfg.model.cls_head.update(cls_head)
    return MODELS.build(cfg.model)


def test_loader_and_sampler_batch_sizes_must_agree(tmp_path):
    """Before: loader 8, sampler 16 gave 3:5, 6:2 per-domain batches, no word."""
    cfg = write_tiny_vector_config(tmp_path, epochs=1)
    with pytest.raises(ValueError, match=r'train_dataloader.batch_size=8 '
                       r'differs from train_dataloader.sampler.batch_size=16'):
        train_tiny(cfg, tmp_path / 'run', '--cfg-options',
                   'train_dataloader.sampler.batch_size=16')
    # Left out, the sampler's is the loader's.
    loader = dict(train_dataloader=dict(batch_size=12, sampler=dict(
        type='BalancedDomainSampler')))
    sync_sampler_batch_size(loader)
    assert loader['train_dataloader']['sampler']['batch_size'] == 12
    # A runner built from Python: the hook refuses it.
    dataset = _dataset()
    with pytest.raises(ValueError, match=r'batch_size=8 differs from '
                       r'.*sampler.batch_size=16'):
        PreflightCheckHook().before_train(
            _runner(_model(), dataset, 8, 16))
    PreflightCheckHook().before_train(_runner(_model(), dataset, 8, 8))


@pytest.mark.parametrize('head_classes', [3, 8])
def test_heads_and_data_must_have_the_same_classes(head_classes):
    """Before: 3 vs 4 failed in the loss, 8 vs 4 trained and reported."""
    runner = _runner(_model(num_classes=head_classes), _dataset())
    with pytest.raises(ValueError, match=rf'has 4 classes, but '
                       rf'cls_head.num_classes={head_classes}'):
        PreflightCheckHook().before_train(runner)


def test_a_domain_aware_method_needs_its_domains_in_the_data():
    """Before: GMP with domains=[source0, source1] on source0 only trained."""
    gmp = _model(osp.join(REPO, 'configs', 'gmp_synthetic_vector.py'))
    PreflightCheckHook().before_train(_runner(gmp, _dataset()))
    only0 = _dataset(domains=('source0', ), samples=16)
    with pytest.raises(ValueError, match=r"(?s)regularizers.gmp "
                       r"\(GMPRegularizer\) is configured with the domains "
                       r"\['source0', 'source1'\], but the training data holds "
                       r"only \['source0'\]"):
        PreflightCheckHook().before_train(_runner(gmp, only0))
