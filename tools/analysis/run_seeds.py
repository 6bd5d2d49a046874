#!/usr/bin/env python
"""Train and test one config over several seeds; one JSON; resumable.

A CLI over :func:`mmaction_merdg.apis.run_seeds`.

For each seed k the config is trained in ``<work-dir>/seed_<k>/`` by
``mmaction_merdg.apis.run_experiment``: training with model selection on the
SOURCE domains' held-out split, then a test of that checkpoint on the target
split. Each seed's figures (``source_val_acc``, ``target_acc`` at the best
source-val checkpoint, ``oracle_target_acc`` = best target accuracy over
validations, which prior releases reported, ``seconds``) are collected into
``<work-dir>/seeds.json`` together with mean, std and 95% t-interval.

Seeds run one after another. The run is resumable: a seed whose
``seed_<k>/result.json`` exists is not run again (its result is read back), so
rerunning the same command after an interruption, or with more ``--seeds``,
only trains what is missing. A seed interrupted mid-training is retrained from
scratch. Resuming never mixes two experiments in one table silently:

* the options of the first call are stored in ``run_options.json``; other
  options are refused;
* each seed stores ``fingerprint.json``: a hash of the fully resolved config
  (so an edited config file or base is caught), a hash of the ``mmaction_merdg``
  source and the git commit. A finished seed whose config hash differs from the
  current one is refused; one whose code hash differs is reused with a warning
  and marked ``code_changed`` in the JSON (code edits are often unrelated).
  ``--force`` overrides both refusals.

Examples:
    python tools/analysis/run_seeds.py configs/merdg_synthetic.py --seeds 5
    python tools/analysis/run_seeds.py configs/fusion_synthetic.py --seeds 5 \
        --dataset-options cooccurrence=0 --cfg-options train_cfg.max_epochs=4
    # EPIC/HAC configs without the data: build and check everything, train nothing
    python tools/analysis/run_seeds.py configs/merdg_epic_d1d2_d3.py --seeds 3 --dry-run
"""
import argparse
import json
import os.path as osp
from typing import List

from mmengine.config import DictAction

from mmaction_merdg.apis import dry_run_check, load_config, run_seeds, summary_table
from mmaction_merdg.apis.results import SEEDS_FILE


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='training config (e.g. configs/merdg_synthetic.py)')
    parser.add_argument('--seeds', type=int, default=3,
                        help='number of seeds: first-seed, first-seed+1, ... (default 3)')
    parser.add_argument('--first-seed', type=int, default=0, help='first seed (default 0)')
    parser.add_argument('--seed-list', type=int, nargs='+',
                        help='explicit seeds (overrides --seeds/--first-seed)')
    parser.add_argument('--work-dir',
                        help='output folder (default work_dirs/seeds/<config name>)')
    parser.add_argument('--name', help='label of this run in tables (default: config name)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                        help='override config entries, e.g. model.regularizers.mer.loss.loss_weight=1.0 '
                        'train_cfg.max_epochs=3')
    parser.add_argument('--dataset-options', nargs='+', action=DictAction, default={},
                        help='set keys in EVERY dataset of the config, e.g. cooccurrence=0.5')
    parser.add_argument('--dry-run', action='store_true',
                        help='load the config with the options, build the model (and the '
                        'datasets whose files exist), check the loaders; train nothing')
    parser.add_argument('--force', action='store_true',
                        help='resume even if the stored options differ from these')
    parser.add_argument('--verbose', action='store_true',
                        help='full mmengine logs (default: warnings only)')
    return parser.parse_args(argv)


def seeds_from_args(args) -> List[int]:
    if args.seed_list:
        return list(dict.fromkeys(args.seed_list))
    if args.seeds < 1:
        raise SystemExit('--seeds must be >= 1')
    return list(range(args.first_seed, args.first_seed + args.seeds))


def main(argv=None):
    args = parse_args(argv)
    seeds = seeds_from_args(args)
    work_dir = args.work_dir or osp.join(
        'work_dirs', 'seeds', osp.splitext(osp.basename(args.config))[0])
    if args.dry_run:
        cfg = load_config(args.config, args.cfg_options, args.dataset_options)
        report = dry_run_check(cfg)
        report.update(config=args.config, seeds=seeds, work_dir=work_dir, dry_run=True)
        print(json.dumps(report, indent=2))
        return report
    result = run_seeds(args.config, seeds, work_dir, args.cfg_options, args.dataset_options,
                       args.name, args.force, args.verbose)
    print(summary_table(result))
    print(f'written: {osp.join(work_dir, SEEDS_FILE)}')
    return result


if __name__ == '__main__':
    main()
