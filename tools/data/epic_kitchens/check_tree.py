"""Check an EPIC-Kitchens tree against the MM-SADA pickles; list what is missing.

Checks, for every segment of the chosen domains and splits, each RGB frame in
``[start_frame, stop_frame)``, each u and v flow frame of its half-rate window,
and the video's wav (present, readable, long enough). Exits with status 1 when
anything is missing; ``--output`` writes the full list as tab-separated lines
``sample_id, path, reason``.

Example:
    python tools/data/epic_kitchens/check_tree.py data/epic_kitchens
"""
import argparse
import sys

import mmaction_merdg  # noqa: F401
from mmaction_merdg.datasets import EpicKitchensMMDataset
from mmaction_merdg.datasets.media_check import (find_missing_media, summarize_missing,
                                                 write_missing)
from mmaction_merdg.modalities import MODALITIES


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('data_root')
    parser.add_argument('--ann-root', default='MM-SADA_Domain_Adaptation_'
                        'Splits')
    parser.add_argument('--domains', nargs='+', default=['D1', 'D2', 'D3'])
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
    problems, samples = [], 0
    for split in args.splits:
        ds = EpicKitchensMMDataset(
            ann_root=args.ann_root, domains=args.domains, split=split,
            data_root=args.data_root, modalities=args.modalities,
            pipeline=[])
        samples += len(ds)
        problems += find_missing_media(ds, decode=args.decode)
    return report(problems, samples, args.output)


def report(problems, samples, output=None) -> int:
    """Print the summary (and write the list); 1 when anything is missing."""
    print(summarize_missing(problems, samples))
    if output:
        write_missing(problems, output)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
