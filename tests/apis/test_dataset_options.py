"""set_dataset_options reaches every dataset, through ConcatDataset too."""
import os.path as osp

import pytest
from mmengine.config import Config

from mmaction_merdg.apis import set_dataset_options

from ..conftest import REPO


def test_sets_train_val_and_test():
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'merdg_synthetic.py'))
    n = set_dataset_options(cfg, dict(cooccurrence=0.25), dataset_type='SyntheticMMDGDataset')
    assert n == 4  # train + (source val, target) + test
    assert cfg.train_dataloader.dataset.cooccurrence == 0.25
    assert all(d.cooccurrence == 0.25 for d in cfg.val_dataloader.dataset.datasets)
    assert cfg.test_dataloader.dataset.cooccurrence == 0.25


def test_no_match_is_an_error():
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'merdg_synthetic.py'))
    with pytest.raises(ValueError, match='no dataset config of type Nope'):
        set_dataset_options(cfg, dict(a=1), dataset_type='Nope')


def test_one_walker_reaches_leaves_through_nested_wrappers():
    from mmaction_merdg.apis import data_paths, dataset_types, iter_dataset_cfgs
    leaf_a = dict(type='A', data_root='/r', ann_root='ann')
    leaf_b = dict(type='B', ann_file='/abs/list.txt')
    nested = dict(type='RepeatDataset', times=2,
                  dataset=dict(type='ConcatDataset', datasets=[leaf_a, leaf_b]))
    assert list(iter_dataset_cfgs(nested)) == [leaf_a, leaf_b]
    assert [d['type'] for d in iter_dataset_cfgs(nested, wrappers=True)] == \
        ['RepeatDataset', 'ConcatDataset', 'A', 'B']
    assert dataset_types(nested) == ['RepeatDataset', 'ConcatDataset', 'A', 'B']
    assert data_paths(nested) == ['/r', '/r/ann', '/abs/list.txt']
    assert list(iter_dataset_cfgs(None)) == []
