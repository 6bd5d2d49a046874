#!/usr/bin/env python
"""Train and test one config over several seeds; one JSON; resumable.

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
    python tools/analysis/run_seeds.py configs/fusion_synthetic.py --seeds 5 \\
        --dataset-options cooccurrence=0 --cfg-options train_cfg.max_epochs=4
    # EPIC/HAC configs without the data: build and check everything, train nothing
    python tools/analysis/run_seeds.py configs/merdg_epic_d1d2_d3.py --seeds 3 --dry-run
"""
import argparse
import json
import os
import os.path as osp
import sys
import time
from typing import Dict, List, Optional, Sequence

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from _common import (RUN_FORMAT, SEEDS_FILE, dry_run_check,  # noqa: E402
                     fmt, numeric_metrics, write_json)

REQUIRED = ('source_val_acc', 'target_acc')
FINGERPRINT = 'fingerprint.json'


def fingerprint(cfg) -> Dict:
    """Hashes that identify an experiment: resolved config, plugin source, git commit."""
    import hashlib
    import subprocess

    import mmaction_merdg
    cfg_text = json.dumps(cfg.to_dict(), sort_keys=True, default=str)
    pkg = osp.dirname(osp.abspath(mmaction_merdg.__file__))
    h = hashlib.sha256()
    for root, dirs, files in os.walk(pkg):
        dirs.sort()
        for fn in sorted(files):
            if fn.endswith('.py'):
                path = osp.join(root, fn)
                h.update(osp.relpath(path, pkg).encode())
                with open(path, 'rb') as f:
                    h.update(f.read())
    try:
        commit = subprocess.run(['git', 'rev-parse', 'HEAD'], cwd=pkg, capture_output=True,
                                text=True, timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        commit = None
    return dict(config_sha256=hashlib.sha256(cfg_text.encode()).hexdigest(),
                code_sha256=h.hexdigest(), git_commit=commit)


def parse_args(argv=None):
    from mmengine.config import DictAction
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
                        help='override config entries, e.g. model.mer_loss.loss_weight=1.0 '
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


def load_config(config: str, cfg_options: Optional[Dict] = None,
                dataset_options: Optional[Dict] = None):
    """``Config.fromfile`` plus ``--cfg-options`` and ``--dataset-options``."""
    import mmaction_merdg  # noqa: F401
    from mmengine.config import Config

    from mmaction_merdg.apis import set_dataset_options
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(dict(cfg_options))
    if dataset_options:
        set_dataset_options(cfg, dict(dataset_options))
    return cfg


def _finished(seed_dir: str) -> Optional[Dict]:
    path = osp.join(seed_dir, 'result.json')
    if not osp.isfile(path):
        return None
    try:
        with open(path) as f:
            res = json.load(f)
    except (OSError, ValueError):
        return None
    return res if all(isinstance(res.get(k), (int, float)) for k in REQUIRED) else None


def _stored_fingerprint(seed_dir: str) -> Optional[Dict]:
    path = osp.join(seed_dir, FINGERPRINT)
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def _provenance(seed_dir: str, current: Dict) -> Dict:
    fp = _stored_fingerprint(seed_dir)
    if fp is None:
        return dict(fingerprint=None, code_changed=None)
    return dict(fingerprint=fp, code_changed=fp.get('code_sha256') != current['code_sha256'])


def _check_finished(work_dir: str, seeds: Sequence[int], current: Dict, force: bool, log,
                    name: str) -> None:
    """Refuse finished seeds made from another resolved config; warn on code changes."""
    other_cfg, other_code, unknown = [], [], []
    for seed in seeds:
        seed_dir = osp.join(work_dir, f'seed_{seed}')
        if _finished(seed_dir) is None:
            continue
        fp = _stored_fingerprint(seed_dir)
        if fp is None:
            unknown.append(seed)
        elif fp.get('config_sha256') != current['config_sha256']:
            other_cfg.append(seed)
        elif fp.get('code_sha256') != current['code_sha256']:
            other_code.append(seed)
    if other_cfg and not force:
        raise ValueError(
            f'{work_dir}: seeds {other_cfg} were trained with a different resolved config (the '
            'config file or one of its bases changed since). Mixing them would compare two '
            'experiments; use another --work-dir, delete those seeds, or --force.')
    if other_cfg:
        log(f'[{name}] WARNING: --force reuses seeds {other_cfg} made with another config')
    if other_code:
        log(f'[{name}] WARNING: seeds {other_code} were trained with other mmaction_merdg '
            'source code; they are reused and marked code_changed in the JSON')
    if unknown:
        log(f'[{name}] WARNING: seeds {unknown} have no {FINGERPRINT}; their config and code '
            'cannot be checked (marked fingerprint: null)')


def summarise(runs: List[Dict]) -> Dict:
    """Mean, std, n and 95% t-interval of every numeric metric over seeds."""
    from mmaction_merdg.evaluation.analysis import mean_std, t_confidence_interval
    out = {}
    for m in numeric_metrics(dict(runs=runs)) + (['seconds'] if runs else []):
        vals = [float(r[m]) for r in runs if isinstance(r.get(m), (int, float))]
        if not vals:
            continue
        s = mean_std(vals)
        s['ci95'] = list(t_confidence_interval(vals)) if len(vals) > 1 else None
        out[m] = s
    return out


def run_seeds(config: str, seeds: Sequence[int], work_dir: str,
              cfg_options: Optional[Dict] = None, dataset_options: Optional[Dict] = None,
              name: Optional[str] = None, force: bool = False, verbose: bool = False,
              log=print) -> Dict:
    """Train/test ``config`` once per seed (skipping finished seeds); write seeds.json.

    Args:
        config (str): Config path.
        seeds (Sequence[int]): Seeds to have results for.
        work_dir (str): Output folder; seed k goes to ``<work_dir>/seed_<k>``.
        cfg_options (dict, optional): Config overrides (``--cfg-options``).
        dataset_options (dict, optional): Keys set in every dataset.
        name (str, optional): Label for tables. Defaults to the config name.
        force (bool): Resume even when the stored options differ.
        verbose (bool): Full mmengine logs.
        log (callable): Progress printer.

    Returns:
        dict: The content of ``<work_dir>/seeds.json``: ``format``, ``name``,
        ``config``, ``cfg_options``, ``dataset_options``, ``seeds``, ``runs``
        (one dict per seed, ``resumed`` marks results read back), ``summary``.
    """
    from mmaction_merdg.apis import run_experiment
    name = name or osp.splitext(osp.basename(config))[0]
    options = dict(config=osp.normpath(config), cfg_options=dict(cfg_options or {}),
                   dataset_options=dict(dataset_options or {}))
    options = json.loads(json.dumps(options, default=str))
    os.makedirs(work_dir, exist_ok=True)
    opt_path = osp.join(work_dir, 'run_options.json')
    if osp.isfile(opt_path):
        with open(opt_path) as f:
            stored = json.load(f)
        if stored != options and not force:
            raise ValueError(f'{work_dir} holds runs made with other options:\n  stored '
                             f'{stored}\n  now    {options}\nuse another --work-dir, or --force.')
    write_json(opt_path, options)
    current = fingerprint(load_config(config, cfg_options, dataset_options))
    _check_finished(work_dir, seeds, current, force, log, name)

    runs = []
    for i, seed in enumerate(seeds):
        seed_dir = osp.join(work_dir, f'seed_{seed}')
        res = _finished(seed_dir)
        if res is not None:
            log(f'[{name}] seed {seed} ({i + 1}/{len(seeds)}): finished before, skipped')
            res = dict(res, resumed=True, **_provenance(seed_dir, current))
        else:
            log(f'[{name}] seed {seed} ({i + 1}/{len(seeds)}): training in {seed_dir}')
            cfg = load_config(config, cfg_options, dataset_options)
            t0 = time.time()
            res = dict(run_experiment(cfg, seed_dir, seed=seed, quiet=not verbose),
                       resumed=False)
            write_json(osp.join(seed_dir, FINGERPRINT), current)
            res.update(_provenance(seed_dir, current))
            log(f'[{name}] seed {seed}: target {fmt(res["target_acc"], 4)}, source val '
                f'{fmt(res["source_val_acc"], 4)} ({time.time() - t0:.0f} s)')
        res['seed'] = seed
        res['work_dir'] = seed_dir
        runs.append(res)
        out = dict(format=RUN_FORMAT, name=name, **options, seeds=list(seeds)[:i + 1],
                   runs=runs, summary=summarise(runs))
        write_json(osp.join(work_dir, SEEDS_FILE), out)  # after every seed: partial progress
    return out


def summary_table(result: Dict) -> str:
    """Markdown table of mean ± std [95% CI] per metric (accuracies in % when fractions)."""
    from _common import METRIC_TITLES, is_fraction
    lines = [f'{result["name"]}: {len(result["runs"])} seeds {result["seeds"]}', '',
             '| metric | mean ± std | 95% CI |', '|---|---|---|']
    for m, s in result['summary'].items():
        vals = [r[m] for r in result['runs'] if isinstance(r.get(m), (int, float))]
        k = 100.0 if m != 'seconds' and is_fraction(vals) else 1.0
        ci = (f'[{fmt(k * s["ci95"][0])}, {fmt(k * s["ci95"][1])}]' if s['ci95'] else 'n/a')
        lines.append(f'| {METRIC_TITLES.get(m, m)} | {fmt(k * s["mean"])} ± {fmt(k * s["std"])} '
                     f'| {ci} |')
    return '\n'.join(lines) + '\n'


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
