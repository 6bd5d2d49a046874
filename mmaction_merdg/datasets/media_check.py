"""Check a media tree against a dataset's annotations.

Used by ``tools/data/{epic_kitchens,hac}/check_tree.py``. Works on the sample
dicts of :class:`EpicKitchensMMDataset` and :class:`HACMMDataset`: every RGB
and flow frame of every segment, every video file and every wav (and, for a
wav, that it covers the segment's window up to its end). With
``decode=True`` every frame is also decoded (JPEGs checked for truncation,
videos decoded frame by frame), which reads the whole tree.
"""
import collections
import os
import os.path as osp
from typing import Dict, List, NamedTuple

import cv2
import soundfile as sf

from .transforms.errors import MediaReadError
from .transforms.strict_media import (audio_window_frames,
                                      check_image_complete, non_regular_kind)


class MissingMedia(NamedTuple):
    """One problem found: the sample, the file and what is wrong."""
    sample_id: str
    path: str
    reason: str


class _Listing:
    """Cached directory listings (a frame folder is listed once).

    Only regular files (symlinks to them included) count as present: a FIFO
    in place of a frame blocks the loader's ``open`` forever, so it is
    reported (``non_regular``) instead of passing as complete.
    """

    def __init__(self) -> None:
        self._cache: Dict[str, Dict[str, bool]] = {}

    def _entries(self, folder: str) -> Dict[str, bool]:
        if folder not in self._cache:
            entries = {}
            try:
                with os.scandir(folder or '.') as it:
                    for entry in it:
                        try:
                            entries[entry.name] = entry.is_file()
                        except OSError:
                            entries[entry.name] = False
            except OSError:
                pass
            self._cache[folder] = entries
        return self._cache[folder]

    def exists(self, path: str) -> bool:
        """Whether ``path`` is a regular file."""
        folder, name = osp.split(path)
        return self._entries(folder).get(name, False)

    def reason(self, path: str, missing: str) -> str:
        """Why ``path`` (not :meth:`exists`) is refused."""
        folder, name = osp.split(path)
        if name in self._entries(folder):
            return (f'{non_regular_kind(path) or "not a regular file"} '
                    'instead of a file')
        return missing


def find_missing_media(dataset, max_reports: int = 0,
                       decode: bool = False) -> List[MissingMedia]:
    """List the missing or too-short media of every sample of ``dataset``.

    Args:
        dataset: A built multimodal dataset (its ``get_data_info`` dicts).
        max_reports (int): Stop after this many problems; 0 for no limit.
        decode (bool): Also decode every frame (truncated JPEGs, broken
            videos). Defaults to False.

    Returns:
        list[MissingMedia]: One entry per missing file (a missing frame folder
        is reported once per sample, not once per frame).
    """
    listing = _Listing()
    decoder = _Decoder() if decode else None
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
                          info['total_frames'], report, decoder)
        if 'flow_frame_dir' in info:
            tmpl = info['flow_filename_tmpl']
            _check_frames(listing, sample, info['flow_frame_dir'],
                          [tmpl.replace('{}', d, 1)
                           for d in info['flow_directions']],
                          info['flow_start_index'], info['flow_total_frames'],
                          report, decoder)
        for key in ('filename', 'flow_x_filename', 'flow_y_filename'):
            if key in info and not listing.exists(info[key]):
                report(sample, info[key],
                       listing.reason(info[key], 'missing video'))
            elif key in info and decoder is not None:
                reason = decoder.video(info[key])
                if reason:
                    report(sample, info[key], reason)
        if 'audio_path' in info:
            path = info['audio_path']
            if not listing.exists(path):
                report(sample, path, listing.reason(path, 'missing wav'))
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
                elif info.get('audio_stop') is not None:
                    try:  # the window's END must lie in the file too
                        audio_window_frames(path, frames, rate,
                                            info['audio_start'],
                                            info['audio_stop'])
                    except MediaReadError:
                        report(sample, path,
                               f'wav too short: {frames / rate:.2f} s, the '
                               f"segment is [{info['audio_start']:.2f}, "
                               f"{info['audio_stop']:.2f}) s")
        if max_reports and len(problems) >= max_reports:
            break
    return problems


class _Decoder:
    """Decode frames and videos once each; return a reason or None."""

    def __init__(self) -> None:
        self._done: Dict[str, str] = {}

    def image(self, path: str) -> str:
        if path not in self._done:
            reason = ''
            try:
                check_image_complete(path)
                if cv2.imread(path, cv2.IMREAD_UNCHANGED) is None:
                    reason = 'unreadable frame: not a decodable image'
            except MediaReadError as err:
                reason = f'unreadable frame: {err}'
            self._done[path] = reason
        return self._done[path]

    def video(self, path: str) -> str:
        if path not in self._done:
            reason = ''
            try:
                import decord
                reader = decord.VideoReader(path, num_threads=1)
                if len(reader) == 0:
                    reason = 'unreadable video: no frame'
                for start in range(0, len(reader), 64):
                    reader.get_batch(
                        list(range(start, min(start + 64, len(reader)))))
            except Exception as err:  # decord raises bare errors
                reason = f'unreadable video: {err}'.splitlines()[0]
            self._done[path] = reason
        return self._done[path]


def _check_frames(listing, sample, folder, templates, start, total, report,
                  decoder=None):
    for tmpl in templates:
        paths = [osp.join(folder, tmpl.format(i))
                 for i in range(start, start + total)]
        missing = [p for p in paths if not listing.exists(p)]
        if len(missing) == len(paths) and not any(
                listing.reason(p, '') for p in missing):
            report(sample, osp.dirname(paths[0]),
                   f'no frame of {osp.basename(paths[0])}..'
                   f'{osp.basename(paths[-1])}')
            continue
        for path in missing:
            report(sample, path, listing.reason(path, 'missing frame'))
        if decoder is not None:
            missing = set(missing)
            for path in paths:
                reason = path not in missing and decoder.image(path)
                if reason:
                    report(sample, path, reason)


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
