#!/usr/bin/env python
"""Compare two multi-seed runs with paired tests.

Reads two ``run_seeds.py`` results (the ``seeds.json`` file or the work dir that
holds it), pairs their runs by seed, and for every metric the two share
(``target_acc`` first: the target accuracy of the checkpoint selected on source
validation, the figure to report) prints mean ± std of each run, the mean
difference A - B with its 95% t-interval, the paired t-test and Wilcoxon
signed-rank p-values, Cohen's d_z, and a plain verdict that says when the
difference is not significant. Accuracies stored as fractions are shown in %
(differences in percentage points).

Example:
    python tools/analysis/compare.py work_dirs/seeds/merdg work_dirs/seeds/fusion \\
        --names MER-DG Fusion --work-dir work_dirs/compare
"""
import argparse
import os.path as osp
import sys
from typing import Dict, List, Optional

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from _common import (CORE_METRICS, METRIC_TITLES, fmt, fmt_p, is_fraction, load_run,  # noqa: E402
                     numeric_metrics, write_json)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('run_a', help='run_seeds result of A (seeds.json or its work dir)')
    parser.add_argument('run_b', help='run_seeds result of B (seeds.json or its work dir)')
    parser.add_argument('--names', nargs=2, metavar=('A', 'B'),
                        help='display names (default: the runs\' names)')
    parser.add_argument('--metrics', nargs='+',
                        help='metrics to compare (default: target_acc, source_val_acc, '
                        'oracle_target_acc where present; "all": every numeric metric both share)')
    parser.add_argument('--alpha', type=float, default=0.05,
                        help='significance level of the verdict (default 0.05)')
    parser.add_argument('--work-dir', help='write compare.md and compare.json here')
    parser.add_argument('--robustness', action='store_true',
                        help='pair robustness results instead: run_a/run_b are folders with '
                        'seed_<k>/robustness.json (or seed_<k>/robustness/robustness.json) '
                        'from tools/analysis/robustness.py; writes compare_robustness.md/.json')
    return parser.parse_args(argv)


def compare_runs(run_a: Dict, run_b: Dict, names=None, metrics: Optional[List[str]] = None,
                 alpha: float = 0.05) -> Dict:
    """Paired comparison of two run_seeds results, by seed.

    Returns:
        dict: ``names``, ``seeds`` (shared), ``unpaired`` (seeds in one run only),
        ``unit``, ``metrics`` (metric -> statistics of
        :func:`mmaction_merdg.evaluation.analysis.compare_paired`, or a note
        when fewer than two seeds pair up).
    """
    from mmaction_merdg.evaluation.analysis import compare_paired, mean_std
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


def to_markdown(result: Dict) -> str:
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


def main(argv=None):
    args = parse_args(argv)
    if args.robustness:
        from mmaction_merdg.apis import (load_robustness_runs, pair_robustness,
                                         paired_robustness_markdown)
        result = pair_robustness(load_robustness_runs(args.run_a),
                                 load_robustness_runs(args.run_b),
                                 args.names or ('A', 'B'), args.alpha)
        md = paired_robustness_markdown(result)
        print(md)
        if args.work_dir:
            write_json(osp.join(args.work_dir, 'compare_robustness.json'), result)
            with open(osp.join(args.work_dir, 'compare_robustness.md'), 'w') as f:
                f.write(md)
        return result
    result = compare_runs(load_run(args.run_a), load_run(args.run_b), args.names,
                          args.metrics, args.alpha)
    md = to_markdown(result)
    print(md)
    if args.work_dir:
        write_json(osp.join(args.work_dir, 'compare.json'), result)
        with open(osp.join(args.work_dir, 'compare.md'), 'w') as f:
            f.write(md)
    return result


if __name__ == '__main__':
    main()
