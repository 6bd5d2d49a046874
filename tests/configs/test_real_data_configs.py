"""The real-data configs on real-format trees: the multi-source entry point as it ships and a
single-source shift of it (tools/train.py --shift) train on a written EPIC-Kitchens tree
(SimMMDG's layout, MM-SADA pickles), shrunk to tiny clips and encoders. The real annotation
files themselves: tests/apis/test_composition.py::test_single_source_real_annotations."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmaction_merdg.apis import iter_loader_datasets
from mmaction_merdg.apis.cli_options import build_runner
from mmaction_merdg.datasets.writers import write_synthetic_epic_tree

from ..conftest import REPO, load_tool
from ..datasets.test_written_trees_end_to_end import _shrink_pipeline

ENTRY = osp.join(REPO, 'configs', 'merdg_epic_d1d2_d3.py')
TINY_MODEL = osp.join(REPO, 'configs', '_base_', 'models', 'tiny-slowfast_slowonly_resnetaudio.py')
NUM_CLASSES = 4


@pytest.fixture(scope='module')
def epic_tree(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('epic'))
    return write_synthetic_epic_tree(root, samples_per_domain=4, num_classes=NUM_CLASSES)


def shrink(cfg, roots, work_dir):
    """Tiny clips, frames and encoders; 2 iterations; data from ``roots``."""
    tiny = Config.fromfile(TINY_MODEL).model
    kept = list(cfg.model.backbones)
    cfg.model.backbones = {m: tiny.backbones[m] for m in kept}
    cfg.model.backbones['audios'] = dict(type='AudioResNet18', base_channels=4) \
        if 'audios' in kept else None
    cfg.model.backbones = {m: b for m, b in cfg.model.backbones.items() if b}
    cfg.model.feat_dims = {m: dict(imgs=288, flow_imgs=64, audios=32)[m] for m in kept}
    cfg.model.cls_head.update(num_classes=NUM_CLASSES, hidden_channels=16)
    cfg.model.regularizers.mer.projector.hidden_channels = 16
    classes = tuple(f'class{k}' for k in range(NUM_CLASSES))
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].update(batch_size=4, num_workers=0, persistent_workers=False)
    cfg.train_dataloader.sampler.batch_size = 4
    for ds in iter_loader_datasets(cfg):
        ds.update(data_root=roots['data_root'], ann_root=roots['ann_root'],
                  num_classes=NUM_CLASSES, metainfo=dict(classes=classes))
        _shrink_pipeline(ds['pipeline'])  # the written trees' segments: 8 RGB / 4 flow frames
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=2, val_interval=2)
    # Nothing here reads checkpoints: selection on the source split is the runtime's
    # business (tests/engine); this test trains, validates and scores the shift.
    cfg.default_hooks.checkpoint = None
    cfg.default_hooks.logger.interval = 1
    cfg.param_scheduler = []
    cfg.work_dir = work_dir
    return cfg


def test_entry_point_holds_the_multi_source_shift_unchanged(epic_tree):
    cfg = Config.fromfile(ENTRY)
    train, (val_src, val_tgt) = cfg.train_dataloader.dataset, cfg.val_dataloader.dataset.datasets
    assert (train.domains, val_src.domains, val_tgt.domains, cfg.test_dataloader.dataset.domains) \
        == (['D1', 'D2'], ['D1', 'D2'], ['D3'], ['D3'])
    assert (cfg.val_evaluator.source_domains, cfg.val_evaluator.target_domains) == (
        ['D1', 'D2'], ['D3'])
    assert train.pipeline == cfg.train_pipeline and train.split == 'train'


def test_single_source_shift_trains_on_a_real_format_tree(tmp_path, epic_tree):
    train = load_tool('train.py')
    work = str(tmp_path / 'work')
    args = train.parse_args([ENTRY, '--shift', 'D1:D2,D3', '--modalities', 'rgb,audio',
                             '--seed', '0', '--work-dir', work])
    # format_python_code=False: the runner writes the config into the work dir and each
    # checkpoint; yapf-formatting it takes seconds each time, and nothing here reads it
    # (mmengine 0.10.7's Config.fromfile ignores its own format_python_code argument).
    cfg = Config(Config.fromfile(ENTRY).to_dict(), filename=ENTRY, format_python_code=False)
    cfg = shrink(train.merge_args(cfg, args), epic_tree, work)
    assert cfg.train_dataloader.dataset.domains == ['D1']
    assert cfg.val_evaluator.target_domains == ['D2', 'D3']
    runner = build_runner(cfg)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny tensors: more threads only contend on a busy machine
    try:
        runner.train()
    finally:
        torch.set_num_threads(threads)
    assert runner.iter == 2
    logged = runner.message_hub.log_scalars
    assert {'train/loss_cls', 'train/loss_mer'} <= set(logged)
    # Source validation on D1 alone; the targets are scored per domain.
    metrics = runner.message_hub.get_info('metrics') or {}
    scalars = set(logged) | set(metrics)
    assert any(k.startswith('val/source') for k in scalars), sorted(scalars)
