#!/usr/bin/env python
"""Fusion Overfitting check of one config: accuracy at cooccurrence 1 minus 0.

Trains the config at ``cooccurrence`` 0 (the randomised control) and 1 over
the same seeds and prints the paired effect on source-val, target and oracle
accuracy, with p-values and whether the calibration criteria of
docs/synthetic_benchmark.md ("Calibration") hold: source-val at 1 at least
``--min-points`` above 0 and target at 1 at least ``--min-points`` below 0,
each with paired t-test ``p < alpha``; and the class evidence alone (accuracy
at ``cooccurrence=0``) well above chance.

Example:
    python tools/analysis/shortcut_effect.py configs/fusion_synthetic_vector.py \\
        --seeds 5 --dataset-options nuisance_strength=0.5 --work-dir work_dirs/calib/v
"""
import argparse
import copy
import json
import os
import os.path as osp
from typing import Dict, Optional, Sequence

from mmengine.config import Config, DictAction

from mmaction_merdg.apis import run_experiment, set_dataset_options
from mmaction_merdg.evaluation.analysis import compare_paired

KEYS = ('source_val_acc', 'target_acc', 'oracle_target_acc')


def _cell(cfg: Config, options: Dict, cooccurrence: float, seed: int, work_dir: str) -> Dict:
    """One finished run (read back from ``result.json`` when present)."""
    path = osp.join(work_dir, 'result.json')
    if osp.isfile(path):
        with open(path) as f:
            res = json.load(f)
        if res.get('options') == dict(options, cooccurrence=cooccurrence):
            return res
    cfg = copy.deepcopy(cfg)  # set_dataset_options edits in place
    set_dataset_options(cfg, dict(options, cooccurrence=cooccurrence))
    res = run_experiment(cfg, work_dir, seed=seed, quiet=True)
    res['options'] = dict(options, cooccurrence=cooccurrence)
    with open(path, 'w') as f:
        json.dump(res, f, indent=2)
    return res


def shortcut_effect(config: str,
                    seeds: Sequence[int],
                    work_dir: str,
                    dataset_options: Optional[Dict] = None,
                    cfg_options: Optional[Dict] = None,
                    min_points: float = 5.0,
                    alpha: float = 0.05,
                    log=print) -> Dict:
    """Train ``config`` at cooccurrence 0 and 1 for every seed; test the effect.

    Args:
        config (str): Config path (Fusion, for a calibration).
        seeds (Sequence[int]): Seeds, the same at both values (paired).
        work_dir (str): Runs go to ``<work_dir>/cooccurrence=<v>/seed_<k>``;
            finished runs with the same options are read back, not retrained.
        dataset_options (dict, optional): Dataset knobs set everywhere (the
            ``cooccurrence`` value is added per cell).
        cfg_options (dict, optional): Config overrides (``merge_from_dict``).
        min_points (float): Required effect size in accuracy points.
            Defaults to 5.
        alpha (float): Significance level of the paired t-tests. Defaults to 0.05.
        log (callable): Progress printer.

    Returns:
        dict: ``runs`` (``'0'``/``'1'`` -> per-seed results, accuracies in %),
        ``effect`` (per metric: :func:`compare_paired` of 1 against 0, in
        points), ``class_evidence`` (mean source-val and target accuracy at 0,
        and chance), ``criteria`` (booleans ``source_val_up``,
        ``target_down``, ``all``). Also written to
        ``<work_dir>/shortcut_effect.json``.
    """
    options = dict(dataset_options or {})
    base = Config.fromfile(config)
    if cfg_options:
        base.merge_from_dict(dict(cfg_options))
    runs = {}
    for cooc in (0.0, 1.0):
        key = str(int(cooc))
        runs[key] = []
        for seed in seeds:
            run_dir = osp.join(work_dir, f'cooccurrence={int(cooc)}', f'seed_{seed}')
            res = _cell(base, options, cooc, seed, run_dir)
            row = {k: 100.0 * float(res[k]) for k in KEYS if res.get(k) is not None}
            row['seed'] = seed
            runs[key].append(row)
            log(f'[{osp.basename(config)} {options} cooccurrence={cooc:g} seed {seed}] '
                + ', '.join(f'{k} {row[k]:.2f}' for k in KEYS if k in row))
    effect = {}
    for k in KEYS:
        a = [r[k] for r in runs['1'] if k in r]
        b = [r[k] for r in runs['0'] if k in r]
        if len(a) == len(b) >= 2:
            c = compare_paired(a, b, alpha=alpha, names=('cooccurrence=1', 'cooccurrence=0'))
            c.pop('verdict')
            effect[k] = c
    num_classes = int(base.model.cls_head.get('num_classes', 0)) or None
    class_evidence = dict(
        source_val_acc=sum(r['source_val_acc'] for r in runs['0']) / len(seeds),
        target_acc=sum(r['target_acc'] for r in runs['0']) / len(seeds),
        chance=100.0 / num_classes if num_classes else None)
    criteria = {}
    if 'source_val_acc' in effect and 'target_acc' in effect:
        sv, tg = effect['source_val_acc'], effect['target_acc']
        criteria['source_val_up'] = bool(sv['diff']['mean'] >= min_points
                                         and sv['ttest']['p'] < alpha)
        criteria['target_down'] = bool(tg['diff']['mean'] <= -min_points
                                       and tg['ttest']['p'] < alpha)
        criteria['all'] = criteria['source_val_up'] and criteria['target_down']
    out = dict(config=config, dataset_options=options, cfg_options=dict(cfg_options or {}),
               seeds=list(seeds), min_points=min_points, alpha=alpha, runs=runs,
               effect=effect, class_evidence=class_evidence, criteria=criteria)
    os.makedirs(work_dir, exist_ok=True)
    with open(osp.join(work_dir, 'shortcut_effect.json'), 'w') as f:
        json.dump(out, f, indent=2, default=float)
    return out


def shortcut_effect_table(result: Dict) -> str:
    """Markdown: one row per metric, means at 0 and 1, the paired effect, p."""
    lines = ['| metric | cooccurrence=0 | cooccurrence=1 | 1 - 0 [95% CI] | t-test p | '
             'Wilcoxon p |', '|---|---|---|---|---|---|']
    for k, c in result['effect'].items():
        ci = c['diff']['ci']
        lines.append(f'| {k} | {c["b"]["mean"]:.2f} ± {c["b"]["std"]:.2f} | '
                     f'{c["a"]["mean"]:.2f} ± {c["a"]["std"]:.2f} | {c["diff"]["mean"]:+.2f} '
                     f'[{ci[0]:+.2f}, {ci[1]:+.2f}] | {c["ttest"]["p"]:.3g} | '
                     f'{c["wilcoxon"]["p"]:.3g} |')
    return '\n'.join(lines) + '\n'




def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='config to check (Fusion, for a calibration)')
    parser.add_argument('--seeds', type=int, default=5, help='seeds 0..n-1 (default 5)')
    parser.add_argument('--work-dir', required=True, help='output folder')
    parser.add_argument('--dataset-options', nargs='+', action=DictAction, default={},
                        help='dataset knobs set everywhere, e.g. nuisance_strength=0.5')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                        help='config overrides, e.g. train_cfg.max_epochs=5')
    parser.add_argument('--min-points', type=float, default=5.0)
    parser.add_argument('--alpha', type=float, default=0.05)
    args = parser.parse_args(argv)
    res = shortcut_effect(args.config, list(range(args.seeds)), args.work_dir,
                          dict(args.dataset_options), dict(args.cfg_options),
                          args.min_points, args.alpha)
    print(shortcut_effect_table(res))
    print('class evidence (accuracy at cooccurrence=0): '
          + json.dumps({k: v for k, v in res['class_evidence'].items()}))
    print('criteria: ' + json.dumps(res['criteria']))
    return res


if __name__ == '__main__':
    main()
