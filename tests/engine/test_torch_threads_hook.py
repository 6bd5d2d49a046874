"""TorchThreadsHook sets torch's threads for the run and restores them."""
import pytest
import torch

from mmaction.registry import HOOKS


def test_sets_and_restores():
    previous = torch.get_num_threads()  # tests/conftest.py runs on one thread
    torch.set_num_threads(2)
    try:
        hook = HOOKS.build(dict(type='TorchThreadsHook', num_threads=1))
        hook.before_run(None)
        assert torch.get_num_threads() == 1
        hook.after_run(None)
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(previous)


def test_bad_value():
    with pytest.raises(ValueError, match='num_threads'):
        HOOKS.build(dict(type='TorchThreadsHook', num_threads=0))
