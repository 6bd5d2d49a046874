#!/usr/bin/env python
"""Robustness of a checkpoint: missing modalities, corruptions, MSP misclassification detection.

Evaluates the test split clean, with each modality missing (and each pair for
three-modality models), and under every corruption at each severity, through
mmengine's test loop (so ``--launcher pytorch`` distributes it); writes
``<work-dir>/robustness.json`` (keys ``clean``, ``missing/<m>``,
``corruption/<name>/<severity>``: top-1 in %; ``msp``: ``aurc`` x1000,
``auroc`` %, ``fpr95`` %), ``robustness.md`` and ``robustness.png``.
Library code: ``mmaction_merdg.apis.evaluate_robustness``; protocol:
docs/robustness.md.

Example:
    python tools/analysis/robustness.py configs/merdg_synthetic.py \\
        work_dirs/quickstart/merdg/best_source_top1_epoch_9.pth \\
        --work-dir work_dirs/robustness/merdg --severities 1 3 5
"""
import argparse
import os
import os.path as osp

import mmaction_merdg  # noqa: F401  (first: registers the plugin's modules)
from mmengine.config import Config, DictAction

from mmaction_merdg.apis import evaluate_robustness, set_dataset_options
from mmaction_merdg.compat import setup_cpu_distributed
from mmaction_merdg.datasets.transforms import CORRUPTIONS


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='test config of the model')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', required=True, help='where robustness.json goes')
    parser.add_argument('--corruptions', nargs='+', choices=sorted(CORRUPTIONS),
                        help='corruptions to run (default: every one of the model\'s modalities)')
    parser.add_argument('--no-corruptions', action='store_true',
                        help='evaluate clean and missing modalities only')
    parser.add_argument('--severities', nargs='+', type=int, default=[1, 2, 3, 4, 5],
                        help='severities among 1..5 (default: all)')
    parser.add_argument('--missing-fill', nargs='+', default=['zero'], choices=['zero', 'mean'],
                        help="how a missing modality's pooled feature is filled: 'zero' (the "
                        "benchmark's protocol, keys missing/<m>) and/or 'mean' of the training "
                        'features (keys missing_mean/<m>). Default: zero')
    parser.add_argument('--feature-mean-file',
                        help="mean training features for 'mean' (default: computed and written "
                        'to <work-dir>/feature_means.json)')
    parser.add_argument('--seed', type=int, default=0, help='corruption seed (default 0)')
    parser.add_argument('--metric-key', help='accuracy key of the test metrics (default: '
                        'target/top1, else all/top1, top1, acc/top1)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries, key=value')
    parser.add_argument('--dataset-options', nargs='+', action=DictAction,
                        help='knobs set on every dataset of the config, key=value')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    parser.add_argument('--verbose', action='store_true', help='log at INFO level')
    parser.add_argument('--allow-partial-checkpoint', action='store_true',
                        help='evaluate a checkpoint whose keys do not all fit the model')
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def main(argv=None):
    args = parse_args(argv)
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {args.checkpoint}')
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if args.dataset_options:
        set_dataset_options(cfg, dict(args.dataset_options))
    cfg.launcher = args.launcher
    setup_cpu_distributed(cfg, args.launcher)
    result = evaluate_robustness(
        cfg, args.checkpoint, args.work_dir,
        corruptions=[] if args.no_corruptions else args.corruptions,
        severities=args.severities, missing_fills=args.missing_fill,
        feature_mean_file=args.feature_mean_file, seed=args.seed,
        metric_key=args.metric_key, launcher=args.launcher, quiet=not args.verbose,
        allow_partial_checkpoint=args.allow_partial_checkpoint)
    with open(osp.join(args.work_dir, 'robustness.md')) as f:
        print(f.read())
    return result


if __name__ == '__main__':
    main()
