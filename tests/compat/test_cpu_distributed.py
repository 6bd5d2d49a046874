"""CPU DDP set-up (gloo) around mmengine's CUDA-only pytorch launcher."""
import pytest
from mmengine.config import Config

from mmaction_merdg.compat import setup_cpu_distributed


def test_noop_without_launcher():
    cfg = Config(dict(model=dict()))
    assert setup_cpu_distributed(cfg, 'none') is False
    assert 'model_wrapper_cfg' not in cfg


def test_clear_error_without_torchrun_env(monkeypatch):
    for k in ('RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'MASTER_ADDR', 'MASTER_PORT'):
        monkeypatch.delenv(k, raising=False)
    with pytest.raises(RuntimeError, match='torchrun'):
        setup_cpu_distributed(Config(dict()), 'pytorch')


def test_unsupported_launcher():
    with pytest.raises(ValueError, match='pytorch'):
        setup_cpu_distributed(Config(dict()), 'slurm')
