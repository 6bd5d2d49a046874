"""The faster EPIC train pipeline feeds the model the same tensors as before.

The reference re-creates the previous code path (``np.stack`` of the flow
directions at decode; ``np.stack`` and a transposing copy in
``MultiModalFormatShape``) and both runs share the numpy random state; the
batches after the data preprocessor must be equal element for element.
"""
import copy
import os.path as osp

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope

from mmaction.registry import DATASETS, MODELS
from mmaction_merdg.datasets.transforms import loading, multimodal
from mmaction_merdg.datasets.writers import write_synthetic_epic_tree

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _old_stack(frames, num_clips):
    frames = np.stack(frames)
    if frames.ndim == 3:
        frames = frames[..., None]
    frames = frames.reshape((num_clips, -1) + frames.shape[1:])
    return np.ascontiguousarray(frames.transpose(0, 4, 1, 2, 3))


def _old_read_flow(paths):
    x = loading._read_image(paths[0], loading.cv2.IMREAD_GRAYSCALE)
    y = loading._read_image(paths[1], loading.cv2.IMREAD_GRAYSCALE)
    return np.stack([x, y], axis=-1)


def _batches(ds, preprocessor, n):
    out = []
    np.random.seed(7)
    for i in range(n):
        data = preprocessor(pseudo_collate([ds[i]]), training=True)
        out.append({m: v.clone() for m, v in data['inputs'].items()})
    return out


def test_same_tensors_after_the_data_preprocessor(tmp_path, monkeypatch):
    init_default_scope('mmaction')
    roots = write_synthetic_epic_tree(str(tmp_path), samples_per_domain=2, domains=('D1', ),
                                      rgb_shape=(16, 0, 0), frame_size=(80, 48))
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'merdg_epic_d1d2_d3.py'))
    ds_cfg = copy.deepcopy(cfg.train_dataloader.dataset)
    ds_cfg.update(data_root=roots['data_root'], ann_root=roots['ann_root'],
                  domains=['D1'], split='train')
    ds = DATASETS.build(ds_cfg)
    preprocessor = MODELS.build(cfg.model.data_preprocessor)
    new = _batches(ds, preprocessor, len(ds))
    monkeypatch.setattr(multimodal, '_stack_channels_first', _old_stack)
    monkeypatch.setattr(loading.MultiModalRawFrameDecode, '_read_flow',
                        staticmethod(_old_read_flow))
    old = _batches(ds, preprocessor, len(ds))
    assert len(new) == len(old) == 2
    for a, b in zip(new, old):
        assert set(a) == {'imgs', 'flow_imgs', 'audios'}
        for m in a:
            assert a[m].shape == b[m].shape and a[m].dtype == torch.float32
            assert torch.equal(a[m], b[m]), m
