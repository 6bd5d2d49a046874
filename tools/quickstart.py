"""The main job: Fusion vs MER-DG on the embedded synthetic benchmark.

Trains and tests both configs (two source domains -> one target domain) with
the same seed, prints a table and writes ``work_dirs/quickstart/summary.json``.
Run it through ``bash tools/quickstart.sh`` (which sets up .venv first).
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

import mmaction_merdg  # noqa: F401  (first: makes mmaction.models importable)
from mmengine.config import Config, DictAction
from mmengine.hooks import Hook

from mmaction_merdg.apis import run_experiment, set_dataset_options

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
RUNS = (('fusion', 'configs/fusion_synthetic.py'), ('merdg', 'configs/merdg_synthetic.py'))


class ProgressHook(Hook):
    """One status line per 10 iterations and per validation."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.start = time.time()

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        it, total = runner.iter + 1, runner.max_iters
        if it % 10 == 0 or it == total:
            loss = float(outputs['loss'].detach()) if outputs and 'loss' in outputs \
                else float('nan')
            print(f'\r[{self.name}] epoch {runner.epoch + 1}/{runner.max_epochs} '
                  f'iter {it}/{total} loss {loss:.3f} '
                  f'{time.time() - self.start:5.0f}s', end='', flush=True)

    def after_val_epoch(self, runner, metrics=None):
        if metrics:
            print(f'\n[{self.name}] val epoch {runner.epoch}: source/top1 '
                  f'{metrics.get("source/top1", float("nan")):.3f}  target/top1 '
                  f'{metrics.get("target/top1", float("nan")):.3f}', flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--work-dir', default=osp.join(ROOT, 'work_dirs', 'quickstart'))
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--epochs', type=int, default=None,
                        help='override max_epochs (default: the configs\')')
    parser.add_argument('--dataset-options', nargs='+', action=DictAction, default={},
                        help='k=v knobs of the synthetic benchmark, e.g. cooccurrence=0')
    args = parser.parse_args(argv)
    options = dict(args.dataset_options)

    summary = {}
    for name, config in RUNS:
        cfg = Config.fromfile(osp.join(ROOT, config))
        if args.epochs:
            cfg.train_cfg.max_epochs = args.epochs
            for sched in cfg.param_scheduler:
                if 'T_max' in sched:
                    sched['T_max'] = args.epochs
        if options:
            set_dataset_options(cfg, options)
        print(f'== {name}: {config}', flush=True)
        summary[name] = run_experiment(cfg, osp.join(args.work_dir, name),
                                       seed=args.seed, quiet=True,
                                       hooks=[ProgressHook(name)])
        print(flush=True)

    os.makedirs(args.work_dir, exist_ok=True)
    path = osp.join(args.work_dir, 'summary.json')
    with open(path, 'w') as f:
        json.dump(summary, f, indent=2)
    keys = ('source_val_acc', 'target_acc', 'oracle_target_acc', 'seconds')
    print('\n| model | ' + ' | '.join(keys) + ' |')
    print('|---|' + '---|' * len(keys))
    for name, res in summary.items():
        cells = [f'{res[k]:.4f}' if isinstance(res[k], float) and k != 'seconds'
                 else str(res[k]) for k in keys]
        print(f'| {name} | ' + ' | '.join(cells) + ' |')
    gap = summary['merdg']['target_acc'] - summary['fusion']['target_acc']
    print(f'\nMER-DG - Fusion target accuracy (one seed, one run each): {gap:+.4f}. '
          'One seed is an anecdote: use tools/analysis/run_seeds.py and compare.py '
          'for a paired test over seeds.')
    print(f'summary: {path}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
