"""The real EPIC-Kitchens and HAC pipelines, end to end, on written trees.

The synthetic benchmark is written to disk in each dataset's layout; the real
dataset configs (shrunk: tiny frames, clips, model) then train 2 iterations,
validate, and test the selected checkpoint through ``run_experiment``.
"""
import os.path as osp

import pytest
from mmengine import Config

from mmaction_merdg.apis import iter_dataset_cfgs, run_experiment
from mmaction_merdg.datasets.writers import (write_synthetic_epic_tree,
                                             write_synthetic_hac_tree)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
NUM_CLASSES = 4


def _shrink_pipeline(pipeline):
    for t in pipeline:
        if t['type'] == 'SampleMultiModalFrames':
            # Segments hold 8 RGB / 4 flow frames.
            t.update(clip_len=dict(imgs=8, flow_imgs=4),
                     frame_interval=dict(imgs=1, flow_imgs=1))
        elif t['type'] == 'MultiModalResize':
            t['scale'] = (-1, 36) if -1 in t['scale'] else (32, 32)
        elif t['type'] == 'MultiModalCenterCrop':
            t['crop_size'] = 32
        elif t['type'] == 'LoadAudioWindow':
            t['clip_seconds'] = 1.0  # 257 x 97 spectrograms


def tiny_config(dataset_base: str, roots: dict) -> Config:
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', '_base_', 'models',
                 'tiny-slowfast_slowonly_resnetaudio.py'))
    mer = Config.fromfile(
        osp.join(REPO, 'configs', '_base_', 'methods', 'merdg.py')).mer_regularizer
    mer.projector.hidden_channels = 128  # CPU-sized head
    cfg.model.regularizers = dict(mer=mer)
    cfg.merge_from_dict(
        Config.fromfile(
            osp.join(REPO, 'configs', '_base_', 'default_runtime.py')).to_dict())
    cfg.merge_from_dict(
        Config.fromfile(
            osp.join(REPO, 'configs', '_base_', 'datasets',
                     dataset_base)).to_dict())
    classes = tuple(f'class{k}' for k in range(NUM_CLASSES))
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].update(batch_size=4, num_workers=0,
                           persistent_workers=False)
        for ds in iter_dataset_cfgs(cfg[loader]['dataset']):
            ds.update(data_root=roots['data_root'], ann_root=roots['ann_root'],
                      num_classes=NUM_CLASSES, metainfo=dict(classes=classes))
            _shrink_pipeline(ds['pipeline'])
    cfg.train_dataloader.sampler.batch_size = 4
    cfg.model.cls_head.num_classes = NUM_CLASSES
    cfg.model.backbones.audios = dict(type='AudioResNet18', base_channels=4)
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=2,
                         val_interval=2)
    cfg.val_cfg = dict(type='ValLoop')
    cfg.test_cfg = dict(type='TestLoop')
    cfg.default_hooks.checkpoint.update(interval=2, by_epoch=False)
    cfg.default_hooks.logger.interval = 1
    cfg.optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))
    cfg.param_scheduler = []
    return cfg


@pytest.mark.parametrize('writer,dataset_base,sources,target', [
    (write_synthetic_epic_tree, 'epic_kitchens_mm.py', ['D1', 'D2'], 'D3'),
    (write_synthetic_hac_tree, 'hac_mm.py', ['human', 'animal'], 'cartoon'),
])
def test_train_two_iterations_and_test(tmp_path, writer, dataset_base,
                                       sources, target):
    roots = writer(str(tmp_path / 'data'), samples_per_domain=4,
                   num_classes=NUM_CLASSES)
    cfg = tiny_config(dataset_base, roots)
    assert cfg.val_evaluator.source_domains == sources
    assert cfg.test_dataloader.dataset.domains == [target]
    result = run_experiment(cfg, str(tmp_path / 'work'), seed=0, quiet=True)
    assert osp.isfile(result['best_checkpoint'])
    # Accuracies are fractions (DomainAccMetric reports top1 in [0, 1]).
    assert 0.0 <= result['target_acc'] <= 1.0
    assert 0.0 <= result['source_val_acc'] <= 1.0
