"""Extract one 16 kHz mono wav per EPIC-Kitchens video, where the pickles need it.

For every video of the MM-SADA pickles, decodes ``--video-tmpl`` with PyAV
and writes ``<data-root>/<audio-tmpl>`` (default
``rgb/{split}/{domain}/{video_id}.wav``, next to the video's RGB frames, as
SimMMDG reads it), 16-bit PCM, mono, 16 kHz: the same as SimMMDG's
``ffmpeg -acodec pcm_s16le -ac 1 -ar 16000``.

Example:
    python tools/data/epic_kitchens/extract_audio.py data/epic_kitchens \
        --video-tmpl '/datasets/EPIC_KITCHENS_2018/videos/{split}/{participant_id}/{video_id}.MP4'
"""
import argparse
import os.path as osp
import sys

import mmaction_merdg  # noqa: F401
from mmaction_merdg.datasets import EpicKitchensMMDataset
from mmaction_merdg.datasets.writers import extract_wav


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('data_root', help='root of the EPIC tree to fill')
    parser.add_argument('--video-tmpl', required=True,
                        help='path of a source video; may use {split}, '
                        '{domain}, {participant_id}, {video_id}')
    parser.add_argument('--ann-root', default='MM-SADA_Domain_Adaptation_'
                        'Splits', help='pickle folder (relative to data_root '
                        'unless absolute)')
    parser.add_argument('--audio-tmpl',
                        default='rgb/{split}/{domain}/{video_id}.wav')
    parser.add_argument('--domains', nargs='+', default=['D1', 'D2', 'D3'])
    parser.add_argument('--splits', nargs='+', default=['train', 'test'])
    parser.add_argument('--sample-rate', type=int, default=16000)
    parser.add_argument('--overwrite', action='store_true')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    written = skipped = 0
    failed = []
    for domain in args.domains:
        for split in args.splits:
            ds = EpicKitchensMMDataset(
                ann_root=args.ann_root, domains=[domain], split=split,
                data_root=args.data_root, modalities=['audios'], pipeline=[],
                audio_tmpl=args.audio_tmpl)
            frame = ds.read_annotations(domain)
            videos = frame[['participant_id', 'video_id']].drop_duplicates()
            for participant, video_id in videos.itertuples(index=False):
                fields = dict(split=split, domain=domain, video_id=video_id,
                              participant_id=participant)
                src = args.video_tmpl.format(**fields)
                dst = osp.join(args.data_root,
                               args.audio_tmpl.format(**fields))
                if osp.exists(dst) and not args.overwrite:
                    skipped += 1
                    continue
                try:
                    n = extract_wav(src, dst, args.sample_rate)
                except Exception as err:  # report every video, then fail
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
