"""format_config_text_once: a run's config text is formatted once, then reused."""
import copy
import os.path as osp

from mmengine.config import Config

from mmaction_merdg.compat.config_text import TextOnceConfig, format_config_text_once

from ..conftest import REPO


def test_text_is_formatted_once_and_survives_the_runners_deepcopy(monkeypatch):
    import mmengine.config.config as mm_config
    calls = []
    real = mm_config.FormatCode
    monkeypatch.setattr(mm_config, 'FormatCode',
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'fusion_synthetic_vector.py'))
    plain = cfg.pretty_text
    assert len(calls) == 1  # mmengine formats at every call...
    assert format_config_text_once(cfg) is cfg and type(cfg) is TextOnceConfig
    copied = copy.deepcopy(cfg)  # what Runner does with its cfg
    assert type(copied) is TextOnceConfig
    texts = [copied.pretty_text for _ in range(3)]
    assert len(calls) == 2  # ...once here, for three uses
    assert texts == [plain] * 3
