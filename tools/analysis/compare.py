#!/usr/bin/env python
"""Compare two multi-seed runs with paired tests.

A CLI over :func:`mmaction_merdg.apis.compare_runs`.

Reads two ``run_seeds.py`` results (the ``seeds.json`` file or the work dir that
holds it), pairs their runs by seed, and for every metric the two share
(``target_acc`` first: the target accuracy of the checkpoint selected on source
validation, the figure to report) prints mean ± std of each run, the mean
difference A - B with its 95% t-interval, the paired t-test and Wilcoxon
signed-rank p-values, Cohen's d_z, and a plain verdict that says when the
difference is not significant. Accuracies stored as fractions are shown in %
(differences in percentage points). Run names that are method names print as
papers do (``simmmdg-merdg`` -> ``SimMMDG + MER-DG``); with fewer than 3
paired seeds the p-values carry a dagger. ``compare.tex`` holds the same table
in LaTeX (booktabs rules).

Example:
    python tools/analysis/compare.py work_dirs/seeds/merdg work_dirs/seeds/fusion \
        --names MER-DG Fusion --work-dir work_dirs/compare
"""
import argparse
import os.path as osp

from mmaction_merdg.apis import compare_runs, comparison_to_markdown, load_run, write_json
from mmaction_merdg.apis.compare import comparison_to_latex


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
    parser.add_argument('--work-dir', help='write compare.md, compare.tex (LaTeX, booktabs) and '
                        'compare.json here')
    parser.add_argument('--robustness', action='store_true',
                        help='pair robustness results instead: run_a/run_b are folders with '
                        'seed_<k>/robustness.json (or seed_<k>/robustness/robustness.json) '
                        'from tools/analysis/robustness.py; writes compare_robustness.md/.tex/.json')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.robustness:
        from mmaction_merdg.apis import (load_robustness_runs, pair_robustness,
                                         paired_robustness_markdown)
        from mmaction_merdg.apis.robustness import paired_robustness_latex
        result = pair_robustness(load_robustness_runs(args.run_a),
                                 load_robustness_runs(args.run_b),
                                 args.names or ('A', 'B'), args.alpha)
        md = paired_robustness_markdown(result)
        print(md)
        if args.work_dir:
            write_json(osp.join(args.work_dir, 'compare_robustness.json'), result)
            with open(osp.join(args.work_dir, 'compare_robustness.md'), 'w') as f:
                f.write(md)
            with open(osp.join(args.work_dir, 'compare_robustness.tex'), 'w') as f:
                f.write(paired_robustness_latex(result))
        return result
    result = compare_runs(load_run(args.run_a), load_run(args.run_b), args.names,
                          args.metrics, args.alpha)
    md = comparison_to_markdown(result)
    print(md)
    if args.work_dir:
        write_json(osp.join(args.work_dir, 'compare.json'), result)
        with open(osp.join(args.work_dir, 'compare.md'), 'w') as f:
            f.write(md)
        with open(osp.join(args.work_dir, 'compare.tex'), 'w') as f:
            f.write(comparison_to_latex(result))
    return result


if __name__ == '__main__':
    main()
