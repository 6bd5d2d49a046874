"""Does a config show Fusion Overfitting? The instrument check of the
synthetic benchmark, run on one method (Fusion) alone.

For every seed the config is trained at ``cooccurrence=0`` (the randomised
control) and at ``cooccurrence=1``; the effect of the co-occurrences on
source-validation and target accuracy is paired by seed and tested. The
criteria of issue 9 (``docs/synthetic_benchmark.md``, "Calibration"):
source-val at 1 at least ``min_points`` above 0 and target at 1 at least
``min_points`` below 0, each with paired t-test ``p < alpha``; and the class
evidence alone (accuracy at ``cooccurrence=0``) well above chance.
"""
import copy
import json
import os
import os.path as osp
from typing import Dict, Optional, Sequence

from mmengine.config import Config

from ..evaluation.analysis import compare_paired
from .dataset_options import set_dataset_options
from .experiment import run_experiment

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


def compare_methods(base: Dict, other: Dict, alpha: float = 0.05) -> Dict:
    """Paired comparison of two :func:`shortcut_effect` results (e.g. MER-DG
    against Fusion), run over the same seeds and dataset options.

    Args:
        base (dict): Result of the reference method (Fusion).
        other (dict): Result of the compared method (MER-DG).
        alpha (float): Significance level. Defaults to 0.05.

    Returns:
        dict: ``per_value`` (``'0'``/``'1'`` -> metric -> :func:`compare_paired`
        of ``other`` against ``base``, in points) and ``gap_change`` (metric ->
        the per-seed gap at 1 against the gap at 0: does the difference between
        the methods depend on the co-occurrences?).
    """
    out = dict(per_value={}, gap_change={})
    gaps = {}
    for v in ('0', '1'):
        a = {r['seed']: r for r in other['runs'][v]}
        b = {r['seed']: r for r in base['runs'][v]}
        seeds = sorted(set(a) & set(b))
        out['per_value'][v] = {}
        for k in KEYS:
            s = [x for x in seeds if k in a[x] and k in b[x]]
            if len(s) < 2:
                continue
            c = compare_paired([a[x][k] for x in s], [b[x][k] for x in s], alpha=alpha)
            c.pop('verdict')
            c['seeds'] = s
            out['per_value'][v][k] = c
            gaps.setdefault(k, {})[v] = {x: a[x][k] - b[x][k] for x in s}
    for k, g in gaps.items():
        if '0' in g and '1' in g:
            s = sorted(set(g['0']) & set(g['1']))
            if len(s) >= 2:
                c = compare_paired([g['1'][x] for x in s], [g['0'][x] for x in s], alpha=alpha)
                c.pop('verdict')
                out['gap_change'][k] = c
    return out


def compare_methods_table(cmp: Dict, names=('MER-DG', 'Fusion')) -> str:
    """Markdown: per co-occurrence value and metric, both means, the paired
    difference with its 95% interval and p-values; then the gap change."""
    a, b = names
    lines = [f'| cooccurrence | metric | {a} | {b} | {a} - {b} [95% CI] | t-test p | '
             'Wilcoxon p |', '|---|---|---|---|---|---|---|']
    for v, per in cmp['per_value'].items():
        for k, c in per.items():
            ci = c['diff']['ci']
            lines.append(f'| {v} | {k} | {c["a"]["mean"]:.2f} ± {c["a"]["std"]:.2f} | '
                         f'{c["b"]["mean"]:.2f} ± {c["b"]["std"]:.2f} | '
                         f'{c["diff"]["mean"]:+.2f} [{ci[0]:+.2f}, {ci[1]:+.2f}] | '
                         f'{c["ttest"]["p"]:.3g} | {c["wilcoxon"]["p"]:.3g} |')
    for k, c in cmp['gap_change'].items():
        ci = c['diff']['ci']
        lines.append(f'| gap at 1 - gap at 0 | {k} | | | {c["diff"]["mean"]:+.2f} '
                     f'[{ci[0]:+.2f}, {ci[1]:+.2f}] | {c["ttest"]["p"]:.3g} | '
                     f'{c["wilcoxon"]["p"]:.3g} |')
    return '\n'.join(lines) + '\n'
