"""Every config of the repository loads with Config.fromfile and builds its model."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from mmaction.registry import MODELS

from ..conftest import REPO

CONFIGS = sorted(
    p for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
    if '_base_' not in p.split(osp.sep))


def test_configs_found():
    names = [osp.relpath(p, REPO) for p in CONFIGS]
    for entry in ('configs/merdg_epic_d1d2_d3.py', 'configs/merdg_synthetic.py',
                  'configs/fusion_synthetic.py'):
        assert entry in names


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: osp.relpath(p, osp.join(REPO, 'configs')))
def test_config_loads_and_builds(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmaction'
    assert 'mmaction_merdg' in cfg.custom_imports['imports']
    assert cfg.default_hooks.checkpoint.save_best == 'source/top1'
    model = MODELS.build(cfg.model)  # no init_weights: no checkpoint is read
    assert set(model.modalities) == set(cfg.model.backbones)
    collect = cfg.train_dataloader.dataset.pipeline[-1]['collect_keys']
    assert set(collect) == set(model.modalities)


def test_epic_entry_point_is_the_paper_recipe():
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'merdg_epic_d1d2_d3.py'))
    assert cfg.model.mer_loss.loss_weight == 3.0
    assert cfg.model.projector.out_channels == 128
    assert cfg.model.backbones.imgs.slow_pathway.depth == 101
    assert cfg.model.backbones.flow_imgs.in_channels == 2
    assert cfg.optim_wrapper.optimizer == dict(type='Adam', lr=1e-4, weight_decay=1e-4)
    assert cfg.train_dataloader.batch_size == 16
    assert cfg.train_dataloader.sampler.type == 'BalancedDomainSampler'
    assert cfg.train_dataloader.dataset.type == 'EpicKitchensMMDataset'
    assert list(cfg.train_dataloader.dataset.domains) == ['D1', 'D2']
    assert list(cfg.test_dataloader.dataset.domains) == ['D3']
