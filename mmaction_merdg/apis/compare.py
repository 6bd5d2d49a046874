"""Compare two multi-seed runs with paired tests.

Pairs the runs of two :func:`run_seeds` results by seed and, for every metric
they share (``target_acc`` first), gives mean ± std of each, the mean
difference A - B with its 95% t-interval, the paired t-test and Wilcoxon
signed-rank p-values and Cohen's d_z. Accuracies stored as fractions are
reported in % (differences in percentage points).
"""
from typing import Dict, List, Optional

from mmaction_merdg.evaluation.analysis import compare_paired, mean_std
from .results import CORE_METRICS, METRIC_TITLES, fmt, fmt_p, is_fraction, numeric_metrics


def compare_runs(run_a: Dict, run_b: Dict, names=None, metrics: Optional[List[str]] = None,
                 alpha: float = 0.05) -> Dict:
    """Paired comparison of two run_seeds results, by seed.

    Returns:
        dict: ``names``, ``seeds`` (shared), ``unpaired`` (seeds in one run only),
        ``unit``, ``metrics`` (metric -> statistics of
        :func:`mmaction_merdg.evaluation.analysis.compare_paired`, or a note
        when fewer than two seeds pair up).
    """
    names = list(names or (run_a['name'], run_b['name']))
    by_a = {r['seed']: r for r in run_a['runs']}
    by_b = {r['seed']: r for r in run_b['runs']}
    seeds = sorted(set(by_a) & set(by_b))
    unpaired = sorted(set(by_a) ^ set(by_b))
    if not seeds:
        raise ValueError('the two runs share no seed; a paired comparison is impossible')
    shared = [m for m in numeric_metrics(run_a) if m in set(numeric_metrics(run_b))]
    if not metrics:
        metrics = [m for m in CORE_METRICS if m in shared] or shared
    elif list(metrics) == ['all']:
        metrics = shared
    unknown = [m for m in metrics if m not in shared]
    if unknown:
        raise ValueError(f'metrics {unknown} are not in both runs; shared: {shared}')
    out = dict(names=names, seeds=seeds, unpaired=unpaired, alpha=alpha, metrics={})
    for m in metrics:
        a = [float(by_a[s][m]) for s in seeds]
        b = [float(by_b[s][m]) for s in seeds]
        scale = 100.0 if is_fraction(a + b) else 1.0
        a, b = [v * scale for v in a], [v * scale for v in b]
        if len(seeds) < 2:
            res = dict(a=mean_std(a), b=mean_std(b), significant=False,
                       verdict=f'only {len(seeds)} paired seed: no test is possible.')
        else:
            res = compare_paired(a, b, alpha=alpha, names=tuple(names))
        res['unit'] = '%' if scale == 100.0 else ''
        res['values'] = dict(a=a, b=b)
        out['metrics'][m] = res
    return out


def comparison_to_markdown(result: Dict) -> str:
    """A Markdown table of :func:`compare_runs` output, then one verdict per metric."""
    na, nb = result['names']
    lines = [
        f'Paired over seeds {result["seeds"]} (n = {len(result["seeds"])}); '
        f'alpha = {result["alpha"]}; accuracies in %, differences in points.', '',
        f'| metric | {na} | {nb} | {na} - {nb} [95% CI] | t-test p | Wilcoxon p | d_z '
        '| significant |',
        '|---|---|---|---|---|---|---|---|'
    ]
    for m, r in result['metrics'].items():
        title = METRIC_TITLES.get(m, m)
        a = f'{fmt(r["a"]["mean"])} ± {fmt(r["a"]["std"])}'
        b = f'{fmt(r["b"]["mean"])} ± {fmt(r["b"]["std"])}'
        if 'ttest' in r:
            ci = r['diff']['ci']
            d = (f'{fmt(r["diff"]["mean"], sign=True)} '
                 f'[{fmt(ci[0], sign=True)}, {fmt(ci[1], sign=True)}]')
            row = [d, fmt_p(r['ttest']['p']), fmt_p(r['wilcoxon']['p']), fmt(r['cohens_dz']),
                   'yes' if r['significant'] else 'no']
        else:
            row = ['n/a'] * 4 + ['no']
        lines.append(f'| {title} | {a} | {b} | ' + ' | '.join(row) + ' |')
    lines.append('')
    for m, r in result['metrics'].items():
        lines.append(f'- {METRIC_TITLES.get(m, m)}: {r["verdict"]}')
    if result['unpaired']:
        lines.append(f'- Seeds present in only one run, left out: {result["unpaired"]}.')
    return '\n'.join(lines) + '\n'
