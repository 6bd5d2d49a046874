"""Check a media tree against a dataset's annotations, without decoding.

Used by ``tools/data/{epic_kitchens,hac}/check_tree.py``. Works on the sample
dicts of :class:`EpicKitchensMMDataset` and :class:`HACMMDataset`: every RGB
and flow frame of every segment, every video file and every wav (and, for a
wav, that it is long enough for the segment's window).
"""
import collections
import os
import os.path as osp
from typing import Dict, List, NamedTuple, Set

import soundfile as sf


class MissingMedia(NamedTuple):
    """One problem found: the sample, the file and what is wrong."""
    sample_id: str
    path: str
    reason: str


class _Listing:
    """Cached directory listings (a frame folder is listed once)."""

    def __init__(self) -> None:
        self._cache: Dict[str, Set[str]] = {}

    def exists(self, path: str) -> bool:
        folder, name = osp.split(path)
        if folder not in self._cache:
            try:
                self._cache[folder] = set(os.listdir(folder or '.'))
            except OSError:
                self._cache[folder] = set()
        return name in self._cache[folder]


def find_missing_media(dataset, max_reports: int = 0) -> List[MissingMedia]:
    """List the missing or too-short media of every sample of ``dataset``.

    Args:
        dataset: A built multimodal dataset (its ``get_data_info`` dicts).
        max_reports (int): Stop after this many problems; 0 for no limit.

    Returns:
        list[MissingMedia]: One entry per missing file (a missing frame folder
        is reported once per sample, not once per frame).
    """
    listing = _Listing()
    wav_frames: Dict[str, tuple] = {}
    problems: List[MissingMedia] = []

    def report(sample, path, reason):
        problems.append(MissingMedia(sample, path, reason))

    for idx in range(len(dataset)):
        info = dataset.get_data_info(idx)
        sample = info.get('sample_id', str(idx))
        if 'frame_dir' in info:
            _check_frames(listing, sample, info['frame_dir'],
                          [info['filename_tmpl']], info['start_index'],
                          info['total_frames'], report)
        if 'flow_frame_dir' in info:
            tmpl = info['flow_filename_tmpl']
            _check_frames(listing, sample, info['flow_frame_dir'],
                          [tmpl.replace('{}', d, 1)
                           for d in info['flow_directions']],
                          info['flow_start_index'], info['flow_total_frames'],
                          report)
        for key in ('filename', 'flow_x_filename', 'flow_y_filename'):
            if key in info and not listing.exists(info[key]):
                report(sample, info[key], 'missing video')
        if 'audio_path' in info:
            path = info['audio_path']
            if not listing.exists(path):
                report(sample, path, 'missing wav')
            else:
                if path not in wav_frames:
                    try:
                        meta = sf.info(path)
                        wav_frames[path] = (meta.frames, meta.samplerate)
                    except Exception as err:  # libsndfile errors
                        wav_frames[path] = (None, str(err))
                frames, rate = wav_frames[path]
                if frames is None:
                    report(sample, path, f'unreadable wav: {rate}')
                elif info.get('audio_stop') is not None and \
                        frames < info['audio_start'] * rate + 1:
                    report(sample, path,
                           f'wav too short: {frames / rate:.2f} s, the '
                           f"segment starts at {info['audio_start']:.2f} s")
        if max_reports and len(problems) >= max_reports:
            break
    return problems


def _check_frames(listing, sample, folder, templates, start, total, report):
    for tmpl in templates:
        paths = [osp.join(folder, tmpl.format(i))
                 for i in range(start, start + total)]
        missing = [p for p in paths if not listing.exists(p)]
        if len(missing) == len(paths):
            report(sample, osp.dirname(paths[0]),
                   f'no frame of {osp.basename(paths[0])}..'
                   f'{osp.basename(paths[-1])}')
        else:
            for path in missing:
                report(sample, path, 'missing frame')


def summarize_missing(problems: List[MissingMedia], num_samples: int,
                      max_listed: int = 20) -> str:
    """A plain-text summary of :func:`find_missing_media` output.

    Args:
        problems (list[MissingMedia]): The problems found.
        num_samples (int): Samples checked.
        max_listed (int): Problems listed one per line. Defaults to 20.

    Returns:
        str: Counts of complete and incomplete samples, problems by reason,
        then the first ``max_listed`` problems as ``sample_id, path, reason``.
    """
    bad = {p.sample_id for p in problems}
    lines = [f'checked {num_samples} samples: {num_samples - len(bad)} complete, '
             f'{len(bad)} with missing media ({len(problems)} problems)']
    for reason, count in collections.Counter(
            p.reason.split(':')[0] for p in problems).most_common():
        lines.append(f'  {count:7d}  {reason}')
    lines += [f'  {p.sample_id}\t{p.path}\t{p.reason}' for p in problems[:max_listed]]
    return '\n'.join(lines)


def write_missing(problems: List[MissingMedia], path: str) -> None:
    """Write every problem as a tab-separated line ``sample_id, path, reason``."""
    with open(path, 'w') as f:
        f.writelines(f'{p.sample_id}\t{p.path}\t{p.reason}\n' for p in problems)
