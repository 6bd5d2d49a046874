"""The previous synthetic benchmark's configs (the entry points until issue 9
moved them to the calibrated setting) give the same training as before the
config tree was reorganised: a fixed-seed loss on a fixed batch, measured with
the previous configs (configs/merdg/... and configs/fusion/..., commit a99d0b2)."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate

from mmaction.registry import DATASETS, MODELS

from ..conftest import REPO

# The leaves the entry points named before issue 9 (same resolved config).
LEAF = ('synthetic/{}_tiny-slowfast-slowonly-resnetaudio_scratch_1xb16-10e_synthetic-'
        'source0-source1-to-target-rgb-flow-audio.py')

# Measured on the configs before the move (same script as below).
EXPECTED = {
    'merdg_synthetic.py': {
        'loss_cls': 1.391149, 'mer/imgs/marg': 0.809114, 'mer/imgs/spec': 8.900516,
        'mer/flow_imgs/marg': 0.831543, 'mer/flow_imgs/spec': 8.901034,
        'mer/audios/marg': 0.867266, 'mer/audios/spec': 8.909975, 'loss_mer': 87.65834},
    'fusion_synthetic.py': {'loss_cls': 1.420436},
}


@pytest.mark.parametrize('name', sorted(EXPECTED))
def test_fixed_seed_loss_unchanged(name):
    cfg = Config.fromfile(osp.join(REPO, 'configs', LEAF.format(name.split('_')[0])))
    ds = DATASETS.build(cfg.train_dataloader.dataset)
    batch = pseudo_collate([ds[i] for i in (0, 1, 400, 401)])  # both source domains
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    torch.manual_seed(1)  # dropout
    losses = model(**model.data_preprocessor(batch, True), mode='loss')
    got = {k: float(v) for k, v in losses.items()}
    assert set(got) == set(EXPECTED[name])
    for k, v in EXPECTED[name].items():
        assert got[k] == pytest.approx(v, rel=1e-4, abs=1e-5), k


def test_schedule_and_data_unchanged():
    cfg = Config.fromfile(osp.join(REPO, 'configs', LEAF.format('merdg')))
    assert cfg.train_cfg.max_epochs == 10
    assert cfg.optim_wrapper.optimizer == dict(type='Adam', lr=1e-3, weight_decay=1e-4)
    assert cfg.param_scheduler == [dict(type='CosineAnnealingLR', T_max=10, by_epoch=True,
                                        eta_min=1e-5)]
    train = cfg.train_dataloader.dataset
    assert (train.samples_per_domain, train.cooccurrence, train.reliability, train.seed) == \
        (384, 1.0, 0.6, 0)
    val_src, val_tgt = cfg.val_dataloader.dataset.datasets
    assert (val_src.split, val_src.samples_per_domain, val_tgt.split,
            val_tgt.samples_per_domain) == ('val', 128, 'test', 256)
    fusion = Config.fromfile(osp.join(REPO, 'configs', LEAF.format('fusion')))
    assert fusion.model.mer_loss is None and fusion.model.projector is None
