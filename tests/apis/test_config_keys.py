"""check_cfg_option_keys: a misspelled top-level --cfg-options key is an error."""
import os.path as osp

import pytest
from mmengine.config import Config

from mmaction_merdg.apis.config_keys import check_cfg_option_keys

from ..conftest import REPO, load_tool

VECTOR = osp.join(REPO, 'configs', 'fusion_synthetic_vector.py')


def test_a_typo_names_the_closest_key():
    cfg = Config.fromfile(VECTOR)
    with pytest.raises(KeyError, match=r"trian_cfg.max_epochs: 'trian_cfg' is "
                       r"not a top-level key.*Did you mean 'train_cfg'\?"):
        check_cfg_option_keys(cfg, ['trian_cfg.max_epochs'])
    # Keys of the config, nested keys, and keys the Runner reads are fine.
    check_cfg_option_keys(cfg, ['train_cfg.max_epochs', 'model.cls_head.x',
                                'load_from', 'find_unused_parameters'])


def test_train_py_refuses_it_before_building_anything(tmp_path):
    """Before: ignored, full run."""
    train = load_tool('train.py')
    with pytest.raises(KeyError, match="Did you mean 'train_cfg'"):
        train.main([VECTOR, '--work-dir', str(tmp_path), '--cfg-options',
                    'trian_cfg.max_epochs=1'])
    assert not osp.exists(tmp_path / 'run.lock')
