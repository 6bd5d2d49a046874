"""Spatial transforms applied jointly to RGB (``imgs``) and flow (``flow_imgs``).

MMAction2 1.2's ``Resize``, ``RandomResizedCrop``, ``CenterCrop`` and ``Flip``
act on ``imgs`` only, so a pipeline cannot give RGB and flow the same random
crop with them. Each transform here draws its random parameters once per
sample, on the first visual modality present (RGB, else flow), in coordinates
relative to the frame size, and applies them to every visual modality: when RGB
and flow frames have the same size (EPIC-Kitchens, HAC) they get exactly the
same pixels; otherwise the same relative region.

Frames arrive as a list of ``(H, W, C)`` arrays (the decoders' output) or one
``[T, H, W, C]`` array; a transform that writes pixels (resize, flip) returns
one ``[T, H, W, C]`` array, a crop returns views of its input. Every step stays
in uint8 (the data preprocessor normalises on the device) and does its pixel
work in one OpenCV call per frame or per clip, never in per-pixel Python or
numpy's strided copies (a numpy copy of a flipped view is ~50x slower than
``cv2.flip``; ``tools/analysis/benchmark_pipeline.py --floor`` has the stage
table). The values are those of the per-frame reference: the same
``cv2.resize`` per frame, exact flips and channel moves.
"""
import math
from typing import List, Sequence, Tuple, Union

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS
from .flow import negate_flow_x

# Frame list key -> shape key of each visual modality.
_VISUAL = (('imgs', 'img_shape'), ('flow_imgs', 'flow_img_shape'))


def _present(results: dict) -> List[Tuple[str, str]]:
    return [(key, shape) for key, shape in _VISUAL if key in results]


def _frame_hw(frames: Sequence[np.ndarray]) -> Tuple[int, int]:
    return frames[0].shape[0], frames[0].shape[1]


def _written(result: np.ndarray, dst: np.ndarray) -> None:
    """Make sure an OpenCV call given ``dst=dst`` wrote into ``dst``.

    OpenCV writes in place when ``dst`` has the output's shape and type and
    returns that very object; otherwise it allocates a new array, which is
    copied here so that the output is never silently left empty.
    """
    if result is not dst:
        dst[...] = result.reshape(dst.shape)


def _clip_like(frames: Sequence[np.ndarray], h: int, w: int) -> np.ndarray:
    """An empty ``[T, h, w(, C)]`` array with the frames' dtype and channels."""
    first = frames[0]
    return np.empty((len(frames), h, w) + first.shape[2:], dtype=first.dtype)


def _frame_views(out: np.ndarray) -> List[np.ndarray]:
    """Per-frame views of ``out`` that OpenCV accepts as ``dst``.

    A single-channel ``(h, w, 1)`` frame is passed as ``(h, w)``: OpenCV
    returns single-channel images without the channel axis.
    """
    if out.ndim == 4 and out.shape[-1] == 1:
        out = out[..., 0]
    return list(out)


def resize_clip(frames: Sequence[np.ndarray], size_hw: Tuple[int, int],
                interpolation: int = cv2.INTER_LINEAR) -> np.ndarray:
    """Resize every frame into one new ``[T, h, w(, C)]`` array.

    One ``cv2.resize`` per frame (frames may be views, e.g. crops), written
    straight into the output; a frame object listed several times (a looped
    clip) is resized once and copied.

    Args:
        frames (Sequence[np.ndarray]): ``T`` frames ``(H, W(, C))``, a list
            or a ``[T, H, W(, C)]`` array.
        size_hw (tuple[int]): Output ``(h, w)``.
        interpolation (int): An OpenCV ``INTER_*`` flag. Defaults to
            ``cv2.INTER_LINEAR``.

    Returns:
        np.ndarray: ``[T, h, w(, C)]``, the input's dtype.
    """
    h, w = size_hw
    out = _clip_like(frames, h, w)
    views = _frame_views(out)
    # Only a list holds its frame objects alive, so only there do equal ids
    # mean the same frame (an array yields a fresh view per index).
    first_of = {} if isinstance(frames, list) else None
    for t, frame in enumerate(frames):
        if first_of is not None and id(frame) in first_of:
            views[t][...] = views[first_of[id(frame)]]
            continue
        _written(cv2.resize(frame, (w, h), dst=views[t],
                            interpolation=interpolation), views[t])
        if first_of is not None:
            first_of[id(frame)] = t
    return out


def flip_clip(frames: Sequence[np.ndarray]) -> np.ndarray:
    """Mirror every frame left-right into one new ``[T, H, W(, C)]`` array.

    A C-contiguous ``[T, H, W, C]`` array is flipped in one ``cv2.flip`` (its
    rows, ``T x H`` of them, are the frames' rows); other inputs frame by
    frame.
    """
    h, w = _frame_hw(frames)
    if isinstance(frames, np.ndarray) and frames.flags.c_contiguous:
        # [T, H, W(, C)] -> [T*H, W, C]: each row is one row of one frame.
        rows = frames.reshape(len(frames) * h, w, -1)
        out = np.empty_like(frames)
        dst = out.reshape(rows.shape)
        if dst.shape[-1] == 1:
            rows, dst = rows[..., 0], dst[..., 0]
        _written(cv2.flip(rows, 1, dst=dst), dst)
        return out
    out = _clip_like(frames, h, w)
    for frame, view in zip(frames, _frame_views(out)):
        _written(cv2.flip(frame, 1, dst=view), view)
    return out


@TRANSFORMS.register_module()
class MultiModalResize(BaseTransform):
    """Resize RGB and flow frames with one rule.

    A resized modality becomes one ``[T, h, w, C]`` array (see
    :func:`resize_clip`); a size already right leaves the frames untouched.

    Required Keys:

        - imgs and/or flow_imgs

    Modified Keys:

        - imgs, img_shape, flow_imgs, flow_img_shape

    Args:
        scale (tuple[int]): ``(w, h)``. ``(-1, s)`` or ``(s, -1)`` resizes the
            short edge to ``s`` keeping the aspect ratio (as MMAction2's
            ``Resize(scale=(-1, 256))``); two positive sizes resize exactly.
        interpolation (str): ``'bilinear'``, ``'nearest'``, ``'bicubic'`` or
            ``'area'``. Defaults to ``'bilinear'``.
    """

    _INTERP = dict(bilinear=cv2.INTER_LINEAR, nearest=cv2.INTER_NEAREST,
                   bicubic=cv2.INTER_CUBIC, area=cv2.INTER_AREA)

    def __init__(self, scale: Tuple[int, int],
                 interpolation: str = 'bilinear') -> None:
        scale = tuple(int(s) for s in scale)
        if len(scale) != 2 or min(scale) < -1 or 0 in scale or \
                scale.count(-1) > 1:
            raise ValueError('scale must be (w, h) with positive sizes or one '
                             f'-1 for "short edge", got {scale}')
        if interpolation not in self._INTERP:
            raise ValueError(f'interpolation must be one of '
                             f'{list(self._INTERP)}, got {interpolation!r}')
        self.scale = scale
        self.interpolation = interpolation

    def _target(self, h: int, w: int) -> Tuple[int, int]:
        if -1 not in self.scale:
            return self.scale[1], self.scale[0]
        short = max(self.scale)
        ratio = short / min(h, w)
        return int(round(h * ratio)), int(round(w * ratio))

    def transform(self, results: dict) -> dict:
        """Resize every visual modality present."""
        for key, shape_key in _present(results):
            h, w = _frame_hw(results[key])
            new_h, new_w = self._target(h, w)
            if (new_h, new_w) != (h, w):
                results[key] = resize_clip(results[key], (new_h, new_w),
                                           self._INTERP[self.interpolation])
            results[shape_key] = (new_h, new_w)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(scale={self.scale}, '
                f'interpolation={self.interpolation})')


def _crop(frames: Sequence[np.ndarray], x0: int, y0: int, cw: int, ch: int):
    """Views of the box ``[y0, y0 + ch) x [x0, x0 + cw)`` of every frame.

    An array gives one ``[T, ch, cw, C]`` view, a list a list of views: no
    pixel is copied (the next resize reads the box directly). A frame object
    listed several times (a looped clip) gets one view object, so that
    :func:`resize_clip` still resizes it once.
    """
    if isinstance(frames, np.ndarray):
        return frames[:, y0:y0 + ch, x0:x0 + cw]
    views = {}
    for f in frames:
        if id(f) not in views:
            views[id(f)] = f[y0:y0 + ch, x0:x0 + cw]
    return [views[id(f)] for f in frames]


def _crop_frames(frames: Sequence[np.ndarray], box_rel: Tuple[float, ...]):
    """Crop a relative box ``(x0, y0, w, h)`` (fractions) from every frame."""
    h, w = _frame_hw(frames)
    x0 = int(round(box_rel[0] * w))
    y0 = int(round(box_rel[1] * h))
    cw = max(1, min(w - x0, int(round(box_rel[2] * w))))
    ch = max(1, min(h - y0, int(round(box_rel[3] * h))))
    box = np.array([x0, y0, x0 + cw, y0 + ch])
    return _crop(frames, x0, y0, cw, ch), box


@TRANSFORMS.register_module()
class MultiModalRandomResizedCrop(BaseTransform):
    """One random area/aspect crop for RGB and flow (Inception-style).

    The box covers an area fraction drawn from ``area_range`` with an aspect
    ratio drawn log-uniformly from ``aspect_ratio_range`` (MMAction2's
    ``RandomResizedCrop`` rule, up to ``max_attempts`` draws, then a central
    square). Follow it with :class:`MultiModalResize` to the input size.

    Required Keys:

        - imgs and/or flow_imgs

    Modified Keys:

        - imgs, img_shape, flow_imgs, flow_img_shape

    Added Keys:

        - crop_bbox (RGB), flow_crop_bbox (flow): ``[x1, y1, x2, y2]`` pixels

    Args:
        area_range (tuple[float]): Area fraction range. Defaults to
            ``(0.08, 1.0)``.
        aspect_ratio_range (tuple[float]): Width/height range. Defaults to
            ``(3 / 4, 4 / 3)``.
        max_attempts (int): Draws before the central-square fallback.
            Defaults to 10.
    """

    def __init__(self,
                 area_range: Tuple[float, float] = (0.08, 1.0),
                 aspect_ratio_range: Tuple[float, float] = (3 / 4, 4 / 3),
                 max_attempts: int = 10) -> None:
        if not 0 < area_range[0] <= area_range[1] <= 1:
            raise ValueError(f'area_range must satisfy 0 < lo <= hi <= 1, got '
                             f'{area_range}')
        if not 0 < aspect_ratio_range[0] <= aspect_ratio_range[1]:
            raise ValueError('aspect_ratio_range must satisfy 0 < lo <= hi, '
                             f'got {aspect_ratio_range}')
        self.area_range = tuple(area_range)
        self.aspect_ratio_range = tuple(aspect_ratio_range)
        self.max_attempts = max_attempts

    def _relative_box(self, h: int, w: int) -> Tuple[float, ...]:
        log_lo, log_hi = (math.log(r) for r in self.aspect_ratio_range)
        for _ in range(self.max_attempts):
            area = np.random.uniform(*self.area_range) * h * w
            ratio = math.exp(np.random.uniform(log_lo, log_hi))
            cw = int(round(math.sqrt(area * ratio)))
            ch = int(round(math.sqrt(area / ratio)))
            if 0 < cw <= w and 0 < ch <= h:
                x0 = np.random.randint(0, w - cw + 1)
                y0 = np.random.randint(0, h - ch + 1)
                return x0 / w, y0 / h, cw / w, ch / h
        side = min(h, w)
        return ((w - side) // 2) / w, ((h - side) // 2) / h, side / w, side / h

    def transform(self, results: dict) -> dict:
        """Crop every visual modality present with one random box."""
        present = _present(results)
        if not present:
            return results
        box_rel = self._relative_box(*_frame_hw(results[present[0][0]]))
        for key, shape_key in present:
            results[key], box = _crop_frames(results[key], box_rel)
            results[shape_key] = _frame_hw(results[key])
            results['crop_bbox' if key == 'imgs' else 'flow_crop_bbox'] = box
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(area_range={self.area_range}, '
                f'aspect_ratio_range={self.aspect_ratio_range})')


@TRANSFORMS.register_module()
class MultiModalCenterCrop(BaseTransform):
    """Crop the central ``crop_size`` region of RGB and flow frames.

    Required Keys:

        - imgs and/or flow_imgs

    Modified Keys:

        - imgs, img_shape, flow_imgs, flow_img_shape

    Added Keys:

        - crop_bbox (RGB), flow_crop_bbox (flow)

    Args:
        crop_size (int | tuple[int]): ``s`` for ``s x s`` or ``(w, h)``; a
            frame smaller than the crop keeps its size along that side.
    """

    def __init__(self, crop_size: Union[int, Tuple[int, int]]) -> None:
        if isinstance(crop_size, int):
            crop_size = (crop_size, crop_size)
        self.crop_size = tuple(int(s) for s in crop_size)
        if len(self.crop_size) != 2 or min(self.crop_size) < 1:
            raise ValueError(f'crop_size must be positive, got {crop_size}')

    def transform(self, results: dict) -> dict:
        """Centre-crop every visual modality present."""
        for key, shape_key in _present(results):
            h, w = _frame_hw(results[key])
            cw, ch = min(self.crop_size[0], w), min(self.crop_size[1], h)
            x0, y0 = (w - cw) // 2, (h - ch) // 2
            results[key] = _crop(results[key], x0, y0, cw, ch)
            results[shape_key] = (ch, cw)
            results['crop_bbox' if key == 'imgs' else 'flow_crop_bbox'] = \
                np.array([x0, y0, x0 + cw, y0 + ch])
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(crop_size={self.crop_size})'


@TRANSFORMS.register_module()
class MultiModalFlip(BaseTransform):
    """Flip RGB and flow horizontally together; flow x changes sign.

    One draw decides for both modalities. RGB frames are mirrored; flow frames
    are mirrored and their x channel negated (see :mod:`.flow` for the uint8
    coding ``x -> 255 - x``). A flipped modality becomes one ``[T, H, W, C]``
    array (:func:`flip_clip`).

    Required Keys:

        - imgs and/or flow_imgs

    Modified Keys:

        - imgs, flow_imgs

    Added Keys:

        - flip (bool), flip_direction (``'horizontal'``)

    Args:
        flip_ratio (float): Probability of flipping. Defaults to 0.5.
    """

    def __init__(self, flip_ratio: float = 0.5) -> None:
        if not 0 <= flip_ratio <= 1:
            raise ValueError(f'flip_ratio must be in [0, 1], got {flip_ratio}')
        self.flip_ratio = flip_ratio

    def transform(self, results: dict) -> dict:
        """Flip every visual modality present, or none."""
        flip = bool(np.random.rand() < self.flip_ratio)
        if flip:
            if 'imgs' in results:
                results['imgs'] = flip_clip(results['imgs'])
            if 'flow_imgs' in results:
                flow = flip_clip(results['flow_imgs'])
                negate_flow_x(flow)  # mirrored motion: x changes sign
                results['flow_imgs'] = flow
        results['flip'] = flip
        results['flip_direction'] = 'horizontal'
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(flip_ratio={self.flip_ratio})'


def _stack_channels_first(frames: Sequence[np.ndarray], num_clips: int) -> np.ndarray:
    """``M`` frames ``(H, W[, C])`` -> ``[num_clips, C, M / num_clips, H, W]``.

    Each channel plane is written once into the output by
    ``cv2.extractChannel``: in one call per channel for a C-contiguous
    ``[M, H, W, C]`` array (its ``M x H`` rows are the frames' rows), else per
    frame. numpy's transposing copy of uint8 with 3 interleaved channels was
    the largest stage after decoding (``tools/analysis/benchmark_pipeline.py
    --floor``).
    """
    first = frames[0]
    h, w = first.shape[:2]
    c = first.shape[2] if first.ndim == 3 else 1
    m = len(frames)
    out = np.empty((c, m, h, w), dtype=first.dtype)  # [C, M, H, W]
    if c == 1:
        for t, frame in enumerate(frames):
            out[0, t] = frame.reshape(h, w)
    elif isinstance(frames, np.ndarray) and frames.flags.c_contiguous:
        rows = frames.reshape(m * h, w, c)  # [M, H, W, C] -> [M*H, W, C]
        for k in range(c):
            dst = out[k].reshape(m * h, w)  # [M, H, W] -> [M*H, W], a view
            _written(cv2.extractChannel(rows, k, dst=dst), dst)
    else:
        for t, frame in enumerate(frames):
            for k in range(c):
                dst = out[k, t]
                _written(cv2.extractChannel(frame, k, dst=dst), dst)
    # [C, N_clips * T, H, W] -> [N_clips, C, T, H, W]; a view when N_clips == 1
    out = out.reshape(c, num_clips, -1, h, w).transpose(1, 0, 2, 3, 4)
    return np.ascontiguousarray(out)


@TRANSFORMS.register_module()
class MultiModalFormatShape(BaseTransform):
    """Stack RGB and flow frame lists into ``[num_clips, C, T, H, W]`` arrays.

    Values stay raw (uint8 0..255); the data preprocessor normalises each
    modality. ``audios`` is already ``[num_clips, 1, F, T]`` and is left as is.

    Required Keys:

        - imgs and/or flow_imgs (lists of ``(H, W, C)`` frames or
          ``[T, H, W, C]`` arrays)
        - num_clips (optional, defaults to 1)

    Modified Keys:

        - imgs (``[num_clips, 3, T, H, W]``), flow_imgs
          (``[num_clips, 2, T, H, W]``)

    Added Keys:

        - input_shape, flow_input_shape
    """

    def transform(self, results: dict) -> dict:
        """Stack every visual modality present."""
        num_clips = int(results.get('num_clips', 1))
        for key, shape_key in (('imgs', 'input_shape'),
                               ('flow_imgs', 'flow_input_shape')):
            if key not in results:
                continue
            frames = _stack_channels_first(results[key], num_clips)
            results[key] = frames
            results[shape_key] = frames.shape
        return results
