"""Per-modality temporal sampling of one multimodal sample.

The prior recipe (SimMMDG's SlowFast R101 RGB and SlowOnly R50 flow configs)
samples RGB as 32 frames at stride 2 and flow as 8 frames at stride 4 on the
half-rate flow index, each with MMAction2's ``SampleFrames`` rule and **each
with its own random offset**, and reads the audio of the whole annotated
segment (EPIC) or of the span of the RGB clip at an assumed 24 fps (HAC).
``align=True`` instead centres the flow clip and the audio window on the RGB
clip, so that the three modalities describe the same moment.
"""
from typing import Dict, Optional, Tuple

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS

# Per-modality result keys: (start index, number of frames, sampled indices).
_INDEX_KEYS = {
    'imgs': ('start_index', 'total_frames', 'frame_inds'),
    'flow_imgs': ('flow_start_index', 'flow_total_frames', 'flow_frame_inds'),
}
_VISUAL_ORDER = ('imgs', 'flow_imgs')


def clip_offset(total: int, span: int, test_mode: bool,
                rng=np.random) -> int:
    """The offset of one clip as MMAction2's ``SampleFrames`` picks it.

    Args:
        total (int): Frames in the segment.
        span (int): ``clip_len * frame_interval`` in training,
            ``(clip_len - 1) * frame_interval + 1`` in testing.
        test_mode (bool): Centre the clip instead of drawing its offset.
        rng: A numpy ``RandomState``-like generator.

    Returns:
        int: Offset from the segment start: uniform in ``[0, total - span]`` in
        training, ``(total - span) // 2`` in testing, 0 when the segment is
        shorter than the clip (the indices then wrap around, MMAction2's
        ``'loop'``).
    """
    if test_mode:
        return max(total - span, 0) // 2
    if total - span + 1 > 0:
        return int(rng.randint(total - span + 1))
    return 0


@TRANSFORMS.register_module()
class SampleMultiModalFrames(BaseTransform):
    """Sample the frame indices of every visual modality and the audio window.

    Visual modalities are sampled with MMAction2's ``SampleFrames`` rule (one
    clip, ``'loop'`` for segments shorter than the clip): training draws the
    offset uniformly, testing centres the clip. Indices stay inside
    ``[start, start + total)``.

    Time of a frame index ``i`` of RGB is ``(i - frame_index_base) / fps``
    seconds; a flow index ``j`` is at RGB index ``j * flow_stride`` (EPIC's
    TV-L1 flow has ``flow_stride=2``; HAC's flow videos 1).

    With ``align=False`` (the prior behaviour) each visual modality draws its
    own offset. The audio window is the dataset's ``audio_start`` /
    ``audio_stop`` if it gave one (EPIC: the segment's timestamps), otherwise
    the span of the first visual clip (HAC: RGB, else flow).

    With ``align=True`` the first visual modality (RGB, else flow) is sampled as
    above; the flow clip is centred on the RGB clip's centre, shifted to stay
    inside the flow segment; the audio window is the span of that first clip.

    Required Keys:

        - modalities
        - start_index, total_frames (RGB)
        - flow_start_index, flow_total_frames, flow_stride (flow)
        - fps or avg_fps, frame_index_base (optional, default 0; needed when the
          audio window is taken from a clip)
        - audio_start, audio_stop (optional)

    Added Keys:

        - frame_inds, clip_len, frame_interval, num_clips (RGB)
        - flow_frame_inds, flow_clip_len, flow_frame_interval (flow)

    Modified Keys:

        - audio_start, audio_stop (when taken from the clip)

    Args:
        clip_len (dict): Frames per clip, per visual modality. Defaults to
            ``dict(imgs=32, flow_imgs=8)``.
        frame_interval (dict): Stride, per visual modality. Defaults to
            ``dict(imgs=2, flow_imgs=4)``.
        align (bool): Align flow and audio on the RGB clip. Defaults to False.
        test_mode (bool): Centre the clips. Defaults to False.
    """

    def __init__(self,
                 clip_len: Optional[Dict[str, int]] = None,
                 frame_interval: Optional[Dict[str, int]] = None,
                 align: bool = False,
                 test_mode: bool = False) -> None:
        self.clip_len = dict(imgs=32, flow_imgs=8) \
            if clip_len is None else dict(clip_len)
        self.frame_interval = dict(imgs=2, flow_imgs=4) \
            if frame_interval is None else dict(frame_interval)
        for name, table in (('clip_len', self.clip_len),
                            ('frame_interval', self.frame_interval)):
            unknown = set(table) - set(_INDEX_KEYS)
            if unknown:
                raise ValueError(f'{name} has unknown modalities '
                                 f'{sorted(unknown)}; expected keys among '
                                 f'{list(_INDEX_KEYS)}')
            if any(int(v) < 1 for v in table.values()):
                raise ValueError(f'{name} values must be >= 1, got {table}')
        self.align = align
        self.test_mode = test_mode

    def _span(self, key: str) -> int:
        if self.test_mode:
            return (self.clip_len[key] - 1) * self.frame_interval[key] + 1
        return self.clip_len[key] * self.frame_interval[key]

    def _indices(self, key: str, start: int, total: int,
                 offset: int) -> np.ndarray:
        steps = np.arange(self.clip_len[key]) * self.frame_interval[key]
        return (start + np.mod(offset + steps, total)).astype(np.int64)

    @staticmethod
    def _segment(results: dict, key: str) -> Tuple[int, int]:
        start_key, total_key, _ = _INDEX_KEYS[key]
        start, total = int(results[start_key]), int(results[total_key])
        if total < 1:
            raise ValueError(
                f"sample '{results.get('sample_id', '?')}' has "
                f'{total_key}={total}; a {key} clip needs at least one frame')
        return start, total

    @staticmethod
    def _fps(results: dict) -> float:
        fps = results.get('fps') or results.get('avg_fps')
        if not fps:
            raise KeyError(
                'the audio window is taken from the sampled clip, which needs '
                "the frame rate in results['fps'] (or 'avg_fps' from a video "
                'reader)')
        return float(fps)

    def _rgb_position(self, results: dict, key: str, index) -> np.ndarray:
        """Map ``key`` indices to (fractional) RGB frame indices."""
        index = np.asarray(index, dtype=np.float64)
        if key == 'flow_imgs':
            return index * float(results.get('flow_stride', 1))
        return index

    def transform(self, results: dict) -> dict:
        """Write the frame indices and the audio window into ``results``."""
        modalities = tuple(results['modalities'])
        visual = [key for key in _VISUAL_ORDER if key in modalities]
        missing = [key for key in visual if key not in self.clip_len
                   or key not in self.frame_interval]
        if missing:
            raise KeyError(f'SampleMultiModalFrames has no clip_len / '
                           f'frame_interval for {missing}')
        anchor_rgb = None  # RGB-index span [first, last] of the first clip
        for key in visual:
            start, total = self._segment(results, key)
            span = self._span(key)
            if self.align and anchor_rgb is not None:
                centre = (anchor_rgb[0] + anchor_rgb[1]) / 2 / float(
                    results.get('flow_stride', 1))
                # Centre on the frames the clip really covers.
                covered = (self.clip_len[key] - 1) * \
                    self.frame_interval[key] + 1
                offset = int(round(centre - (covered - 1) / 2)) - start
                offset = min(max(offset, 0), max(total - covered, 0))
            else:
                offset = clip_offset(total, span, self.test_mode)
            inds = self._indices(key, start, total, offset)
            results[_INDEX_KEYS[key][2]] = inds
            if anchor_rgb is None:
                pos = self._rgb_position(results, key, inds)
                anchor_rgb = (float(pos.min()), float(pos.max()))
        if 'imgs' in visual:
            results['clip_len'] = self.clip_len['imgs']
            results['frame_interval'] = self.frame_interval['imgs']
        if 'flow_imgs' in visual:
            results['flow_clip_len'] = self.clip_len['flow_imgs']
            results['flow_frame_interval'] = self.frame_interval['flow_imgs']
        results['num_clips'] = 1

        wants_clip_window = self.align or 'audio_start' not in results
        if 'audios' in modalities and visual and wants_clip_window:
            fps = self._fps(results)
            base = float(results.get('frame_index_base', 0))
            results['audio_start'] = (anchor_rgb[0] - base) / fps
            # The window ends after the last frame's duration.
            results['audio_stop'] = (anchor_rgb[1] - base + 1) / fps
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(clip_len={self.clip_len}, '
                f'frame_interval={self.frame_interval}, align={self.align}, '
                f'test_mode={self.test_mode})')
