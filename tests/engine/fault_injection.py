"""Faults injected into a real ``tools/train.py`` run, for the reliability tests.

Run as ``python -m tests.engine.fault_injection CONFIG [train.py args]`` from
the repository root; the fault comes from the environment:

* ``FAULT_KILL_PUT='epoch_2.pth:2'``: the 2nd write (``LocalBackend.put``)
  of a path containing ``epoch_2.pth`` writes half of its bytes, then the
  process SIGKILLs itself (a node lost in the middle of a checkpoint write).

Session fixtures shared by the test modules: ``uninterrupted`` (the tiny
run, not killed) and ``killed_in_resave`` (SIGKILLed inside the re-save of
``epoch_2.pth``, with a second run started while it was alive).

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

import pytest
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
        deadline = time.time() + 300  # the parent releases it sooner
        while not osp.exists(self.path) and time.time() < deadline:
            time.sleep(0.05)


REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# Tiny vector data: 16 samples per domain (4 iterations of 8 per epoch).
TINY_VECTOR_DATA = ['--dataset-options', 'samples_per_domain=16']


def write_tiny_vector_config(folder, epochs: int = 3, extra: str = '',
                             name: str = 'tiny_vector.py',
                             base: str = 'fusion_synthetic_vector.py') -> str:
    """Fusion (or ``base``) on the vector benchmark, seconds per run.

    No dropout and a constant lr, 16 samples per domain with
    ``TINY_VECTOR_DATA``.
    """
    path = osp.join(str(folder), name)
    with open(path, 'w') as f:
        f.write(f"""_base_ = ['{osp.join(REPO, 'configs', base)}']
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


def run_in_subprocess(argv, env_extra=None, timeout=300, wait=True):
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


# -- shared runs (session fixtures, imported by the test modules) ----------


def train_tiny(cfg, work_dir, *extra):
    """``tools/train.py`` in this process on the tiny vector data, seed 0."""
    from tests.conftest import load_tool
    return load_tool('train.py').main(
        [str(cfg), '--work-dir', str(work_dir), '--seed', '0'] +
        TINY_VECTOR_DATA + list(extra))


def selection(runner):
    """What model selection chose: best file name, score, domain-acc state."""
    hub = runner.message_hub
    return (osp.basename(hub.get_info('best_ckpt')), hub.get_info('best_score'),
            hub.get_info('merdg_domain_acc_state'))


# Session fixtures imported into several modules get one FixtureDef per
# module; this cache runs each body once per session all the same.
_ONCE = {}


def _once(name, make):
    if name not in _ONCE:
        _ONCE[name] = make()
    return _ONCE[name]


@pytest.fixture(scope='session')
def uninterrupted(tmp_path_factory):
    """The reference: the tiny 3-epoch run, not killed."""
    return _once('uninterrupted', lambda: _uninterrupted(tmp_path_factory))


def _uninterrupted(tmp_path_factory):
    import torch
    folder = tmp_path_factory.mktemp('uninterrupted')
    cfg = write_tiny_vector_config(folder)
    runner = train_tiny(cfg, folder / 'run')
    return dict(cfg=cfg, run=folder / 'run', selection=selection(runner),
                weights=torch.load(folder / 'run' / 'epoch_3.pth')['state_dict'])


@pytest.fixture(scope='session')
def killed_in_resave(tmp_path_factory, uninterrupted):
    """A training SIGKILLed inside the second write of ``epoch_2.pth``.

    While it runs (held after its first iteration), a second training is
    started in the same work dir: what it raised is recorded.
    """
    return _once('killed_in_resave',
                 lambda: _killed_in_resave(tmp_path_factory, uninterrupted))


def _killed_in_resave(tmp_path_factory, uninterrupted):
    folder = tmp_path_factory.mktemp('killed_in_resave')
    work_dir = folder / 'run'
    release = str(folder / 'release')
    cfg = write_tiny_vector_config(
        folder, name='held.py',
        extra=f"custom_hooks = [dict(type='HoldHook', path='{release}')]")
    child = run_in_subprocess([cfg, '--work-dir', str(work_dir), '--seed', '0'] +
                              TINY_VECTOR_DATA,
                              env_extra=dict(FAULT_KILL_PUT='epoch_2.pth:2'),
                              wait=False)
    try:
        deadline = time.time() + 300
        while not osp.exists(release + '.started'):
            assert child.poll() is None and time.time() < deadline, (
                child.stdout.read()[-3000:] if child.poll() is not None else
                'the held run did not start in time')
            time.sleep(0.05)
        try:
            train_tiny(uninterrupted['cfg'], work_dir)
            second = None
        except Exception as err:  # noqa: BLE001 (recorded for the tests)
            second = err
    finally:
        open(release, 'w').close()
        output, _ = child.communicate(timeout=300)
    return dict(work_dir=work_dir, returncode=child.returncode, pid=child.pid,
                output=output, second_run_error=second,
                lock_after_kill=(work_dir / 'run.lock').read_text())
