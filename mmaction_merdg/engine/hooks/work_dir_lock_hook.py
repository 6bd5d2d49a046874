"""One work dir, one run: a lock file refuses a second concurrent training.

Two trainings in one work dir both exit 0 and overwrite each other's
``epoch_*.pth``, ``best_*.pth``, ``last_checkpoint`` and results (measured:
seed 0's reported best checkpoint held seed 1's weights). The hook takes
``<work_dir>/run.lock`` at ``before_run``: an exclusive ``flock`` (released by
the kernel when the process dies, so a killed run never blocks the next) and,
inside, who holds it (PID, host, start time, command).

* A second run while the first is alive is refused with an error naming the
  holder.
* A lock left by a run that died (the file names a holder, but nobody holds
  the ``flock``) is taken over with a warning naming the dead holder.
* ``after_run`` releases it (the file stays, empty). A run of the same process that ended with an
  exception (never reached ``after_run``) is taken over with a warning.

Only training locks (``Runner.train``; ``tools/test.py`` does not), and only
rank 0 under DDP. Where ``fcntl`` is missing (Windows), the
holder's PID is probed instead (same host only; another host's lock is
refused until removed).
"""
import json
import os
import os.path as osp
import socket
import sys
import time
from typing import Dict, Optional

from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.runner import BaseLoop

from mmaction.registry import HOOKS

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

LOCK_NAME = 'run.lock'
# Locks this process holds: path -> open file descriptor.
_HELD: Dict[str, int] = {}


class WorkDirLockedError(RuntimeError):
    """Another live run holds the work dir."""


def _describe(holder: dict) -> str:
    return (f"PID {holder.get('pid')} on host {holder.get('host')!r}, "
            f"started {holder.get('start')}"
            + (f" ({holder['command']})" if holder.get('command') else ''))


def _read_holder(fd: int) -> Optional[dict]:
    os.lseek(fd, 0, os.SEEK_SET)
    raw = b''
    while True:
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        raw += chunk
    try:
        holder = json.loads(raw.decode() or 'null')
    except (ValueError, UnicodeDecodeError):
        return {'pid': '?', 'host': '?', 'start': '? (unreadable lock file)'}
    return holder if isinstance(holder, dict) else None


def _pid_alive(pid) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, ValueError, TypeError):
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def acquire_work_dir_lock(work_dir: str) -> str:
    """Take ``<work_dir>/run.lock`` for this process.

    Returns:
        str: The lock file's path.

    Raises:
        WorkDirLockedError: A live run holds it; the message names it.
    """
    os.makedirs(work_dir, exist_ok=True)
    path = osp.abspath(osp.join(work_dir, LOCK_NAME))
    me = dict(pid=os.getpid(), host=socket.gethostname(),
              start=time.strftime('%Y-%m-%d %H:%M:%S %z'),
              command=' '.join(sys.argv))
    if path in _HELD:  # an earlier run of this process raised
        fd = _HELD.pop(path)
        print_log(f'WorkDirLockHook: {path} was held by an earlier run of '
                  'this process that did not finish; taken over.',
                  logger='current', level=30)
    else:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        holder = None
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    holder = _read_holder(fd) or {}
                    raise WorkDirLockedError(_refusal(work_dir, path, holder))
                holder = _read_holder(fd)
            else:
                holder = _read_holder(fd)
                if holder and (holder.get('host') != me['host']
                               or _pid_alive(holder.get('pid'))):
                    raise WorkDirLockedError(_refusal(work_dir, path, holder))
        except BaseException:
            os.close(fd)
            raise
        if holder:
            print_log(
                f'WorkDirLockHook: taking over the stale lock {path} of a '
                f'run that is no longer running ({_describe(holder)}): '
                'its checkpoints stay; resume them with --resume.',
                logger='current', level=30)
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, json.dumps(me).encode())
    os.fsync(fd)
    _HELD[path] = fd
    return path


def _refusal(work_dir: str, path: str, holder: dict) -> str:
    return (f"work dir '{work_dir}' is in use by another run "
            f'({_describe(holder)}): two runs in one work dir overwrite '
            f"each other's checkpoints and results. Use another --work-dir, "
            f'or wait for that run to end. If it is not running, delete '
            f'{path}.')


def release_work_dir_lock(path: str) -> None:
    """Release a lock taken by :func:`acquire_work_dir_lock`."""
    fd = _HELD.pop(path, None)
    if fd is None:
        return
    # Emptied, not removed: a run blocked on this inode must not end up
    # holding an unlinked file while a third run locks a new one.
    os.ftruncate(fd, 0)
    os.close(fd)  # releases the flock


@HOOKS.register_module()
class WorkDirLockHook(Hook):
    """Hold ``<work_dir>/run.lock`` from ``before_run`` to ``after_run``.

    Enabled for every config by ``configs/_base_/default_runtime.py``
    (``default_hooks.work_dir_lock``). See the module docstring.

    Args:
        enabled (bool): False turns the hook off. Defaults to True.
    """

    priority = 'HIGHEST'  # before anything resolves or writes checkpoints

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.path: Optional[str] = None

    def before_run(self, runner) -> None:
        # Training only: tools/test.py on a checkpoint of a running training
        # (same default work dir) reads, it does not write checkpoints.
        training = isinstance(getattr(runner, '_train_loop', None), BaseLoop)
        if self.enabled and training and is_main_process():
            self.path = acquire_work_dir_lock(runner.work_dir)

    def after_run(self, runner) -> None:
        if self.path is not None:
            release_work_dir_lock(self.path)
            self.path = None
