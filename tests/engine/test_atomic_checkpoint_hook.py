"""AtomicCheckpointHook: a SIGKILL inside a checkpoint write loses nothing.

The fault is injected as the probe did: ``LocalBackend.put`` writes half of
the bytes, then the process SIGKILLs itself (``tests/engine/fault_injection``).
"""
import os
import os.path as osp
import signal

import pytest
import torch

from mmaction_merdg.compat.atomic_local_backend import AtomicLocalBackend
from mmaction_merdg.engine.checkpoint_files import checkpoint_problem

from .fault_injection import (TINY_VECTOR_DATA, killed_in_resave,  # noqa: F401
                              run_in_subprocess, selection, train_tiny,
                              uninterrupted)


def _temporaries(folder):
    return [n for n in os.listdir(folder) if n.endswith('.tmp')]


def _assert_same_as_uninterrupted(runner, work_dir, reference):
    assert selection(runner) == reference['selection']
    weights = torch.load(work_dir / 'epoch_3.pth')['state_dict']
    for key, value in reference['weights'].items():
        assert torch.equal(weights[key], value), key
    best = runner.message_hub.get_info('best_ckpt')
    assert checkpoint_problem(best) is None
    assert not _temporaries(work_dir)
    bests = [n for n in os.listdir(work_dir) if n.startswith('best_')]
    assert bests == [osp.basename(best)]


def test_kill_in_the_resave_of_epoch_2_then_resume(killed_in_resave,
                                                   uninterrupted):
    """Before: last_checkpoint named a half epoch_2.pth; resume failed."""
    run = killed_in_resave
    work_dir = run['work_dir']
    assert run['returncode'] == -signal.SIGKILL, run['output'][-3000:]
    # The half write went to a temporary; the complete copy is intact.
    assert len(_temporaries(work_dir)) == 1
    with open(work_dir / 'last_checkpoint') as f:
        assert f.read().strip() == str(work_dir / 'epoch_2.pth')
    assert checkpoint_problem(str(work_dir / 'epoch_2.pth')) is None
    runner = train_tiny(uninterrupted['cfg'], work_dir, '--resume')
    _assert_same_as_uninterrupted(runner, work_dir, uninterrupted)


def test_kill_while_saving_the_new_best_keeps_the_previous_one(
        tmp_path, uninterrupted):
    """Before: the previous best was deleted first; the pointer dangled."""
    best_name = uninterrupted['selection'][0]
    assert best_name.endswith('epoch_3.pth')  # epoch 3 is the last new best
    work_dir = tmp_path / 'run'
    res = run_in_subprocess(
        [uninterrupted['cfg'], '--work-dir', str(work_dir), '--seed', '0'] +
        TINY_VECTOR_DATA, env_extra=dict(FAULT_KILL_PUT=best_name + ':1'))
    assert res.returncode == -signal.SIGKILL, res.stdout[-2000:]
    # The previous best is complete, and the newest checkpoint names it.
    last = torch.load(work_dir / 'epoch_3.pth')
    previous = last['message_hub']['runtime_info']['best_ckpt']
    assert osp.basename(previous) != best_name
    assert checkpoint_problem(previous) is None
    assert not osp.exists(work_dir / best_name)
    runner = train_tiny(uninterrupted['cfg'], work_dir, '--resume')
    # The resumed run validated epoch 3 again and selected it.
    _assert_same_as_uninterrupted(runner, work_dir, uninterrupted)
    assert not osp.exists(previous)


def test_a_failing_write_leaves_the_previous_file(tmp_path, monkeypatch):
    target = tmp_path / 'epoch_1.pth'
    backend = AtomicLocalBackend()
    backend.put(b'complete', target)

    def half_then_fail(self, obj, filepath):
        with open(filepath, 'wb') as f:
            f.write(obj[:3])
        raise OSError('No space left on device')

    from mmengine.fileio.backends import LocalBackend
    monkeypatch.setattr(LocalBackend, 'put', half_then_fail)
    with pytest.raises(OSError, match='No space'):
        backend.put(b'new content', target)
    assert target.read_bytes() == b'complete'
    assert os.listdir(tmp_path) == ['epoch_1.pth']
