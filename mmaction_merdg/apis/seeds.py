"""Train and test one config over several seeds; one JSON; resumable.

For each seed k the config is trained in ``<work_dir>/seed_<k>/`` by
:func:`mmaction_merdg.apis.run_experiment` (model selection on the source
domains' held-out split, then a test of that checkpoint on the target split).
The per-seed figures are collected into ``<work_dir>/seeds.json`` with mean,
std and 95% t-interval. Seeds run one after another; a seed whose
``seed_<k>/result.json`` exists is read back, not retrained.

Resuming never mixes two experiments silently: the options of the first call
are stored in ``run_options.json`` (other options are refused), and each seed
stores ``fingerprint.json`` (hashes of the resolved config and of the
``mmaction_merdg`` source, and the git commit). A finished seed made from
another resolved config is refused; one made with other source code is reused,
with a warning, and marked ``code_changed``. ``force=True`` overrides both.
"""
import json
import os
import os.path as osp
import time
from typing import Dict, List, Optional, Sequence

from mmaction_merdg.evaluation.analysis import mean_std, t_confidence_interval
from .dataset_options import load_config
from .fingerprint import config_fingerprint as fingerprint
from .results import (METRIC_TITLES, RUN_FORMAT, SEEDS_FILE, fmt, is_fraction,
                      numeric_metrics, write_json)

REQUIRED = ('source_val_acc', 'target_acc')
FINGERPRINT = 'fingerprint.json'


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
    from . import experiment  # looked up at call time: tests may wrap it
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
            res = dict(experiment.run_experiment(cfg, seed_dir, seed=seed, quiet=not verbose),
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
    lines = [f'{result["name"]}: {len(result["runs"])} seeds {result["seeds"]}', '',
             '| metric | mean ± std | 95% CI |', '|---|---|---|']
    for m, s in result['summary'].items():
        vals = [r[m] for r in result['runs'] if isinstance(r.get(m), (int, float))]
        k = 100.0 if m != 'seconds' and is_fraction(vals) else 1.0
        ci = (f'[{fmt(k * s["ci95"][0])}, {fmt(k * s["ci95"][1])}]' if s['ci95'] else 'n/a')
        lines.append(f'| {METRIC_TITLES.get(m, m)} | {fmt(k * s["mean"])} ± {fmt(k * s["std"])} '
                     f'| {ci} |')
    return '\n'.join(lines) + '\n'
