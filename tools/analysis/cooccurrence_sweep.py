#!/usr/bin/env python
"""The "what would settle it" experiment: Fusion vs MER-DG as co-occurrences
are randomised while the domain shift stays.

On the synthetic benchmark the ``cooccurrence`` knob (set in every dataset of
both configs) is the probability that a source sample follows its domain's
cross-modal nuisance pairing; 0 randomises the pairing (it then carries no
label information) while the recording-condition shift between domains
remains. For each knob value both configs are trained over the same seeds
(:func:`cooccurrence_sweep`) and :func:`analyse` gives:

* per value: target accuracy (at the best source-val checkpoint) of Fusion and
  MER-DG, mean ± std and 95% interval; the MER-DG - Fusion gap paired by seed
  with its interval, paired t-test and Wilcoxon p-values;
* the trend: least-squares slope of the per-seed gap against the knob (95%
  interval, p), and the contrast gap(max knob) - gap(min knob) paired by seed;
* the shortcut's effect on each method: accuracy at the highest knob minus at
  the lowest, paired by seed (a check of the instrument itself).

It prints figures; how to read them (what supports or contradicts the paper's
explanation) is in docs/analysis.md.

Outputs in ``--work-dir``: ``cooccurrence.json``, ``cooccurrence.md``,
``cooccurrence.png``.

Example:
    python tools/analysis/cooccurrence_sweep.py --seeds 3 \\
        --cfg-options train_cfg.max_epochs=3 --work-dir work_dirs/cooccurrence
"""
import argparse
import json
import os.path as osp
from typing import Dict, Sequence

from mmengine.config import DictAction
from scipy import stats as sps

from mmaction_merdg.apis import dry_run_check, load_config, run_seeds
from mmaction_merdg.apis.results import fmt, fmt_p, is_fraction, slug, write_json
from mmaction_merdg.evaluation.analysis import (compare_paired, mean_std,
                                                t_confidence_interval)

METHODS = ('fusion', 'merdg')


def _acc(run: Dict, key: str = 'target_acc') -> Dict[int, float]:
    vals = {r['seed']: float(r[key]) for r in run['runs']}
    k = 100.0 if is_fraction(list(vals.values())) else 1.0
    return {s: k * v for s, v in vals.items()}


def analyse(values: Sequence[float], runs: Dict[str, Dict[str, Dict]], alpha: float = 0.05,
            knob: str = 'cooccurrence') -> Dict:
    """Per-value statistics, the trend of the gap and the shortcut's effect.

    Figures only; docs/analysis.md says how to read them.

    Args:
        values: knob values, in the order run.
        runs: ``method -> slug(value) -> run_seeds result``.
    """
    rows, xs, gaps = [], [], []
    per_seed_gap = {}
    for v in sorted(values):  # rows and plot in knob order, whatever the run order
        f, m = _acc(runs['fusion'][slug(v)]), _acc(runs['merdg'][slug(v)])
        seeds = sorted(set(f) & set(m))
        row = dict(value=v, seeds=seeds)
        for name, acc in (('fusion', f), ('merdg', m)):
            vals = [acc[s] for s in sorted(acc)]
            row[name] = dict(mean_std(vals), values=vals,
                             ci95=list(t_confidence_interval(vals)) if len(vals) > 1 else None)
        if len(seeds) >= 2:
            c = compare_paired([m[s] for s in seeds], [f[s] for s in seeds], alpha=alpha,
                               names=('MER-DG', 'Fusion'))
            row['gap'] = dict(c['diff'], p_ttest=c['ttest']['p'], p_wilcoxon=c['wilcoxon']['p'],
                              cohens_dz=c['cohens_dz'], significant=c['significant'],
                              values=[m[s] - f[s] for s in seeds])
        for s in seeds:
            xs.append(v)
            gaps.append(m[s] - f[s])
            per_seed_gap.setdefault(s, {})[v] = m[s] - f[s]
        rows.append(row)
    out = dict(knob=knob, values=sorted(values), alpha=alpha, rows=rows)
    trend = None
    if len(set(xs)) >= 2 and len(xs) >= 3:
        lr = sps.linregress(xs, gaps)
        tq = sps.t.ppf(1 - alpha / 2, len(xs) - 2)
        trend = dict(slope=lr.slope,
                     slope_ci=[lr.slope - tq * lr.stderr, lr.slope + tq * lr.stderr],
                     p=lr.pvalue, intercept=lr.intercept, n_points=len(xs),
                     unit='points of gap per unit of knob')
        lo, hi = min(values), max(values)
        ends = [s for s, g in per_seed_gap.items() if lo in g and hi in g]
        if len(ends) >= 2:
            c = compare_paired([per_seed_gap[s][hi] for s in ends],
                               [per_seed_gap[s][lo] for s in ends], alpha=alpha,
                               names=(f'gap@{hi}', f'gap@{lo}'))
            trend['end_contrast'] = dict(c['diff'], p_ttest=c['ttest']['p'],
                                         p_wilcoxon=c['wilcoxon']['p'], verdict=c['verdict'])
    out['trend'] = trend
    out['shortcut'] = shortcut_effect(values, runs, alpha)
    return out


def shortcut_effect(values: Sequence[float], runs: Dict[str, Dict[str, Dict]],
                    alpha: float = 0.05) -> Dict:
    """Per method: accuracy at the highest knob minus at the lowest, paired by seed.

    The check of the instrument itself. A usable co-occurrence shortcut raises
    source-val accuracy (the source validation split follows the rule); if it
    misleads the model, target accuracy drops. Fusion Overfitting, which MER-DG
    claims to cure, is a target drop for Fusion.
    """
    lo, hi = min(values), max(values)
    out = dict(low=lo, high=hi)
    for method in METHODS:
        out[method] = {}
        for key, name in (('target_acc', 'target'), ('source_val_acc', 'source_val')):
            a, b = _acc(runs[method][slug(hi)], key), _acc(runs[method][slug(lo)], key)
            seeds = sorted(set(a) & set(b))
            if len(seeds) < 2:
                continue
            c = compare_paired([a[s] for s in seeds], [b[s] for s in seeds], alpha=alpha)
            out[method][name] = dict(c['diff'], p_ttest=c['ttest']['p'],
                                     p_wilcoxon=c['wilcoxon']['p'], significant=c['significant'])
    return out


def cooccurrence_to_markdown(res: Dict) -> str:
    """Markdown tables of :func:`analyse` output (figures only)."""
    k = res['knob']
    lines = ['Target accuracy (%) at the best source-val checkpoint, mean ± std over seeds; '
             'gap = MER-DG - Fusion paired by seed, 95% CI.', '',
             f'| {k} | seeds | Fusion | MER-DG | gap [95% CI] | t-test p | Wilcoxon p |',
             '|---|---|---|---|---|---|---|']
    for r in res['rows']:
        g = r.get('gap')
        gap = (f'{fmt(g["mean"], sign=True)} [{fmt(g["ci"][0], sign=True)}, '
               f'{fmt(g["ci"][1], sign=True)}]' if g else 'n/a')
        lines.append(f'| {r["value"]} | {len(r["seeds"])} | {fmt(r["fusion"]["mean"])} ± '
                     f'{fmt(r["fusion"]["std"])} | {fmt(r["merdg"]["mean"])} ± '
                     f'{fmt(r["merdg"]["std"])} | {gap} | '
                     f'{fmt_p(g["p_ttest"]) if g else "n/a"} | '
                     f'{fmt_p(g["p_wilcoxon"]) if g else "n/a"} |')
    sc = res.get('shortcut') or {}
    if any(sc.get(m) for m in METHODS):
        lo, hi = sc['low'], sc['high']
        lines += ['', f'Effect of the co-occurrences on each method: accuracy at {k}={hi} minus '
                  f'at {k}={lo}, paired by seed (points, 95% CI, t-test p).', '',
                  '| method | target | source val |', '|---|---|---|']
        for m in METHODS:
            cells = []
            for key in ('target', 'source_val'):
                e = sc[m].get(key)
                cells.append(f'{fmt(e["mean"], sign=True)} [{fmt(e["ci"][0], sign=True)}, '
                             f'{fmt(e["ci"][1], sign=True)}], p={fmt_p(e["p_ttest"])}'
                             if e else 'n/a')
            lines.append(f'| {"Fusion" if m == "fusion" else "MER-DG"} | ' + ' | '.join(cells)
                         + ' |')
    t = res.get('trend')
    if t:
        lines += ['', f'Trend of the gap: slope {fmt(t["slope"], sign=True)} '
                  f'[{fmt(t["slope_ci"][0], sign=True)}, {fmt(t["slope_ci"][1], sign=True)}] '
                  f'points per unit of {k} (p={fmt_p(t["p"])}, {t["n_points"]} points).']
        e = t.get('end_contrast')
        if e:
            lines.append(f'Gap at the highest minus at the lowest {k}, paired by seed: '
                         f'{fmt(e["mean"], sign=True)} [{fmt(e["ci"][0], sign=True)}, '
                         f'{fmt(e["ci"][1], sign=True)}] (p={fmt_p(e["p_ttest"])}).')
    else:
        lines += ['', 'Trend of the gap: n/a (needs >= 2 seeds and >= 2 values).']
    return '\n'.join(lines) + '\n'


def plot_cooccurrence(res: Dict, path: str) -> None:
    """Target accuracy of both methods, and their gap, against the knob."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    xs = [r['value'] for r in res['rows']]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.4), dpi=110)
    for j, (name, lab) in enumerate((('fusion', 'Fusion'), ('merdg', 'MER-DG'))):
        off = (j - 0.5) * 0.012
        means = [r[name]['mean'] for r in res['rows']]
        lo = [r[name]['mean'] - r[name]['ci95'][0] if r[name]['ci95'] else 0 for r in res['rows']]
        hi = [r[name]['ci95'][1] - r[name]['mean'] if r[name]['ci95'] else 0 for r in res['rows']]
        for x, r in zip(xs, res['rows']):
            a1.scatter([x + off] * len(r[name]['values']), r[name]['values'], s=8,
                       color=f'C{j}', alpha=0.35)
        a1.errorbar([x + off for x in xs], means, yerr=[lo, hi], marker='o', ms=4, capsize=3,
                    color=f'C{j}', label=lab)
    a1.set_xlabel(res['knob'])
    a1.set_ylabel('target accuracy (%)')
    a1.set_title('target accuracy at best source-val (95% CI)', fontsize=9)
    a1.legend(fontsize=8)
    a1.grid(alpha=0.3)
    rows = [r for r in res['rows'] if 'gap' in r]
    if rows:
        gx = [r['value'] for r in rows]
        for r in rows:
            a2.scatter([r['value']] * len(r['gap']['values']), r['gap']['values'], s=8,
                       color='C3', alpha=0.35)
        a2.errorbar(gx, [r['gap']['mean'] for r in rows],
                    yerr=[[r['gap']['mean'] - r['gap']['ci'][0] for r in rows],
                          [r['gap']['ci'][1] - r['gap']['mean'] for r in rows]],
                    marker='o', ms=4, capsize=3, color='C3', label='MER-DG - Fusion')
        t = res.get('trend')
        if t:
            lx = [min(gx), max(gx)]
            a2.plot(lx, [t['intercept'] + t['slope'] * x for x in lx], ls=':', color='C3',
                    label=f'slope {t["slope"]:+.2f} (p={fmt_p(t["p"])})')
    a2.axhline(0, color='k', lw=0.8)
    a2.set_xlabel(res['knob'])
    a2.set_ylabel('gap (points)')
    a2.set_title('MER-DG - Fusion, paired by seed (95% CI)', fontsize=9)
    a2.legend(fontsize=7)
    a2.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def cooccurrence_sweep(fusion_config: str, merdg_config: str, values: Sequence[float],
                       seeds: Sequence[int], work_dir: str, knob: str = 'cooccurrence',
                       alpha: float = 0.05, cfg_options=None, dataset_options=None,
                       force: bool = False, verbose: bool = False, log=print) -> Dict:
    """Train both configs at every knob value over ``seeds`` (resumable); analyse.

    Writes ``cooccurrence.json``, ``cooccurrence.md`` and ``cooccurrence.png``
    into ``work_dir`` and returns the :func:`analyse` result.
    """
    configs = dict(fusion=fusion_config, merdg=merdg_config)
    runs = {name: {} for name in METHODS}
    # Value-major order: a partial sweep already has both methods at the first values.
    for v in values:
        for name in METHODS:
            do = dict(dataset_options or {}, **{knob: v})
            runs[name][slug(v)] = run_seeds(
                configs[name], seeds, osp.join(work_dir, f'{knob}={slug(v)}', name),
                cfg_options, do, name=f'{name}@{knob}={v}', force=force, verbose=verbose,
                log=log)
    res = analyse(values, runs, alpha, knob)
    res.update(configs=configs, seeds=list(seeds), cfg_options=dict(cfg_options or {}),
               dataset_options=dict(dataset_options or {}))
    write_json(osp.join(work_dir, 'cooccurrence.json'), res)
    with open(osp.join(work_dir, 'cooccurrence.md'), 'w') as f:
        f.write(cooccurrence_to_markdown(res))
    plot_cooccurrence(res, osp.join(work_dir, 'cooccurrence.png'))
    return res


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
