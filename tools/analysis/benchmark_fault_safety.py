"""Cost of the atomic checkpoint writes and of the work-dir lock, in one run.

Trains the tiny vector benchmark (Fusion, 16 samples per domain, 3 epochs:
9 checkpoint writes) alternately with mmengine's ``CheckpointHook`` and no
lock ("before") and with ``AtomicCheckpointHook`` + ``WorkDirLockHook``
("after"), and times ``runner.train()`` (the runner's construction is the
same in both). Then it times single writes of a checkpoint-sized buffer
(``LocalBackend.put`` vs ``AtomicLocalBackend.put``: temporary file, fsync,
rename, fsync of the folder) and one acquire + release of the lock.

    python tools/analysis/benchmark_fault_safety.py [--repeats 3] [--mb 100]

Prints min and median of the interleaved runs (the min is the figure to
read on a loaded machine), the time inside ``Runner.save_checkpoint``, and
the after/before ratios.
"""
import argparse
import os
import os.path as osp
import statistics
import sys
import tempfile
import time

import mmaction_merdg  # noqa: F401  (registers the plugin)
from mmengine.config import Config
from mmengine.fileio.backends import LocalBackend

from mmaction_merdg.apis.cli_options import build_runner
from mmaction_merdg.compat.atomic_local_backend import AtomicLocalBackend
from mmaction_merdg.compat.config_text import format_config_text_once
from mmaction_merdg.engine.hooks.work_dir_lock_hook import (
    acquire_work_dir_lock, release_work_dir_lock)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
BEFORE = dict(checkpoint=dict(type='CheckpointHook'),
              work_dir_lock=dict(enabled=False))
AFTER = dict(checkpoint=dict(type='AtomicCheckpointHook'),
             work_dir_lock=dict(enabled=True))


def _train_seconds(work_dir: str, hooks: dict) -> tuple:
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'fusion_synthetic_vector.py'))
    cfg.merge_from_dict({
        'train_dataloader.batch_size': 8, 'train_dataloader.sampler.batch_size': 8,
        'train_cfg.max_epochs': 3, 'param_scheduler': [],
        'custom_hooks': [], 'log_level': 'WARNING', 'work_dir': work_dir,
        'default_hooks.logger.interval': 100})
    cfg.merge_from_dict({f'default_hooks.{k}.{n}': v for k, d in hooks.items()
                         for n, v in d.items()})
    for key in ('train_dataloader', 'val_dataloader'):
        datasets = cfg[key].dataset.get('datasets', [cfg[key].dataset])
        for d in datasets:
            d.samples_per_domain = 16
    format_config_text_once(cfg)
    runner = build_runner(cfg)
    saving = [0.0]
    save = runner.save_checkpoint

    def timed_save(*args, **kwargs):  # the writes themselves
        start = time.perf_counter()
        save(*args, **kwargs)
        saving[0] += time.perf_counter() - start

    runner.save_checkpoint = timed_save
    start = time.perf_counter()
    runner.train()
    return time.perf_counter() - start, saving[0]


def _median_put(backend, data: bytes, path: str, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        backend.put(data, path)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--mb', type=float, default=100.0,
                        help='size of the single-write buffer (MB)')
    args = parser.parse_args(argv)
    root = tempfile.mkdtemp(prefix='fault_safety_')
    runs = {'before': [], 'after': []}
    for i in range(args.repeats):  # interleaved: load drifts hit both alike
        for name, hooks in (('before', BEFORE), ('after', AFTER)):
            runs[name].append(_train_seconds(osp.join(root, f'{name}{i}'), hooks))
    print(f'tiny training (3 epochs, 9 checkpoint writes), {args.repeats} '
          'interleaved runs each; min / median seconds:')
    summary = {}
    for name, label in (('before', 'CheckpointHook, no lock'),
                        ('after', 'AtomicCheckpointHook + lock')):
        train = [t for t, _ in runs[name]]
        saves = [s for _, s in runs[name]]
        summary[name] = (min(train), min(saves))
        print(f'  {name:6s} ({label:27s}) runner.train {min(train):.3f} / '
              f'{statistics.median(train):.3f}   of which save_checkpoint '
              f'{min(saves):.3f} / {statistics.median(saves):.3f}')
    print(f'  after / before (min): train '
          f'{summary["after"][0] / summary["before"][0]:.3f}, save_checkpoint '
          f'{summary["after"][1] / summary["before"][1]:.3f}')
    data = os.urandom(int(args.mb * 1e6))
    path = osp.join(root, 'epoch_1.pth')
    plain = _median_put(LocalBackend(), data, path, 5)
    atomic = _median_put(AtomicLocalBackend(), data, path, 5)
    print(f'one {args.mb:g} MB checkpoint write, median of 5:')
    print(f'  LocalBackend.put:        {plain:.4f} s')
    print(f'  AtomicLocalBackend.put:  {atomic:.4f} s  (x{atomic / plain:.2f})')
    times = []
    for _ in range(20):
        start = time.perf_counter()
        release_work_dir_lock(acquire_work_dir_lock(osp.join(root, 'lock')))
        times.append(time.perf_counter() - start)
    print(f'work-dir lock acquire + release, median of 20: '
          f'{statistics.median(times) * 1e3:.3f} ms')


if __name__ == '__main__':
    sys.exit(main())
