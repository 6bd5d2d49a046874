"""Write the synthetic benchmark to disk in the EPIC-Kitchens or HAC layout.

The samples are those of :class:`SyntheticMMDGDataset` (same world, labels,
domain styles and cross-modal tokens), encoded as the real datasets store
them, so that the real pipelines (``EpicKitchensMMDataset``,
``HACMMDataset`` and their transforms) can be run end to end on CPU:

* RGB and flow floats become uint8 around 128 (``128 + 48 x``, clipped), flow
  channel 0 the x (u) direction and channel 1 the y (v) direction;
* the synthetic spectrogram cannot be inverted exactly, so the audio is a
  stationary tone mixture whose spectrum follows the spectrogram's average
  over time (:func:`tone_mixture`); class evidence and domain style of the
  audio survive, its time structure does not.

The three synthetic domains ``source0, source1, target`` become the first,
second and third domain name given (``D1, D2, D3`` or ``human, animal,
cartoon`` by default).
"""
import math
import os
import os.path as osp
from typing import Dict, Optional, Sequence

import numpy as np
import pandas as pd

from ..synthetic_mmdg_dataset import SyntheticMMDGDataset
from .media import tone_mixture, to_uint8, write_jpeg, write_video, write_wav

SYNTHETIC_DOMAINS = ('source0', 'source1', 'target')
EPIC_PARTICIPANTS = {'D1': 'P08', 'D2': 'P01', 'D3': 'P22'}


def _samples(split: str, syn_domain: str, samples_per_domain: int,
             num_classes: int, rgb_shape: Sequence[int], audio_rows: int,
             seed: int):
    """``(label, {modality: float array [C, ...]})`` per sample."""
    dataset = SyntheticMMDGDataset(
        domains=[syn_domain], split=split,
        samples_per_domain=samples_per_domain, num_classes=num_classes,
        rgb_shape=rgb_shape, audio_shape=(audio_rows, 16), seed=seed)
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        rendered = dataset.render(info)
        yield info['label'], {m: x[0] for m, x in rendered.items()}


def _with_frame_size(rgb_shape: Sequence[int], frame_size: Sequence[int]):
    """``(T, H, W)`` from ``rgb_shape`` with ``(H, W)`` taken from ``(W, H)``."""
    if len(frame_size) != 2 or min(int(v) for v in frame_size) < 1:
        raise ValueError(f'frame_size must be (width, height) > 0, got {frame_size}')
    return (int(rgb_shape[0]), int(frame_size[1]), int(frame_size[0]))


def _timestamp(seconds: float) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f'{int(hours):02d}:{int(minutes):02d}:{secs:05.2f}'


def write_synthetic_epic_tree(root: str,
                              samples_per_domain: int = 4,
                              num_classes: int = 4,
                              rgb_shape: Sequence[int] = (8, 32, 32),
                              audio_rows: int = 64,
                              seed: int = 0,
                              domains: Sequence[str] = ('D1', 'D2', 'D3'),
                              fps: float = 60.0,
                              sample_rate: int = 16000,
                              frame_size: Optional[Sequence[int]] = None) -> Dict[str, str]:
    """Write an EPIC-Kitchens tree (SimMMDG layout) with MM-SADA pickles.

    Per domain and split (``train``, ``test``), one video ``<P>_01`` /
    ``<P>_09`` holds the samples as consecutive segments of ``T`` RGB frames
    (``T = rgb_shape[0]``, even): segment ``k`` is ``[1 + kT, 1 + (k+1)T)``
    in 1-based 60 fps frames, its flow frames are ``ceil(start/2) ..`` (half
    rate) and its audio the matching stretch of the video's wav.

    ``frame_size=(W, H)`` sets the frame size (e.g. ``(456, 256)``, EPIC's)
    and overrides ``rgb_shape[1:]``, so that loader benchmarks read frames of
    the real size.

    Returns:
        dict: ``ann_root`` (the pickle folder) and ``data_root``.
    """
    if frame_size is not None:
        rgb_shape = _with_frame_size(rgb_shape, frame_size)
    t = int(rgb_shape[0])
    if t % 2:
        raise ValueError(f'rgb_shape[0] must be even (flow is half rate), '
                         f'got {t}')
    ann_root = osp.join(root, 'MM-SADA_Domain_Adaptation_Splits')
    os.makedirs(ann_root, exist_ok=True)
    rng = np.random.default_rng(seed)
    uid = 0
    for domain, syn_domain in zip(domains, SYNTHETIC_DOMAINS):
        participant = EPIC_PARTICIPANTS.get(domain, 'P99')
        for split, syn_split, number in (('train', 'train', 1),
                                         ('test', 'test', 9)):
            video_id = f'{participant}_{number:02d}'
            rgb_dir = osp.join(root, 'rgb', split, domain, video_id)
            flow_dir = osp.join(root, 'flow', split, domain, video_id)
            rows, audio = [], []
            for k, (label, x) in enumerate(
                    _samples(syn_split, syn_domain, samples_per_domain,
                             num_classes, rgb_shape, audio_rows, seed)):
                start = 1 + k * t
                stop = start + t
                for i, frame in enumerate(to_uint8(x['imgs']).transpose(
                        1, 2, 3, 0)):  # [3, T, H, W] -> [T, H, W, 3]
                    write_jpeg(
                        osp.join(rgb_dir, f'frame_{start + i:010d}.jpg'),
                        frame)
                flow = to_uint8(x['flow_imgs'])  # [2, T/2, H, W]
                for i in range(flow.shape[1]):
                    j = math.ceil(start / 2) + i
                    for c, direction in enumerate('uv'):
                        write_jpeg(
                            osp.join(flow_dir, direction,
                                     f'frame_{j:010d}.jpg'), flow[c, i])
                start_s, stop_s = (start - 1) / fps, (stop - 1) / fps
                num = int(round(stop_s * sample_rate)) - int(
                    round(start_s * sample_rate))
                audio.append(
                    tone_mixture(x['audios'][0].mean(axis=1), num,
                                 sample_rate, rng))
                uid += 1
                rows.append(
                    dict(uid=uid, participant_id=participant,
                         video_id=video_id, narration=f'class{label}',
                         start_timestamp=_timestamp(start_s),
                         stop_timestamp=_timestamp(stop_s),
                         start_frame=start, stop_frame=stop,
                         verb=f'class{label}', verb_class=label))
            write_wav(osp.join(root, 'rgb', split, domain, f'{video_id}.wav'),
                      np.concatenate(audio), sample_rate)
            pd.DataFrame(rows).to_pickle(
                osp.join(ann_root, f'{domain}_{split}.pkl'))
    return dict(ann_root=ann_root, data_root=root)


def write_synthetic_hac_tree(root: str,
                             samples_per_domain: int = 4,
                             num_classes: int = 4,
                             rgb_shape: Sequence[int] = (8, 32, 32),
                             audio_rows: int = 64,
                             seed: int = 0,
                             domains: Sequence[str] = ('human', 'animal',
                                                       'cartoon'),
                             fps: float = 24.0,
                             sample_rate: int = 16000,
                             frame_size: Optional[Sequence[int]] = None) -> Dict[str, str]:
    """Write a HAC tree: one mp4, two flow mp4s and one wav per sample.

    Flow videos carry the half-rate synthetic flow with each frame shown twice
    (HAC's flow videos share the RGB frame index), as grey frames. The first
    sample of every list has a space in its file name, like HAC's
    ``'drinking_54 .mp4'``. Lists are CRLF csv files without a header.

    ``frame_size=(W, H)`` sets the frame size (e.g. ``(456, 256)``, EPIC's)
    and overrides ``rgb_shape[1:]``, so that loader benchmarks read frames of
    the real size.

    Returns:
        dict: ``ann_root`` (the list folder) and ``data_root``.
    """
    if frame_size is not None:
        rgb_shape = _with_frame_size(rgb_shape, frame_size)
    ann_root = osp.join(root, 'HAC_Splits')
    os.makedirs(ann_root, exist_ok=True)
    rng = np.random.default_rng(seed)
    for domain, syn_domain in zip(domains, SYNTHETIC_DOMAINS):
        for split in ('train', 'test'):
            lines = []
            for k, (label, x) in enumerate(
                    _samples(split, syn_domain, samples_per_domain,
                             num_classes, rgb_shape, audio_rows, seed)):
                stem = f'{split}_class{label}_{k}' + (' ' if k == 0 else '')
                rgb = to_uint8(x['imgs']).transpose(1, 2, 3, 0)
                write_video(osp.join(root, domain, 'videos', f'{stem}.mp4'),
                            list(rgb), fps)
                flow = np.repeat(to_uint8(x['flow_imgs']), 2, axis=1)
                for c, axis in enumerate('xy'):
                    grey = np.repeat(flow[c][..., None], 3, axis=-1)
                    write_video(
                        osp.join(root, domain, 'flow',
                                 f'{stem}_flow_{axis}.mp4'), list(grey), fps)
                num = int(round(rgb.shape[0] / fps * sample_rate))
                write_wav(
                    osp.join(root, domain, 'audio', f'{stem}.wav'),
                    tone_mixture(x['audios'][0].mean(axis=1), num,
                                 sample_rate, rng), sample_rate)
                lines.append(f'{stem}.mp4,{label}\r\n')
            with open(osp.join(ann_root, f'HAC_{split}_only_{domain}.csv'),
                      'w', newline='') as f:
                f.writelines(lines)
    return dict(ann_root=ann_root, data_root=root)
