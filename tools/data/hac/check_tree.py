"""Check a HAC tree against the csv lists; list what is missing.

Checks, for every listed video of the chosen domains and splits, the RGB mp4,
the ``_flow_x`` / ``_flow_y`` mp4s and the wav (present and readable). Exits
with status 1 when anything is missing; ``--output`` writes the full list.

Example:
    python tools/data/hac/check_tree.py data/hac
"""
import argparse
import sys

import mmaction_merdg  # noqa: F401
from mmaction_merdg.datasets import HACMMDataset
from mmaction_merdg.datasets.media_check import (find_missing_media, summarize_missing,
                                                 write_missing)
from mmaction_merdg.modalities import MODALITIES


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('data_root')
    parser.add_argument('--ann-root', default='HAC_Splits')
    parser.add_argument('--domains', nargs='+',
                        default=['human', 'animal', 'cartoon'])
    parser.add_argument('--splits', nargs='+', default=['train', 'test'])
    parser.add_argument('--modalities', nargs='+',
                        default=list(MODALITIES))
    parser.add_argument('--output', help='write every problem to this file')
    parser.add_argument(
        '--decode', action='store_true',
        help='also decode every frame (truncated JPEGs, broken videos); '
        'reads the whole tree')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    ds = HACMMDataset(ann_root=args.ann_root, domains=args.domains,
                      split=args.splits, data_root=args.data_root,
                      modalities=args.modalities, pipeline=[])
    problems = find_missing_media(ds, decode=args.decode)
    print(summarize_missing(problems, len(ds)))
    if args.output:
        write_missing(problems, args.output)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
