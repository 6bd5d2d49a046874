"""WorkDirLockHook: one work dir, one training."""
import json
import os
import socket

from mmaction_merdg.engine.hooks.work_dir_lock_hook import (
    WorkDirLockedError, acquire_work_dir_lock, release_work_dir_lock)

from .fault_injection import killed_in_resave  # noqa: F401
from .fault_injection import train_tiny, uninterrupted  # noqa: F401


def test_a_second_training_in_a_busy_work_dir_is_refused(killed_in_resave):
    """Before: both exit 0, one's best checkpoint holds the other's weights."""
    err = killed_in_resave['second_run_error']
    assert isinstance(err, WorkDirLockedError), err
    msg = str(err)
    assert f"PID {killed_in_resave['pid']} on host " \
           f"{socket.gethostname()!r}, started 20" in msg
    assert 'Use another --work-dir' in msg and 'run.lock' in msg


def test_the_lock_of_a_killed_run_is_taken_over_with_a_warning(
        tmp_path, killed_in_resave, uninterrupted):
    """The record the SIGKILLed run left (its flock died with it)."""
    record = killed_in_resave['lock_after_kill']
    assert json.loads(record)['pid'] == killed_in_resave['pid']
    work_dir = tmp_path / 'run'
    work_dir.mkdir()
    (work_dir / 'run.lock').write_text(record)
    runner = train_tiny(uninterrupted['cfg'], work_dir,
                        '--cfg-options', 'train_cfg.max_epochs=1')
    with open(f'{runner.log_dir}/{runner.timestamp}.log') as f:
        log = f.read()
    assert (f"taking over the stale lock {work_dir / 'run.lock'} of a run "
            f"that is no longer running (PID {killed_in_resave['pid']}") in log
    assert (work_dir / 'run.lock').read_text() == ''  # released at the end


def test_release_and_same_process_takeover(tmp_path):
    path = acquire_work_dir_lock(str(tmp_path))
    assert json.loads(open(path).read())['pid'] == os.getpid()
    # A run of this process that raised before after_run: taken over.
    assert acquire_work_dir_lock(str(tmp_path)) == path
    release_work_dir_lock(path)
    assert open(path).read() == ''
    release_work_dir_lock(path)  # releasing twice is harmless
