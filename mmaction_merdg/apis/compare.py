"""Compare two multi-seed runs with paired tests.

Pairs the runs of two :func:`run_seeds` results by seed and, for every metric
they share (``target_acc`` first), gives mean ± std of each, the mean
difference A - B with its 95% t-interval, the paired t-test and Wilcoxon
signed-rank p-values and Cohen's d_z. Accuracies stored as fractions are
reported in % (differences in percentage points).

The tables (:func:`comparison_table`, a pandas DataFrame) are written as
Markdown and as LaTeX (``booktabs``). Run names that are method names print as
papers do, from the method registry (``simmmdg-merdg`` -> ``SimMMDG + MER-DG``).
With fewer than :data:`MIN_SEEDS_FOR_P` paired seeds, p-values carry a dagger
and a warning: two pairs give a t-test on one degree of freedom and a
Wilcoxon test that cannot go below p = 0.5.
"""
import warnings
from typing import Dict, List, Optional

from mmaction_merdg.evaluation.analysis import compare_paired, mean_std
from .results import CORE_METRICS, METRIC_TITLES, fmt, fmt_p, is_fraction, numeric_metrics

#: Paired seeds below which p-values are flagged (dagger and a warning).
MIN_SEEDS_FOR_P = 3
DAGGER = '\u2020'


def display_name(name: str) -> str:
    """A run name as papers print it: a registered method's title (``+ MER-DG``
    for ``<method>-merdg``), else the name unchanged."""
    from mmaction_merdg.methods import MERDG, METHODS
    key = str(name).lower()
    if key == MERDG.name:
        return MERDG.title
    base, _, suffix = key.rpartition('-')
    if suffix == MERDG.name and base in METHODS:
        return f'{METHODS[base].title} + {MERDG.title}'
    return METHODS[key].title if key in METHODS else str(name)


def compare_runs(run_a: Dict, run_b: Dict, names=None, metrics: Optional[List[str]] = None,
                 alpha: float = 0.05) -> Dict:
    """Paired comparison of two run_seeds results, by seed.

    Returns:
        dict: ``names``, ``seeds`` (shared), ``unpaired`` (seeds in one run only),
        ``unit``, ``metrics`` (metric -> statistics of
        :func:`mmaction_merdg.evaluation.analysis.compare_paired`, or a note
        when fewer than two seeds pair up).
    """
    names = list(names or (display_name(run_a['name']), display_name(run_b['name'])))
    by_a = {r['seed']: r for r in run_a['runs']}
    by_b = {r['seed']: r for r in run_b['runs']}
    seeds = sorted(set(by_a) & set(by_b))
    unpaired = sorted(set(by_a) ^ set(by_b))
    if not seeds:
        raise ValueError('the two runs share no seed; a paired comparison is impossible')
    if 2 <= len(seeds) < MIN_SEEDS_FOR_P:
        warnings.warn(f'compare_runs: only {len(seeds)} paired seeds; p-values from so few pairs '
                      f'are unreliable (the tables mark them with {DAGGER}). Run at least '
                      f'{MIN_SEEDS_FOR_P} seeds, better 5 or more.')
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


def comparison_table(result: Dict) -> 'pandas.DataFrame':
    """One row per metric of :func:`compare_runs` output, cells formatted.

    Columns: each run's mean ± std, the difference A - B with its 95 %
    interval, the paired t-test and Wilcoxon p-values (with a dagger when
    fewer than :data:`MIN_SEEDS_FOR_P` seeds pair up), Cohen's d_z,
    whether the t-test is significant, and n.
    """
    import pandas as pd
    na, nb = result['names']
    n = len(result['seeds'])
    flag = DAGGER if n < MIN_SEEDS_FOR_P else ''
    rows = []
    for m, r in result['metrics'].items():
        row = {'Metric': METRIC_TITLES.get(m, m),
               na: f'{fmt(r["a"]["mean"])} ± {fmt(r["a"]["std"])}',
               nb: f'{fmt(r["b"]["mean"])} ± {fmt(r["b"]["std"])}'}
        if 'ttest' in r:
            ci = r['diff']['ci']
            row.update({
                f'{na} − {nb} [95% CI]': (f'{fmt(r["diff"]["mean"], sign=True)} '
                                          f'[{fmt(ci[0], sign=True)}, {fmt(ci[1], sign=True)}]'),
                't-test p': fmt_p(r['ttest']['p']) + flag,
                'Wilcoxon p': fmt_p(r['wilcoxon']['p']) + flag,
                'd_z': fmt(r['cohens_dz']),
                'Significant': 'yes' if r['significant'] else 'no'})
        else:
            row.update({f'{na} − {nb} [95% CI]': 'n/a', 't-test p': 'n/a', 'Wilcoxon p': 'n/a',
                        'd_z': 'n/a', 'Significant': 'no'})
        row['n'] = n
        rows.append(row)
    return pd.DataFrame(rows).set_index('Metric')


def paired_notes(result: Dict, unpaired: str = 'Seeds present in only one run') -> List[str]:
    """Footnotes of a paired table: too few pairs for p-values, seeds left out.

    Args:
        result (dict): A paired comparison (``seeds``, ``unpaired``).
        unpaired (str): How the note names the seeds without a pair.
    """
    n = len(result['seeds'])
    notes = []
    if 2 <= n < MIN_SEEDS_FOR_P:
        notes.append(f'{DAGGER} n = {n} paired seeds: p-values from so few pairs are '
                     f'unreliable; run at least {MIN_SEEDS_FOR_P} seeds.')
    if result['unpaired']:
        notes.append(f'{unpaired}, left out: {result["unpaired"]}.')
    return notes


def comparison_to_markdown(result: Dict) -> str:
    """A Markdown table of :func:`compare_runs` output, then one verdict per metric."""
    head = (f'Paired over seeds {result["seeds"]} (n = {len(result["seeds"])}); '
            f'alpha = {result["alpha"]}; accuracies in %, differences in points.')
    table = comparison_table(result).reset_index().to_markdown(index=False,
                                                               disable_numparse=True)
    lines = [head, '', table, '']
    for m, r in result['metrics'].items():
        lines.append(f'- {METRIC_TITLES.get(m, m)}: {r["verdict"]}')
    lines += [f'- {note}' for note in paired_notes(result)]
    return '\n'.join(lines) + '\n'


def comparison_to_latex(result: Dict) -> str:
    """The table of :func:`comparison_to_markdown` as LaTeX (``booktabs``)."""
    na, nb = result['names']
    table = comparison_table(result).reset_index()
    table.columns = [c.replace('d_z', '$d_z$').replace('−', '$-$').replace('%', '\\%')
                     for c in table.columns]
    caption = (f'{na} against {nb}, paired over {len(result["seeds"])} seeds '
               '(mean ± std; accuracies in \\%, differences in points).')
    notes = ''.join(f'\n% {note.replace(DAGGER, "dagger:")}' for note in paired_notes(result))
    body = table.to_latex(index=False, escape=False, caption=caption, label='tab:compare',
                          column_format='l' + 'r' * (table.shape[1] - 1))
    body = body.replace('±', '$\\pm$').replace(DAGGER, '$^\\dagger$')
    return body + notes + '\n'
