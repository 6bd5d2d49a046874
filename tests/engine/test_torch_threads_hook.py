"""TorchThreadsHook sets torch's threads for the run and restores them."""
import pytest
import torch

from mmaction.registry import HOOKS


def test_sets_and_restores():
    before = torch.get_num_threads()
    hook = HOOKS.build(dict(type='TorchThreadsHook', num_threads=1))
    hook.before_run(None)
    assert torch.get_num_threads() == 1
    hook.after_run(None)
    assert torch.get_num_threads() == before


def test_bad_value():
    with pytest.raises(ValueError, match='num_threads'):
        HOOKS.build(dict(type='TorchThreadsHook', num_threads=0))
