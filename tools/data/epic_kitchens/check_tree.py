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
import collections
import sys

import mmaction_merdg  # noqa: F401
from mmaction_merdg.datasets import EpicKitchensMMDataset
from mmaction_merdg.datasets.media_check import find_missing_media


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('data_root')
    parser.add_argument('--ann-root', default='MM-SADA_Domain_Adaptation_'
                        'Splits')
    parser.add_argument('--domains', nargs='+', default=['D1', 'D2', 'D3'])
    parser.add_argument('--splits', nargs='+', default=['train', 'test'])
    parser.add_argument('--modalities', nargs='+',
                        default=['imgs', 'flow_imgs', 'audios'])
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
    """Print a summary (and write the list); 1 when anything is missing."""
    bad = {p.sample_id for p in problems}
    print(f'checked {samples} samples: {samples - len(bad)} complete, '
          f'{len(bad)} with missing media ({len(problems)} problems)')
    for reason, count in collections.Counter(
            p.reason.split(':')[0] for p in problems).most_common():
        print(f'  {count:7d}  {reason}')
    for p in problems[:20]:
        print(f'  {p.sample_id}\t{p.path}\t{p.reason}')
    if output:
        with open(output, 'w') as f:
            f.writelines(f'{p.sample_id}\t{p.path}\t{p.reason}\n'
                         for p in problems)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
