"""ExactResumeHook: the RNG state round-trips through a weights_only checkpoint."""
import random
from types import SimpleNamespace

import numpy as np
import torch

from mmaction_merdg.engine.hooks.exact_resume_hook import (
    ExactResumeHook, capture_rng_state, restore_rng_state,
    seed_worker_for_epoch)


def _draws():
    return (torch.rand(3).tolist(), np.random.rand(3).tolist(),
            [random.random() for _ in range(3)], np.random.randn())


def test_state_round_trips_through_a_weights_only_checkpoint(tmp_path):
    torch.manual_seed(1), np.random.seed(1), random.seed(1)
    np.random.randn()  # leave a cached gaussian in numpy's state
    path = tmp_path / 'ckpt.pth'
    torch.save(dict(rng_state=capture_rng_state()), path)
    expected = _draws()
    torch.manual_seed(2), np.random.seed(2), random.seed(2)
    restore_rng_state(torch.load(path)['rng_state'])  # weights_only=True
    assert _draws() == expected


def test_hook_restores_the_epoch_start_state_in_both_runs():
    sampler = SimpleNamespace(seed=7)
    runner = SimpleNamespace(epoch=0, seed=None,
                             train_dataloader=SimpleNamespace(sampler=sampler))
    hook = ExactResumeHook()
    torch.manual_seed(0)
    hook.after_train_epoch(runner)  # end of epoch 0
    expected = torch.rand(2)
    torch.rand(5)  # validation, logging... draw in between
    ckpt = {}
    hook.before_save_checkpoint(runner, ckpt)
    runner.epoch = 1
    hook.before_train_epoch(runner)
    assert torch.equal(torch.rand(2), expected)
    # A resumed run takes the same snapshot from the checkpoint.
    resumed = ExactResumeHook()
    resumed.load_snapshot(runner, dict(
        ckpt, meta=dict(epoch=1, iter=0)))
    torch.manual_seed(123)
    sampler.seed = 99
    resumed.before_train_epoch(runner)
    assert torch.equal(torch.rand(2), expected)
    assert sampler.seed == 7


def test_worker_seeds_differ_per_epoch_and_repeat_per_run():
    seeds = []
    for epoch in (0, 1, 0):
        seed_worker_for_epoch(0, num_workers=2, rank=0, seed=3, epoch=epoch)
        seeds.append(np.random.randint(1 << 30))
    assert seeds[0] == seeds[2] != seeds[1]


def test_an_iteration_based_loop_gets_the_right_reason(monkeypatch):
    """Before: 'written before this hook existed', the wrong reason."""
    from mmengine.runner import IterBasedTrainLoop

    from mmaction_merdg.engine.hooks import exact_resume_hook
    logged = []
    monkeypatch.setattr(exact_resume_hook, 'print_log',
                        lambda msg, **kwargs: logged.append(msg))
    loop = IterBasedTrainLoop.__new__(IterBasedTrainLoop)
    hook = ExactResumeHook()
    hook.load_snapshot(SimpleNamespace(_train_loop=loop),
                       dict(meta=dict(iter=10)))
    assert len(logged) == 1
    assert 'an iteration-based loop (IterBasedTrainLoop)' in logged[0]
    assert 'written before this hook existed' not in logged[0]
    assert hook._snapshot is None
