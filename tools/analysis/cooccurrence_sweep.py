#!/usr/bin/env python
"""The "what would settle it" experiment: Fusion vs MER-DG as co-occurrences
are randomised while the domain shift stays.

A CLI over :func:`mmaction_merdg.apis.cooccurrence_sweep` (what it measures is
documented there). It prints figures: per knob value the target accuracy of
both methods and their gap paired by seed, the trend of the gap, and the
co-occurrences' effect on each method. How to read them (what supports or
contradicts the paper's explanation) is in docs/analysis.md.

Outputs in ``--work-dir``: ``cooccurrence.json``, ``cooccurrence.md``,
``cooccurrence.png``.

Example:
    python tools/analysis/cooccurrence_sweep.py --seeds 3 \\
        --cfg-options train_cfg.max_epochs=3 --work-dir work_dirs/cooccurrence
"""
import argparse
import json

from mmengine.config import DictAction

from mmaction_merdg.apis import (cooccurrence_sweep, cooccurrence_to_markdown,
                                 dry_run_check, load_config)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--fusion-config', default='configs/fusion_synthetic.py',
                        help='baseline config (default configs/fusion_synthetic.py)')
    parser.add_argument('--merdg-config', default='configs/merdg_synthetic.py',
                        help='MER-DG config (default configs/merdg_synthetic.py)')
    parser.add_argument('--knob', default='cooccurrence',
                        help='dataset key to sweep (default cooccurrence)')
    parser.add_argument('--values', type=float, nargs='+', default=[0, 0.25, 0.5, 0.75, 1],
                        help='knob values (default 0 0.25 0.5 0.75 1)')
    parser.add_argument('--seeds', type=int, default=3, help='seeds per cell (default 3)')
    parser.add_argument('--first-seed', type=int, default=0, help='first seed (default 0)')
    parser.add_argument('--alpha', type=float, default=0.05, help='significance level')
    parser.add_argument('--work-dir', default='work_dirs/cooccurrence_sweep',
                        help='output folder (default work_dirs/cooccurrence_sweep)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                        help='overrides applied to both configs, e.g. train_cfg.max_epochs=3')
    parser.add_argument('--dataset-options', nargs='+', action=DictAction, default={},
                        help='fixed dataset keys for both configs (the knob is added per value)')
    parser.add_argument('--dry-run', action='store_true',
                        help='build both models at every value and check the configs; '
                        'train nothing')
    parser.add_argument('--force', action='store_true', help='see run_seeds.py --force')
    parser.add_argument('--verbose', action='store_true', help='full mmengine logs')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.dry_run:
        reports = {}
        configs = dict(fusion=args.fusion_config, merdg=args.merdg_config)
        for name, cfg_path in configs.items():
            for v in args.values:
                do = dict(args.dataset_options, **{args.knob: v})
                reports[f'{name}@{v}'] = dry_run_check(load_config(cfg_path, args.cfg_options, do))
        print(json.dumps(dict(dry_run=True, configs=configs, reports=reports), indent=2))
        return reports
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    res = cooccurrence_sweep(args.fusion_config, args.merdg_config, args.values, seeds,
                             args.work_dir, args.knob, args.alpha, args.cfg_options,
                             args.dataset_options, args.force, args.verbose)
    print(cooccurrence_to_markdown(res))
    print(f'written: {args.work_dir}/cooccurrence.json, .md, .png')
    return res


if __name__ == '__main__':
    main()
