#!/usr/bin/env python
"""Paired comparison of two shortcut_effect.py results (e.g. MER-DG against
Fusion, same seeds and dataset options) at cooccurrence 0 and 1.

Example:
    python tools/analysis/compare_shortcut_effect.py \\
        work_dirs/calib/vector_merdg/shortcut_effect.json \\
        work_dirs/calib/vector_fusion/shortcut_effect.json --names MER-DG Fusion
"""
import argparse
import json
from typing import Dict

from mmaction_merdg.evaluation.analysis import compare_paired

KEYS = ('source_val_acc', 'target_acc', 'oracle_target_acc')


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




def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('other', help='shortcut_effect.json of the compared method')
    parser.add_argument('base', help='shortcut_effect.json of the reference method')
    parser.add_argument('--names', nargs=2, default=('MER-DG', 'Fusion'))
    parser.add_argument('--alpha', type=float, default=0.05)
    parser.add_argument('--out', help='write the comparison JSON here')
    args = parser.parse_args(argv)
    with open(args.other) as f:
        other = json.load(f)
    with open(args.base) as f:
        base = json.load(f)
    for key in ('dataset_options', 'seeds'):
        if other.get(key) != base.get(key):
            raise SystemExit(f'{key} differ: {other.get(key)} vs {base.get(key)}; '
                             'the comparison would not be paired on one benchmark.')
    cmp = compare_methods(base, other, args.alpha)
    print(compare_methods_table(cmp, tuple(args.names)))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(cmp, f, indent=2, default=float)
    return cmp


if __name__ == '__main__':
    main()
