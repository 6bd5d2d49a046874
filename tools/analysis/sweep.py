#!/usr/bin/env python
"""Sweep one setting of a config over values, each over seeds; table and plot.

A CLI over :func:`mmaction_merdg.apis.sweep`.

For every value the config is run over the seeds with ``run_seeds`` (so the
sweep is resumable too) in ``<work-dir>/<key>=<value>/``. The result is a
Markdown table and a JSON with, per value, mean ± std of the target accuracy
(at the best source-val checkpoint), the source-val and oracle accuracies, and a
paired comparison (t-test, Wilcoxon, d_z) against the baseline value (the first
one unless ``--baseline`` says otherwise), plus a PNG of accuracy against the
value with the per-seed points and 95% intervals.

``--param`` is a config key (dots, as in ``--cfg-options``) or, with the prefix
``dataset:``, a key set in every dataset of the config (``--dataset-options``).

Examples:
    # MER weight (0 is the Fusion baseline on the same code path)
    python tools/analysis/sweep.py configs/merdg_synthetic.py \
        --param model.regularizers.mer.loss.loss_weight --values 0 0.3 1 3 10 --seeds 3
    # entropy estimator
    python tools/analysis/sweep.py configs/merdg_synthetic.py \
        --param model.regularizers.mer.loss.estimator --values logdet vne coding_rate
    # a knob of the synthetic world
    python tools/analysis/sweep.py configs/merdg_synthetic.py \
        --param dataset:cooccurrence --values 0 0.5 1
"""
import argparse
import json
import os.path as osp

from mmengine.config import DictAction

from mmaction_merdg.apis import (dry_run_check, load_config, options_for, slug, sweep,
                                 sweep_to_markdown)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='training config')
    parser.add_argument('--param', required=True,
                        help='config key (e.g. model.regularizers.mer.loss.loss_weight) or dataset:<key>')
    parser.add_argument('--values', required=True, nargs='+',
                        help='values to try (parsed as --cfg-options values are: int, float, '
                        'bool, None, tuple/list, else str)')
    parser.add_argument('--baseline', help='value the others are compared with '
                        '(default: the first of --values)')
    parser.add_argument('--seeds', type=int, default=3, help='seeds per value (default 3)')
    parser.add_argument('--first-seed', type=int, default=0, help='first seed (default 0)')
    parser.add_argument('--work-dir',
                        help='output folder (default work_dirs/sweep/<config>_<param>)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                        help='fixed config overrides for every value')
    parser.add_argument('--dataset-options', nargs='+', action=DictAction, default={},
                        help='fixed keys set in every dataset for every value')
    parser.add_argument('--dry-run', action='store_true',
                        help='build the model and check the config for every value; train nothing')
    parser.add_argument('--force', action='store_true', help='see run_seeds.py --force')
    parser.add_argument('--verbose', action='store_true', help='full mmengine logs')
    return parser.parse_args(argv)


def parse_value(text: str):
    """A command-line value, parsed as mmengine's DictAction parses --cfg-options values."""
    return DictAction._parse_iterable(text)


def main(argv=None):
    args = parse_args(argv)
    values = [parse_value(v) for v in args.values]
    baseline = parse_value(args.baseline) if args.baseline is not None else None
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    work_dir = args.work_dir or osp.join(
        'work_dirs', 'sweep', f'{osp.splitext(osp.basename(args.config))[0]}_{slug(args.param)}')
    if args.dry_run:
        reports = {}
        for v in values:
            co, do = options_for(args.param, v, args.cfg_options, args.dataset_options)
            reports[str(v)] = dry_run_check(load_config(args.config, co, do))
        print(json.dumps(dict(config=args.config, param=args.param, dry_run=True,
                              values=reports), indent=2))
        return reports
    result = sweep(args.config, args.param, values, seeds, work_dir, args.cfg_options,
                   args.dataset_options, baseline, args.force, args.verbose)
    print(sweep_to_markdown(result))
    print(f'written: {work_dir}/sweep.json, sweep.md, sweep.png')
    return result


if __name__ == '__main__':
    main()
