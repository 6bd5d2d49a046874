"""CPU DDP set-up (gloo) around mmengine's CUDA-only pytorch launcher.

The CPU path is what is tested, so CUDA is hidden where a test needs it: on a
machine with a GPU ``setup_cpu_distributed`` leaves mmengine's launcher alone.
"""
import pytest
import torch
from mmengine.config import Config

from mmaction_merdg.compat import setup_cpu_distributed


def test_noop_without_launcher():
    cfg = Config(dict(model=dict()))
    assert setup_cpu_distributed(cfg, 'none') is False
    assert 'model_wrapper_cfg' not in cfg


@pytest.fixture
def no_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)


def test_clear_error_without_torchrun_env(monkeypatch, no_cuda):
    for k in ('RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'MASTER_ADDR', 'MASTER_PORT'):
        monkeypatch.delenv(k, raising=False)
    with pytest.raises(RuntimeError, match='torchrun'):
        setup_cpu_distributed(Config(dict()), 'pytorch')


def test_unsupported_launcher(no_cuda):
    with pytest.raises(ValueError, match='pytorch'):
        setup_cpu_distributed(Config(dict()), 'slurm')


def test_noop_on_a_cuda_machine(monkeypatch):
    """With CUDA, mmengine's own pytorch launcher (NCCL) is used unchanged."""
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    cfg = Config(dict(model=dict()))
    assert setup_cpu_distributed(cfg, 'pytorch') is False
    assert 'model_wrapper_cfg' not in cfg and 'env_cfg' not in cfg
