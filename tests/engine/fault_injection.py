"""Faults injected into a real ``tools/train.py`` run, for the reliability tests.

Run as ``python -m tests.engine.fault_injection CONFIG [train.py args]`` from
the repository root; the fault comes from the environment:

* ``FAULT_KILL_PUT='epoch_2.pth:2'``: the 2nd write (``LocalBackend.put``)
  of a path containing ``epoch_2.pth`` writes half of its bytes, then the
  process SIGKILLs itself (a node lost in the middle of a checkpoint write).

Hooks registered on import, for configs: :class:`KillDuringValHook` raises in
the middle of the validation of a chosen epoch (in-process kills);
:class:`HoldHook` keeps a run going after its first iteration until a file
exists (a run still alive when a second one starts).
"""
import os
import os.path as osp
import signal
import sys
import time

from mmengine.hooks import Hook

from mmaction.registry import HOOKS


class Killed(RuntimeError):
    """Stands for a run killed at the injected point."""


@HOOKS.register_module(name='KillDuringValHook', force=True)
class KillDuringValHook(Hook):
    """Raise :class:`Killed` at the first validation iteration of ``epoch``."""

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch

    def after_val_iter(self, runner, batch_idx, data_batch=None,
                       outputs=None) -> None:
        if runner.epoch == self.epoch:
            raise Killed(f'killed during the validation of epoch {self.epoch}')


def _kill_in_put(spec: str) -> None:
    from mmengine.fileio.backends import LocalBackend
    needle, _, nth = spec.rpartition(':')
    seen = [0]
    original = LocalBackend.put

    def put(self, obj, filepath):
        if needle in str(filepath):
            seen[0] += 1
            if seen[0] == int(nth):
                with open(filepath, 'wb') as f:
                    f.write(obj[:len(obj) // 2])
                    f.flush()
                    os.fsync(f.fileno())
                os.kill(os.getpid(), signal.SIGKILL)
        return original(self, obj, filepath)

    LocalBackend.put = put


@HOOKS.register_module(name='HoldHook', force=True)
class HoldHook(Hook):
    """Wait after the first iteration until a file exists."""

    def __init__(self, path: str) -> None:
        self.path = path

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        if runner.iter != 0:
            return
        open(self.path + '.started', 'w').close()
        deadline = time.time() + 60
        while not osp.exists(self.path) and time.time() < deadline:
            time.sleep(0.05)


REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# Tiny vector data: 16 samples per domain (4 iterations of 8 per epoch).
TINY_VECTOR_DATA = ['--dataset-options', 'samples_per_domain=16']


def write_tiny_vector_config(folder, epochs: int = 3, extra: str = '',
                             name: str = 'tiny_vector.py') -> str:
    """Fusion on the vector benchmark, seconds per run (no dropout, no cosine)."""
    path = osp.join(str(folder), name)
    with open(path, 'w') as f:
        f.write(f"""_base_ = ['{osp.join(REPO, 'configs', 'fusion_synthetic_vector.py')}']
train_dataloader = dict(batch_size=8, sampler=dict(batch_size=8))
val_dataloader = dict(batch_size=64)
model = dict(cls_head=dict(dropout_ratio=0.0))
train_cfg = dict(max_epochs={epochs})
param_scheduler = []
default_hooks = dict(logger=dict(interval=4))
custom_hooks = []
{extra}
""")
    return path


def run_in_subprocess(argv, env_extra=None, timeout=120, wait=True):
    """``python -m tests.engine.fault_injection argv`` in the repository."""
    import subprocess
    # The parent's thread settings: the same float results as in-process runs.
    env = dict(os.environ, **(env_extra or {}))
    env['PYTHONPATH'] = REPO + os.pathsep + env.get('PYTHONPATH', '')
    cmd = [sys.executable, '-m', 'tests.engine.fault_injection'] + list(argv)
    if not wait:
        return subprocess.Popen(cmd, cwd=REPO, env=env,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
    return subprocess.run(cmd, cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=timeout)


def main(argv) -> None:
    from tests.conftest import load_tool
    train = load_tool('train.py')
    if os.environ.get('FAULT_KILL_PUT'):
        _kill_in_put(os.environ['FAULT_KILL_PUT'])
    train.main(argv)


if __name__ == '__main__':
    main(sys.argv[1:])
