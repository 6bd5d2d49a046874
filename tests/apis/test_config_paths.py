"""The config API finds the configs of a source checkout."""
import os.path as osp

import pytest
from mmengine.config import Config

from mmaction_merdg.apis import config_dir, get_config_path, list_configs
from mmaction_merdg.apis.config_paths import main

from ..conftest import REPO


def test_checkout_configs_are_found_by_path_and_by_unique_name():
    assert config_dir() == osp.join(REPO, 'configs')
    assert 'merdg_synthetic.py' in list_configs()
    by_name = get_config_path('merdg_synthetic')
    assert by_name == osp.join(REPO, 'configs', 'merdg_synthetic.py')
    nested = [c for c in list_configs() if c.startswith('synthetic/') and c.split('/')[1].startswith('merdg_')][0]
    assert get_config_path(osp.basename(nested)) == osp.join(REPO, 'configs', nested)


def test_unknown_and_ambiguous_names_raise(tmp_path, monkeypatch):
    from mmaction_merdg.apis import config_paths
    for sub in ('a', 'b'):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / 'same.py').write_text('x = 1\n')
    monkeypatch.setattr(config_paths, 'config_dir', lambda: str(tmp_path))
    with pytest.raises(FileNotFoundError, match='No shipped config'):
        config_paths.get_config_path('no_such_config.py')
    with pytest.raises(FileNotFoundError, match='ambiguous'):
        config_paths.get_config_path('same.py')
    assert config_paths.get_config_path('a/same.py') == str(tmp_path / 'a' / 'same.py')


def test_cli_copy_writes_a_resolved_config(tmp_path, capsys):
    dest = str(tmp_path / 'copy.py')
    assert main(['copy', 'merdg_synthetic.py', dest]) == 0
    cfg = Config.fromfile(dest)
    assert '_base_' not in open(dest).read()
    assert cfg.model.type == 'MultiModalRecognizer'
