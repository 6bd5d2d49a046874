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

from mmaction_merdg.apis import compare_methods, compare_methods_table


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
