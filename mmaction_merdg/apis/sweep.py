"""Sweep one setting of a config over values, each over seeds.

For every value the config is run over the seeds with :func:`run_seeds` (so
the sweep is resumable too) in ``<work_dir>/<key>=<value>/``. The summary
holds, per value, mean ± std of the target accuracy (at the best source-val
checkpoint), the source-val and oracle accuracies, and a paired comparison
(t-test, Wilcoxon, d_z) against the baseline value.

``param`` is a config key (dots, as in ``--cfg-options``) or, with the prefix
``dataset:``, a key set in every dataset of the config.
"""
import os.path as osp
from typing import Dict, List, Optional, Sequence

from mmaction_merdg.evaluation.analysis import compare_paired, mean_std
from mmaction_merdg.evaluation.analysis import t_confidence_interval as tci
from .results import METRIC_TITLES, fmt, fmt_p, is_fraction, slug, write_json
from .seeds import run_seeds

PLOT_METRICS = ('target_acc', 'source_val_acc', 'oracle_target_acc')


def options_for(param: str, value, cfg_options: Dict, dataset_options: Dict):
    """(cfg_options, dataset_options) with ``param`` set to ``value``."""
    cfg_options, dataset_options = dict(cfg_options or {}), dict(dataset_options or {})
    if param.startswith('dataset:'):
        dataset_options[param[len('dataset:'):]] = value
    else:
        cfg_options[param] = value
    return cfg_options, dataset_options


def summarise_sweep(param: str, values: Sequence, runs: Dict[str, Dict], baseline) -> Dict:
    """Per-value statistics and paired comparisons with the baseline value."""
    base = runs[slug(baseline)]
    base_by_seed = {r['seed']: r for r in base['runs']}
    rows = []
    for v in values:
        run = runs[slug(v)]
        row = dict(value=v, seeds=[r['seed'] for r in run['runs']], metrics={})
        for m in PLOT_METRICS:
            vals = [r.get(m) for r in run['runs']]
            if not vals or not all(isinstance(x, (int, float)) for x in vals):
                continue
            k = 100.0 if is_fraction(vals) else 1.0
            vals = [k * x for x in vals]
            s = dict(mean_std(vals), values=vals)
            s['ci95'] = list(tci(vals)) if len(vals) > 1 else None
            row['metrics'][m] = s
        if slug(v) != slug(baseline):
            seeds = [r['seed'] for r in run['runs'] if r['seed'] in base_by_seed]
            if len(seeds) >= 2:
                by = {r['seed']: r for r in run['runs']}
                a = [by[s]['target_acc'] for s in seeds]
                b = [base_by_seed[s]['target_acc'] for s in seeds]
                k = 100.0 if is_fraction(a + b) else 1.0
                c = compare_paired([k * x for x in a], [k * x for x in b],
                                   names=(f'{param}={v}', f'{param}={baseline}'))
                row['vs_baseline'] = dict(diff=c['diff'], p_ttest=c['ttest']['p'],
                                          p_wilcoxon=c['wilcoxon']['p'], cohens_dz=c['cohens_dz'],
                                          significant=c['significant'], verdict=c['verdict'])
        rows.append(row)
    return dict(param=param, values=list(values), baseline=baseline, rows=rows)


def sweep_to_markdown(sweep: Dict) -> str:
    """Markdown table of :func:`summarise_sweep` output."""
    p, base = sweep['param'], sweep['baseline']
    lines = [f'Sweep of `{p}` (baseline {base}); accuracies in %, mean ± std over seeds; '
             'target = target accuracy of the best source-val checkpoint.', '',
             f'| {p} | seeds | target | source val | oracle target | target - baseline '
             '[95% CI] | t-test p | Wilcoxon p |', '|---|---|---|---|---|---|---|---|']
    for row in sweep['rows']:
        cells = []
        for m in PLOT_METRICS:
            s = row['metrics'].get(m)
            cells.append(f'{fmt(s["mean"])} ± {fmt(s["std"])}' if s else 'n/a')
        vb = row.get('vs_baseline')
        if vb:
            ci = vb['diff']['ci']
            cells += [f'{fmt(vb["diff"]["mean"], sign=True)} [{fmt(ci[0], sign=True)}, '
                      f'{fmt(ci[1], sign=True)}]', fmt_p(vb['p_ttest']), fmt_p(vb['p_wilcoxon'])]
        else:
            cells += ['(baseline)' if slug(row['value']) == slug(base) else 'n/a', '', '']
        lines.append(f'| {row["value"]} | {len(row["seeds"])} | ' + ' | '.join(cells) + ' |')
    lines.append('')
    for row in sweep['rows']:
        if row.get('vs_baseline'):
            lines.append(f'- {row["vs_baseline"]["verdict"]}')
    return '\n'.join(lines) + '\n'


def plot_sweep(sweep: Dict, path: str, title: Optional[str] = None) -> None:
    """Accuracy against the swept value: per-seed points, mean and 95% interval."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    labels = [str(v) for v in sweep['values']]
    xs = list(range(len(labels)))  # categorical axis: handles 0 and strings alike
    fig, ax = plt.subplots(figsize=(5.2, 3.4), dpi=110)
    styles = dict(target_acc=('C0', 'o'), source_val_acc=('C2', 's'),
                  oracle_target_acc=('C7', '^'))
    for j, m in enumerate(PLOT_METRICS):
        pts = [row['metrics'].get(m) for row in sweep['rows']]
        if not all(pts):
            continue
        color, marker = styles[m]
        off = (j - 1) * 0.08
        for x, s in zip(xs, pts):
            ax.scatter([x + off] * len(s['values']), s['values'], s=9, color=color, alpha=0.35)
        means = [s['mean'] for s in pts]
        lo = [s['mean'] - s['ci95'][0] if s['ci95'] else 0 for s in pts]
        hi = [s['ci95'][1] - s['mean'] if s['ci95'] else 0 for s in pts]
        ax.errorbar([x + off for x in xs], means, yerr=[lo, hi], color=color, marker=marker,
                    capsize=3, lw=1.2, ms=4, label=METRIC_TITLES.get(m, m))
    ax.set_xticks(xs)
    ax.set_xticklabels(labels)
    ax.set_xlabel(sweep['param'])
    ax.set_ylabel('accuracy (%)')
    ax.set_title(title or f'sweep of {sweep["param"]} (mean, 95% CI, seeds)', fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def sweep(config: str, param: str, values: List, seeds: List[int], work_dir: str,
          cfg_options=None, dataset_options=None, baseline=None, force=False,
          verbose=False, log=print) -> Dict:
    """Run the sweep (resumable), write sweep.json, sweep.md and sweep.png."""
    baseline = values[0] if baseline is None else baseline
    if slug(baseline) not in [slug(v) for v in values]:
        raise ValueError(f'baseline {baseline!r} is not among the values {values}')
    runs = {}
    for v in values:
        co, do = options_for(param, v, cfg_options, dataset_options)
        runs[slug(v)] = run_seeds(config, seeds, osp.join(work_dir, f'{slug(param)}={slug(v)}'),
                                  co, do, name=f'{param}={v}', force=force, verbose=verbose,
                                  log=log)
    result = summarise_sweep(param, values, runs, baseline)
    result.update(config=config, cfg_options=dict(cfg_options or {}),
                  dataset_options=dict(dataset_options or {}))
    write_json(osp.join(work_dir, 'sweep.json'), result)
    md = sweep_to_markdown(result)
    with open(osp.join(work_dir, 'sweep.md'), 'w') as f:
        f.write(md)
    plot_sweep(result, osp.join(work_dir, 'sweep.png'))
    return result
