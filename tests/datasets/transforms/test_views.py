"""MultiModalViews: V independent runs of the train pipeline, stacked per modality."""
import copy
import glob
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config

from mmaction.registry import DATASETS, TRANSFORMS
from mmaction_merdg.datasets.writers import write_synthetic_epic_tree

from ...conftest import REPO

NEL_EPIC = glob.glob(osp.join(REPO, 'configs', 'epic_kitchens',
                              'nel_*_epic-d1d2-to-d3-rgb-flow-audio.py'))


@pytest.fixture
def epic(tmp_path):
    roots = write_synthetic_epic_tree(str(tmp_path), samples_per_domain=2, domains=('D1', ),
                                      rgb_shape=(16, 0, 0), frame_size=(80, 48))
    cfg = Config.fromfile(NEL_EPIC[0])
    ds_cfg = copy.deepcopy(cfg.train_dataloader.dataset)
    ds_cfg.update(data_root=roots['data_root'], ann_root=roots['ann_root'], domains=['D1'])
    return cfg, ds_cfg


def test_each_view_is_one_run_of_the_train_pipeline(epic):
    cfg, ds_cfg = epic
    views, pack = ds_cfg.pipeline
    assert views.type == 'MultiModalViews' and pack.type == 'PackMultiModalInputs'
    assert views.transforms == cfg.train_pipeline[:-1]  # the whole train pipeline but the packer
    single = DATASETS.build(dict(ds_cfg, pipeline=cfg.train_pipeline[:-1]))
    double = DATASETS.build(dict(ds_cfg, pipeline=[views]))
    np.random.seed(3)
    one = single[0]
    np.random.seed(3)
    two = double[0]
    for m in ('imgs', 'flow_imgs', 'audios'):
        assert two[m].shape == (2, ) + one[m].shape[1:]
        np.testing.assert_array_equal(two[m][:1], one[m])  # view 1: the same draws
        assert not np.array_equal(two[m][0], two[m][1]), m  # view 2: its own clip/crop/noise
    assert two['num_clips'] == 2
    packed = DATASETS.build(ds_cfg)[1]
    assert {m: tuple(x.shape[:2]) for m, x in packed['inputs'].items()} == dict(
        imgs=(2, 3), flow_imgs=(2, 2), audios=(2, 1))


def test_errors():
    with pytest.raises(ValueError, match='num_views must be >= 1'):
        TRANSFORMS.build(dict(type='MultiModalViews', transforms=[dict(type='MultiModalFlip')],
                              num_views=0))
    with pytest.raises(ValueError, match='transforms is empty'):
        TRANSFORMS.build(dict(type='MultiModalViews', transforms=[]))
    views = TRANSFORMS.build(dict(type='MultiModalViews', transforms=[dict(type='MultiModalFlip')]))
    with pytest.raises(KeyError, match="no 'audios'"):
        views(dict(modalities=('audios', )))
    with pytest.raises(ValueError, match=r'one clip of one shape'):
        views(dict(modalities=('audios', ), audios=np.zeros((2, 1, 4, 4))))
