#!/usr/bin/env python
"""Methods x {without, with MER-DG} x seeds (x datasets, shifts, modality subsets).

Trains every cell (resumable: finished cells are reused, edited configs are
refused), then writes the paper-style table ``table.md``, ``table.csv`` and
``table.png`` to ``--work-dir``. Library code: ``mmaction_merdg.apis.grid``.

Examples:
    python tools/analysis/grid.py --datasets synthetic --methods fusion simmmdg \\
        --mer both --seeds 0 1 --cfg-options train_cfg.max_epochs=1 --work-dir DIR
    # EPIC, two GPUs per cell through torchrun
    python tools/analysis/grid.py --datasets epic --methods fusion simmmdg cmrf \\
        --mer both --seeds 0 1 2 --launcher pytorch --gpus 2 --work-dir DIR
"""
import argparse
import os.path as osp

from mmengine.config import DictAction

from mmaction_merdg.apis.grid import (DATASETS, METHODS, load_config, make_cells,
                                      render, resolve_config, run_grid)

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
    p.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                   help='override entries of every config, e.g. train_cfg.max_epochs=1')
    p.add_argument('--dataset-options', nargs='+', action=DictAction, default={},
                   help='set keys in every dataset, e.g. samples_per_domain=64')
    p.add_argument('--work-dir', required=True)
    p.add_argument('--launcher', choices=['none', 'pytorch', 'slurm'], default='none')
    p.add_argument('--gpus', type=int, default=1, help='processes per cell with a launcher')
    p.add_argument('--srun-args', nargs='*', default=[], help='extra srun arguments')
    p.add_argument('--force', action='store_true',
                   help='accept other options or edited configs for finished cells')
    p.add_argument('--dry-run', action='store_true',
                   help='list the cells and load their configs; train nothing')
    p.add_argument('--title', default='', help='title of table.md')
    p.add_argument('--render-only', action='store_true',
                   help='render the table from the finished cells; train nothing')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    cells = make_cells(args.datasets, args.methods, args.mer, args.seeds, args.shifts,
                       args.subsets)
    if args.dry_run:
        for c in cells:
            path = resolve_config(REPO, c)
            load_config(path, args.cfg_options, args.dataset_options)
            print(f'{c.dataset} {c.shift} {c.subset} {c.row} seed {c.seed}: '
                  f'{osp.relpath(path, REPO)}')
        return cells
    records = run_grid(cells, args.work_dir, REPO, args.cfg_options, args.dataset_options,
                       args.launcher, args.gpus, args.srun_args, args.force,
                       run_missing=not args.render_only)
    paths = render(records, args.work_dir, args.title)
    print(open(paths['md']).read())
    print('written:', ', '.join(paths.values()))
    return records


if __name__ == '__main__':
    main()
