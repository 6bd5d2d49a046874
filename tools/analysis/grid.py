#!/usr/bin/env python
"""The sweep: methods x {without, with MER-DG} x shifts x subsets x trials x seeds.

Trains every unfinished cell (resumable: finished cells are reused, edited
configs refused, failed or killed cells run again on the next call), then
writes ``table.md``, ``table.csv``, ``table.tex`` and ``table.png`` to
``--work-dir``: one block per model-selection rule (training-domain
validation, leave-one-domain-out, oracle). Library code:
``mmaction_merdg.apis.grid`` (cells), ``apis.model_selection`` (rules),
``apis.cell_executor`` (submitit), ``apis.grid_table`` (table).

Examples:
    # 2 trials x 2 seeds of Fusion +- MER-DG, 2 cells at once on this machine
    python tools/analysis/grid.py --datasets synthetic_vector --methods fusion \\
        --mer both --seeds 0 1 --trials 2 \\
        --selection training-domain leave-one-domain-out oracle \\
        --executor local --max-parallel 2 --work-dir DIR
    # EPIC on Slurm: one array task per cell, 1 GPU each, at most 16 at once
    python tools/analysis/grid.py --datasets epic_kitchens --methods fusion simmmdg \\
        --mer both --seeds 0 1 2 --trials 8 --executor slurm --partition gpu \\
        --gpus-per-cell 1 --time-limit 720 --max-parallel 16 --work-dir DIR
"""
import argparse
import json
import os.path as osp
import sys

from mmengine.config import DictAction

from mmaction_merdg.apis.grid import (DATASETS, METHODS, grid_cost, make_cells,
                                      prepare_cells, run_grid, shift_sources)
from mmaction_merdg.apis.grid_table import render
from mmaction_merdg.apis.model_selection import RULES, get_rules, runs_per_trial_and_seed

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--datasets', nargs='+', default=['synthetic'], choices=list(DATASETS))
    p.add_argument('--shifts', nargs='+', help='restrict to these shifts (default: all)')
    p.add_argument('--subsets', nargs='+', help='restrict to these modality subsets, e.g. '
                   'rgb-flow-audio (default: all)')
    p.add_argument('--methods', nargs='+', default=list(METHODS), choices=list(METHODS))
    p.add_argument('--mer', choices=['without', 'with', 'both'], default='both')
    p.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    p.add_argument('--trials', type=int, default=1,
                   help='hyper-parameter trials per row; trial 0 = the defaults (default 1)')
    p.add_argument('--search-keys', nargs='+', default=None,
                   help='draw only these search-space entries (config paths), e.g. '
                   'model.regularizers.mer.loss.loss_weight; default: the whole space')
    p.add_argument('--selection', nargs='+', default=['training-domain'], choices=list(RULES),
                   help='model-selection rules, one table block each')
    p.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                   help='override entries of every config, e.g. train_cfg.max_epochs=1')
    p.add_argument('--dataset-options', nargs='+', action=DictAction, default={},
                   help='set keys in every dataset, e.g. samples_per_domain=64')
    p.add_argument('--work-dir', required=True)
    p.add_argument('--executor', choices=['none', 'local', 'slurm'], default='none',
                   help='none: in this process; local: subprocesses (submitit); '
                   'slurm: a job array (submitit)')
    p.add_argument('--max-parallel', type=int, default=1,
                   help='cells at once (local) / the array throttle (slurm)')
    p.add_argument('--gpus-per-cell', type=int, default=0,
                   help='GPUs per cell (local: 0 = CPU slots; slurm: default 1)')
    p.add_argument('--partition', help='Slurm partition')
    p.add_argument('--time-limit', type=float, default=24 * 60,
                   help='minutes per cell (Slurm time limit; local timeout)')
    p.add_argument('--cpus-per-cell', type=int, help='Slurm cpus-per-task')
    p.add_argument('--slurm-args', nargs='+', action=DictAction, default={},
                   help='extra sbatch parameters, e.g. account=X qos=Y')
    p.add_argument('--launcher', choices=['none', 'pytorch', 'slurm'], default='none',
                   help='with --executor none: run each cell under torchrun / srun')
    p.add_argument('--gpus', type=int, default=1, help='processes per cell with a launcher')
    p.add_argument('--srun-args', nargs='*', default=[], help='extra srun arguments')
    p.add_argument('--runner', default=None,
                   help='module:function called with each cell.json path instead of '
                   'mmaction_merdg.apis.grid_cell:run_cell (a stand-in that trains nothing, '
                   'to try an executor setup)')
    p.add_argument('--force', action='store_true',
                   help='accept other options or edited configs for finished cells')
    p.add_argument('--dry-run', action='store_true',
                   help='list the cells and resolve their configs; train nothing')
    p.add_argument('--no-progress', action='store_true', help='no progress bar')
    p.add_argument('--title', default='', help='title of table.md')
    p.add_argument('--render-only', action='store_true',
                   help='render the table from the finished cells; train nothing')
    return p.parse_args(argv)


def cost_lines(cells, rules, sources_per_shift):
    """Per rule, the runs it needs (``full`` runs are shared by all rules)."""
    cost = grid_cost(cells)
    full = cost['full']
    out = {}
    for r in rules:
        k = runs_per_trial_and_seed([r], sources_per_shift)
        n = full + (cost['heldout'] if r.needs_heldout_runs else 0)
        out[r.name] = (f'Cost: {n} runs ({full} on all sources'
                       + (f' + {cost["heldout"]} held-out runs, {k} runs per trial and seed'
                          if r.needs_heldout_runs else '; no extra runs') + ').')
    return out


def main(argv=None):
    args = parse_args(argv)
    rules = get_rules(args.selection)
    lodo = any(r.needs_heldout_runs for r in rules)
    cells = make_cells(args.datasets, args.methods, args.mer, args.seeds, args.shifts,
                       args.subsets, args.trials, lodo, args.search_keys)
    if args.dry_run:
        for p in prepare_cells(cells, args.work_dir, REPO, args.cfg_options,
                               args.dataset_options, args.search_keys):
            print(f'{p["cell"].label}: {osp.relpath(p["config"], REPO)} {p["params"]}'
                  + (' (finished)' if p['done'] else ''))
        print(json.dumps(grid_cost(cells)))
        return cells
    records = run_grid(cells, args.work_dir, REPO, args.cfg_options, args.dataset_options,
                       args.launcher, args.gpus, args.srun_args, args.force,
                       run_missing=not args.render_only, executor=args.executor,
                       max_parallel=args.max_parallel, gpus_per_cell=args.gpus_per_cell,
                       search_keys=args.search_keys, partition=args.partition,
                       time_limit_min=args.time_limit, cpus_per_cell=args.cpus_per_cell,
                       slurm_args=args.slurm_args, progress=not args.no_progress,
                       runner=args.runner)
    k = max(len(shift_sources(c.dataset, c.shift)) for c in cells)
    paths = render(records, args.work_dir, args.title, [r.name for r in rules],
                   cost_lines(cells, rules, k))
    print(open(paths['md']).read())
    print('written:', ', '.join(paths.values()))
    missing = len(cells) - len(records)
    if missing:
        print(f'{missing} of {len(cells)} cells have no result (failed: '
              f'{osp.join(args.work_dir, "failed.json")}); run the same command again.')
        sys.exit(1)
    return records


if __name__ == '__main__':
    main()
