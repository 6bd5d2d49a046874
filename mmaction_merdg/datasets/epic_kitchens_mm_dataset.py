"""EPIC-Kitchens-55 kitchens P08, P01, P22 as domains D1, D2, D3 (MM-SADA splits).

Munro & Damen, "Multi-Modal Domain Adaptation for Fine-Grained Action
Recognition", CVPR 2020 (the ``D{1,2,3}_{train,test}.pkl`` splits, 8 verb
classes); read here with the on-disk layout of SimMMDG (Dong et al., NeurIPS
2023, https://github.com/donghao51/SimMMDG), which MER-DG also uses. The
conventions are written down in ``shared/fixtures/real/FORMATS.md``; in short:

* ``start_frame`` / ``stop_frame`` index the released RGB frames, 1-based at
  60 fps; a segment covers ``[start_frame, stop_frame)``.
* TV-L1 flow was computed at stride 2, so flow has half as many frames; a
  segment's flow starts at ``ceil(start_frame / 2)`` and has
  ``(stop_frame - start_frame) // 2`` frames (SimMMDG's indexing).
* Audio is one 16 kHz mono wav per untrimmed video; the window comes from
  the ``HH:MM:SS.ff`` timestamps.
"""
import math
import os.path as osp
import pickle
import re
from typing import List, Optional, Sequence, Union

import numpy as np
import pandas as pd

from mmaction.registry import DATASETS
from ..compat.annotation_pickle import (RefusedPickleGlobal,
                                        read_annotation_pickle)
from ..modalities import MODALITIES
from .mm_base_dataset import MultiModalBaseDataset, check_domains

_TIMESTAMP = re.compile(r'^(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)$')


def parse_timestamp(value: str) -> float:
    """``'HH:MM:SS.ff'`` -> seconds."""
    match = _TIMESTAMP.match(str(value))
    if match is None:
        raise ValueError(f'{value!r} is not a HH:MM:SS.ff timestamp')
    hours, minutes, seconds = match.groups()
    return (int(hours) * 60 + int(minutes)) * 60 + float(seconds)


@DATASETS.register_module()
class EpicKitchensMMDataset(MultiModalBaseDataset):
    """EPIC-Kitchens D1/D2/D3 segments with RGB frames, flow frames and audio.

    Building the dataset reads only the pickles; media are read by the
    pipeline (``SampleMultiModalFrames``, ``MultiModalRawFrameDecode``,
    ``LoadAudioWindow``...).

    Each sample dict holds ``label`` (``verb_class``), ``domain`` (e.g.
    ``'D1'``), ``sample_id`` (``'D1/P08_01/12915'``), ``video_id``, ``uid``,
    ``modalities``, and per modality:

    * RGB: ``frame_dir``, ``filename_tmpl``, ``start_index`` (=
      ``start_frame``), ``total_frames`` (= ``stop_frame - start_frame``),
      ``fps``, ``frame_index_base`` (1: frame 1 is at 0 s);
    * flow: ``flow_frame_dir``, ``flow_filename_tmpl``, ``flow_directions``,
      ``flow_start_index`` (= ``ceil(start_frame / 2)``),
      ``flow_total_frames`` (= ``(stop_frame - start_frame) // 2``),
      ``flow_stride``;
    * audio: ``audio_path``, ``audio_start`` / ``audio_stop`` (seconds, from
      the timestamps).

    Path templates are ``str.format`` patterns relative to ``data_root`` and
    may use ``{split}``, ``{domain}``, ``{video_id}``, ``{participant_id}``
    and ``{uid}``.

    Args:
        ann_root (str): Folder holding ``D{1,2,3}_{train,test}.pkl``; relative
            to ``data_root`` unless absolute.
        domains (Sequence[str]): Domains to load, among ``'D1', 'D2', 'D3'``.
        split (str): ``'train'`` or ``'test'``.
        pipeline (list): Transforms.
        data_root (str): Root of the media tree. Defaults to ``''``.
        modalities (Sequence[str]): Subset of ``('imgs', 'flow_imgs',
            'audios')``. Defaults to all three.
        num_classes (int): Number of verb classes kept. Defaults to 8.
        ann_file_tmpl (str): Pickle name. Defaults to
            ``'{domain}_{split}.pkl'``.
        rgb_dir_tmpl (str): RGB frame folder. Defaults to
            ``'rgb/{split}/{domain}/{video_id}'``.
        rgb_filename_tmpl (str): RGB frame name from the frame index. Defaults
            to ``'frame_{:010d}.jpg'``.
        flow_dir_tmpl (str): Flow folder. Defaults to
            ``'flow/{split}/{domain}/{video_id}'``.
        flow_filename_tmpl (str): Flow frame name from the direction and the
            index. Defaults to ``'{}/frame_{:010d}.jpg'``.
        flow_directions (Sequence[str]): Names of the x and y directions.
            Defaults to ``('u', 'v')``.
        audio_tmpl (str): The video's wav. Defaults to
            ``'rgb/{split}/{domain}/{video_id}.wav'`` (next to its RGB folder).
        fps (float): RGB frame rate of the frame indices. Defaults to 60.
        flow_stride (int): RGB frames per flow frame. Defaults to 2.
        skip_unreadable (bool): Opt-in skip policy, see
            :class:`MultiModalBaseDataset`. Defaults to False.
        allow_empty_domains (bool): Accept a requested domain whose pickle
            has no row, see :class:`MultiModalBaseDataset`. Defaults to False.
        test_mode (bool): Defaults to False.
    """

    DOMAIN_PARTICIPANTS = {'D1': 'P08', 'D2': 'P01', 'D3': 'P22'}
    # ``domains``: every domain name, checked by DomainAccMetric.
    METAINFO = dict(classes=('take', 'put', 'open', 'close', 'wash', 'cut',
                             'mix', 'pour'),
                    domains=('D1', 'D2', 'D3'))
    SPLITS = ('train', 'test')

    def __init__(self,
                 ann_root: str,
                 domains: Sequence[str],
                 split: str,
                 pipeline: List[Union[dict, callable]],
                 data_root: str = '',
                 modalities: Sequence[str] = MODALITIES,
                 num_classes: int = 8,
                 ann_file_tmpl: str = '{domain}_{split}.pkl',
                 rgb_dir_tmpl: str = 'rgb/{split}/{domain}/{video_id}',
                 rgb_filename_tmpl: str = 'frame_{:010d}.jpg',
                 flow_dir_tmpl: str = 'flow/{split}/{domain}/{video_id}',
                 flow_filename_tmpl: str = '{}/frame_{:010d}.jpg',
                 flow_directions: Sequence[str] = ('u', 'v'),
                 audio_tmpl: str = 'rgb/{split}/{domain}/{video_id}.wav',
                 fps: float = 60.0,
                 flow_stride: int = 2,
                 skip_unreadable: bool = False,
                 test_mode: bool = False,
                 **kwargs) -> None:
        self.domains = check_domains(domains, tuple(self.DOMAIN_PARTICIPANTS),
                                     type(self).__name__)
        if split not in self.SPLITS:
            raise ValueError(f'{type(self).__name__}: split must be one of '
                             f'{self.SPLITS}, got {split!r}')
        if len(flow_directions) != 2:
            raise ValueError('flow_directions must name the x and y '
                             f'directions, got {flow_directions}')
        self.split = split
        self.ann_root = ann_root
        self.ann_file_tmpl = ann_file_tmpl
        self.rgb_dir_tmpl = rgb_dir_tmpl
        self.rgb_filename_tmpl = rgb_filename_tmpl
        self.flow_dir_tmpl = flow_dir_tmpl
        self.flow_filename_tmpl = flow_filename_tmpl
        self.flow_directions = tuple(flow_directions)
        self.audio_tmpl = audio_tmpl
        self.fps = float(fps)
        self.flow_stride = int(flow_stride)
        super().__init__(
            modalities=modalities,
            num_classes=num_classes,
            skip_unreadable=skip_unreadable,
            ann_file='',
            pipeline=pipeline,
            data_root=data_root,
            test_mode=test_mode,
            **kwargs)

    def required_columns(self) -> List[str]:
        """Pickle columns the chosen modalities need."""
        columns = ['video_id', 'start_frame', 'stop_frame', 'verb_class']
        if 'audios' in self.modalities:
            columns += ['start_timestamp', 'stop_timestamp']
        templates = [self.rgb_dir_tmpl, self.flow_dir_tmpl, self.audio_tmpl]
        for optional in ('participant_id', 'uid'):
            if any('{' + optional + '}' in t for t in templates):
                columns.append(optional)
        return columns

    def ann_file_of(self, domain: str) -> str:
        """The pickle of ``domain`` for this split."""
        return osp.join(
            self._root_path(self.ann_root),
            self.ann_file_tmpl.format(domain=domain, split=self.split))

    def read_annotations(self, domain: str) -> pd.DataFrame:
        """Load and validate the pickle of one domain."""
        path = self.ann_file_of(domain)
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'{type(self).__name__}: annotation file {path!r} of domain '
                f'{domain!r}, split {self.split!r} does not exist; expected '
                f'the MM-SADA pickle {self.ann_file_tmpl!r} under ann_root='
                f'{self.ann_root!r}')
        try:  # restricted unpickler: a pickle cannot run code
            frame = read_annotation_pickle(path)
        except RefusedPickleGlobal:
            raise
        except (pickle.UnpicklingError, TypeError) as err:
            raise ValueError(f'{type(self).__name__}: {err}; expected the '
                             'DataFrame of MM-SADA segments') from err
        missing = [c for c in self.required_columns() if c not in frame]
        if missing:
            raise KeyError(
                f'{type(self).__name__}: annotation file {path!r} lacks the '
                f'column(s) {missing}; expected {self.required_columns()} '
                f'(found {list(frame.columns)})')
        return frame

    def load_data_list(self) -> List[dict]:
        """One dict per segment of every requested domain."""
        data_list = []
        for domain in self.domains:
            path = self.ann_file_of(domain)
            frame = self.read_annotations(domain)
            self.check_domain_rows(domain, self.split, path, len(frame))
            for row_idx, row in enumerate(frame.itertuples(index=False)):
                where = f'{path!r} row {row_idx}'
                data_list.append(self._sample(domain, row._asdict(), where))
        return self.check_not_empty(
            data_list, [self.ann_file_of(d) for d in self.domains])

    def _sample(self, domain: str, row: dict, where: str) -> dict:
        label = self.check_label(row['verb_class'], f'{where} (verb_class)')
        start, stop = row['start_frame'], row['stop_frame']
        integers = all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool)
            for v in (start, stop))
        if not integers or not 0 <= start < stop:
            raise ValueError(
                f'{where}: start_frame={start!r}, stop_frame={stop!r}; '
                'expected integers with 0 <= start_frame < stop_frame')
        start, stop = int(start), int(stop)
        fields = dict(split=self.split, domain=domain,
                      video_id=row['video_id'],
                      participant_id=row.get('participant_id'),
                      uid=row.get('uid'))
        uid = row.get('uid', where)
        sample = dict(
            label=label,
            domain=domain,
            video_id=row['video_id'],
            uid=None if row.get('uid') is None else int(row['uid']),
            sample_id=f"{domain}/{row['video_id']}/{uid}")
        if 'imgs' in self.modalities:
            sample.update(
                frame_dir=self._root_path(self.rgb_dir_tmpl.format(**fields)),
                filename_tmpl=self.rgb_filename_tmpl,
                start_index=start,
                total_frames=stop - start,
                fps=self.fps,
                frame_index_base=1)
        if 'flow_imgs' in self.modalities:
            sample.update(
                flow_frame_dir=self._root_path(
                    self.flow_dir_tmpl.format(**fields)),
                flow_filename_tmpl=self.flow_filename_tmpl,
                flow_directions=self.flow_directions,
                flow_start_index=math.ceil(start / self.flow_stride),
                flow_total_frames=(stop - start) // self.flow_stride,
                flow_stride=self.flow_stride,
                fps=self.fps,
                frame_index_base=1)
        if 'audios' in self.modalities:
            try:
                audio_start = parse_timestamp(row['start_timestamp'])
                audio_stop = parse_timestamp(row['stop_timestamp'])
            except ValueError as err:
                raise ValueError(f'{where} (start_timestamp/stop_timestamp): '
                                 f'{err}') from err
            if audio_stop <= audio_start:
                raise ValueError(
                    f'{where}: stop_timestamp {row["stop_timestamp"]!r} is '
                    f'not after start_timestamp {row["start_timestamp"]!r}')
            sample.update(
                audio_path=self._root_path(self.audio_tmpl.format(**fields)),
                audio_start=audio_start,
                audio_stop=audio_stop)
        return sample
