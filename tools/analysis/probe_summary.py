#!/usr/bin/env python
"""Summarise probe_features.py results of several seeds, and compare two methods.

Each ``--group LABEL FILE [FILE ...]`` names the ``probe.json`` files of one
method (one per seed). The table gives, per statistic, the mean ± std over the
group's files; with exactly two groups of equal size, the files are paired in
the order given (pass them in seed order) and the difference B - A gets a
paired t-test. Statistics: raw linear CKA and held-out top canonical
correlation between modalities, the same on class-residual features (debiased
CKA), RankMe and log-det entropy of encoder features, and the domain probe's
balanced accuracy (chance 1/K). All on the source samples unless the row says
target.

Example:
    python tools/analysis/probe_summary.py \\
        --group Fusion work_dirs/probe/fusion_seed{0,1,2}/probe.json \\
        --group MER-DG work_dirs/probe/merdg_seed{0,1,2}/probe.json --work-dir work_dirs/probe
"""
import argparse
import json
import os.path as osp
import sys
from typing import Dict, List

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from _common import fmt, fmt_p, write_json  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--group', nargs='+', action='append', required=True,
                        metavar=('LABEL', 'FILE'), help='a label, then its probe.json files')
    parser.add_argument('--work-dir', help='write probe_summary.md and .json here')
    return parser.parse_args(argv)


def statistics(probe: Dict) -> Dict[str, float]:
    """The flat statistics of one probe.json (see the module docstring)."""
    out = {}
    mean = lambda xs: sum(xs) / len(xs)  # noqa: E731
    for g in ('source', 'target'):
        if g not in probe['num_samples']:
            continue
        pairs = [v[g] for v in probe['pairs'].values()]
        out[f'CKA raw, mean over pairs ({g})'] = mean([p['raw']['cka'] for p in pairs])
        out[f'CCA held-out top-1 raw, mean over pairs ({g})'] = mean(
            [p['raw']['cca_heldout_top1'] for p in pairs])
        out[f'debiased CKA class-residual, mean over pairs ({g})'] = mean(
            [p['class_residual']['cka_debiased'] for p in pairs])
        out[f'CCA held-out top-1 class-residual, mean over pairs ({g})'] = mean(
            [p['class_residual']['cca_heldout_top1'] for p in pairs])
    for m, per_group in probe['modality'].items():
        if 'source' in per_group:
            out[f'RankMe {m} (source)'] = per_group['source']['feat']['rankme']
            out[f'log-det entropy {m} (source)'] = per_group['source']['feat']['logdet_entropy']
    for m, dp in probe['domain_probe'].items():
        out[f'domain probe balanced acc {m} (all, chance 1/{dp["all"]["num_domains"]})'] = \
            dp['all']['balanced_accuracy']
    return out


def summarise(groups: List[List[str]]) -> Dict:
    from mmaction_merdg.evaluation.analysis import mean_std, paired_ttest
    labels, stats = [], []
    for g in groups:
        if len(g) < 2:
            raise SystemExit('each --group needs a label and at least one file')
        labels.append(g[0])
        per_file = []
        for path in g[1:]:
            with open(path) as f:
                per_file.append(statistics(json.load(f)))
        stats.append(per_file)
    keys = [k for k in stats[0][0] if all(k in s for grp in stats for s in grp)]
    rows = []
    for k in keys:
        row = dict(stat=k, groups={lab: mean_std([s[k] for s in grp])
                                   for lab, grp in zip(labels, stats)})
        if len(stats) == 2 and len(stats[0]) == len(stats[1]) >= 2:
            t = paired_ttest([s[k] for s in stats[1]], [s[k] for s in stats[0]])
            row['diff'] = dict(mean=t['mean_diff'], p=t['p'])
        rows.append(row)
    return dict(labels=labels, files=[g[1:] for g in groups], rows=rows)


def to_markdown(res: Dict) -> str:
    labels = res['labels']
    head = '| statistic | ' + ' | '.join(labels)
    two = len(labels) == 2 and all('diff' in r for r in res['rows'])
    head += f' | {labels[1]} - {labels[0]} | paired t p |' if two else ' |'
    lines = [head, '|---' * (len(labels) + 1 + 2 * two) + '|']
    for r in res['rows']:
        cells = [f'{fmt(r["groups"][lab]["mean"], 3)} ± {fmt(r["groups"][lab]["std"], 3)}'
                 for lab in labels]
        if two:
            cells += [fmt(r['diff']['mean'], 3, sign=True), fmt_p(r['diff']['p'])]
        lines.append(f'| {r["stat"]} | ' + ' | '.join(cells) + ' |')
    n = [len(f) for f in res['files']]
    return '\n'.join(lines) + f'\n\nmean ± std over {n} checkpoints per group.\n'


def main(argv=None):
    args = parse_args(argv)
    res = summarise(args.group)
    md = to_markdown(res)
    print(md)
    if args.work_dir:
        write_json(osp.join(args.work_dir, 'probe_summary.json'), res)
        with open(osp.join(args.work_dir, 'probe_summary.md'), 'w') as f:
            f.write(md)
    return res


if __name__ == '__main__':
    main()
