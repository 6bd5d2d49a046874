#!/usr/bin/env python
"""Probe per-modality encoder features of a checkpoint: cross-modal dependence,
effective rank, entropy, and how much domain identity each modality carries.

A CLI over :func:`mmaction_merdg.apis.probe_checkpoint` (what it measures is
documented there). Writes ``probe.json`` and ``probe.png`` into
``--work-dir``. With ``--compare-with OTHER/probe.json`` it also draws
``probe_compare.png``, the two checkpoints side by side (e.g. Fusion against
MER-DG).

Examples:
    python tools/analysis/probe_features.py configs/merdg_synthetic.py \
        work_dirs/seeds/merdg/seed_0/best_source_top1_epoch_6.pth --work-dir work_dirs/probe/merdg
    python tools/analysis/probe_features.py configs/fusion_synthetic.py CKPT \
        --work-dir work_dirs/probe/fusion --compare-with work_dirs/probe/merdg/probe.json
    python tools/analysis/probe_features.py configs/merdg_epic_d1d2_d3.py none --dry-run
"""
import argparse
import json
import os.path as osp

from mmengine.config import DictAction

from mmaction_merdg.apis import (dry_run_check, load_config, plot_probe, probe_checkpoint,
                                 write_json)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='config the checkpoint was trained with')
    parser.add_argument('checkpoint', help='checkpoint file (ignored with --dry-run)')
    parser.add_argument('--work-dir', help='output folder (default: <checkpoint dir>/probe)')
    parser.add_argument('--label', help='name of this model in plots (default: config name)')
    parser.add_argument('--loaders', nargs='+', choices=['val', 'test'],
                        help='loaders to draw samples from (default: val, plus test when '
                        'val has no target domain)')
    parser.add_argument('--max-batches', type=int, default=None,
                        help='stop each loader after this many batches')
    parser.add_argument('--cca-components', type=int, default=10,
                        help='canonical pairs kept (default 10)')
    parser.add_argument('--cca-reg', type=float, default=0.1,
                        help='covariance shrinkage of CCA in [0, 1) (default 0.1)')
    parser.add_argument('--seed', type=int, default=0, help='seed of CCA splits and probe folds')
    parser.add_argument('--compare-with', help='probe.json of another checkpoint to plot beside')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                        help='override config entries')
    parser.add_argument('--dataset-options', nargs='+', action=DictAction, default={},
                        help='set keys in every dataset (e.g. cooccurrence=1)')
    parser.add_argument('--dry-run', action='store_true',
                        help='build model and check the config; load and probe nothing')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options, args.dataset_options)
    if args.dry_run:
        report = dry_run_check(cfg)
        report.update(config=args.config, dry_run=True)
        print(json.dumps(report, indent=2))
        return report
    result = probe_checkpoint(cfg, args.checkpoint, args.loaders, args.max_batches,
                              args.cca_components, args.cca_reg, args.seed)
    label = args.label or osp.splitext(osp.basename(args.config))[0]
    result.update(label=label, config=args.config, checkpoint=args.checkpoint,
                  cfg_options=dict(args.cfg_options), dataset_options=dict(args.dataset_options))
    work_dir = args.work_dir or osp.join(osp.dirname(osp.abspath(args.checkpoint)), 'probe')
    write_json(osp.join(work_dir, 'probe.json'), result)
    plot_probe([result], [label], osp.join(work_dir, 'probe.png'))
    if args.compare_with:
        with open(args.compare_with) as f:
            other = json.load(f)
        plot_probe([other, result], [other.get('label', 'other'), label],
                   osp.join(work_dir, 'probe_compare.png'))
    print(json.dumps(dict(label=label, num_samples=result['num_samples'],
                          cka_raw={k: {g: round(v[g]['raw']['cka'], 3) for g in v}
                                   for k, v in result['pairs'].items()},
                          domain_probe_balanced_acc={
                              k: round(v['all']['balanced_accuracy'], 3)
                              for k, v in result['domain_probe'].items()}), indent=2))
    print(f'written: {work_dir}/probe.json, probe.png')
    return result


if __name__ == '__main__':
    main()
