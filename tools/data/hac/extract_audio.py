"""Extract one 16 kHz mono wav per HAC video listed in the csv lists.

Writes ``<data-root>/<domain>/audio/<stem>.wav`` from
``<data-root>/<domain>/videos/<name>`` with PyAV (16-bit PCM, mono, 16 kHz,
like ``ffmpeg -acodec pcm_s16le -ac 1 -ar 16000``).

Example:
    python tools/data/hac/extract_audio.py data/hac
"""
import argparse
import os.path as osp
import sys

import mmaction_merdg  # noqa: F401
from mmaction_merdg.datasets import HACMMDataset
from mmaction_merdg.datasets.writers import extract_wav


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('data_root')
    parser.add_argument('--ann-root', default='HAC_Splits')
    parser.add_argument('--domains', nargs='+',
                        default=['human', 'animal', 'cartoon'])
    parser.add_argument('--splits', nargs='+', default=['train', 'test'])
    parser.add_argument('--sample-rate', type=int, default=16000)
    parser.add_argument('--overwrite', action='store_true')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    ds = HACMMDataset(ann_root=args.ann_root, domains=args.domains,
                      split=args.splits, data_root=args.data_root,
                      modalities=['imgs', 'audios'], pipeline=[])
    written = skipped = 0
    failed = []
    seen = set()
    for idx in range(len(ds)):
        info = ds.get_data_info(idx)
        src, dst = info['filename'], info['audio_path']
        if dst in seen:  # 24 human videos are listed in train and test
            continue
        seen.add(dst)
        if osp.exists(dst) and not args.overwrite:
            skipped += 1
            continue
        try:
            n = extract_wav(src, dst, args.sample_rate)
        except Exception as err:
            failed.append(f'{src}: {err}')
            continue
        written += 1
        print(f'{dst}: {n} samples')
    print(f'written {written}, already present {skipped}, failed '
          f'{len(failed)}')
    for line in failed:
        print(f'FAILED {line}', file=sys.stderr)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
