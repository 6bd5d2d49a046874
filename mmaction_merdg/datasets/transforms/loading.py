"""Decode the sampled RGB and flow frames of one sample.

Two storage layouts are read:

* frame folders (EPIC-Kitchens): RGB JPEGs ``<frame_dir>/frame_%010d.jpg`` and
  greyscale flow JPEGs, one per direction,
  ``<flow_frame_dir>/{u,v}/frame_%010d.jpg``;
* video files (HAC): an RGB mp4 and one mp4 per flow direction
  (``*_flow_x.mp4``, ``*_flow_y.mp4``), decoded with MMAction2's
  ``DecordInit`` / ``DecordDecode``.

Both yield ``imgs`` as a list of ``(H, W, 3)`` uint8 RGB frames and
``flow_imgs`` as a list of ``(H, W, 2)`` uint8 frames, channel 0 = x (u),
channel 1 = y (v), in MMAction2's uint8 flow coding (128 = no motion).
Every unreadable file raises :class:`MediaReadError` naming it.
"""
import os.path as osp
from typing import List, Sequence

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.datasets.transforms import DecordDecode, DecordInit
from mmaction.registry import TRANSFORMS
from .errors import MediaReadError
from .strict_media import check_image_bytes, check_regular_file


# OpenCV >= 4.10 decodes JPEGs straight to RGB (libjpeg writes the channels in
# that order; the same pixels as BGR followed by cvtColor, one pass fewer);
# older versions convert after reading.
_IMREAD_RGB = getattr(cv2, 'IMREAD_COLOR_RGB', None)


# One OpenCV thread per process. A loader's parallelism is its dataloader
# workers: with OpenCV's default (a thread per core) in each of N workers,
# N x cores threads contend for the cores. Set at import, so that it holds in
# workers started with spawn/forkserver (they import the plugin afresh) and,
# before any OpenCV work, in the process that forks workers (they inherit it;
# changing the thread count inside a forked worker hung in our tests once the
# parent had used OpenCV). Importing the plugin thus makes OpenCV
# single-threaded in the importing process too; mmengine's Runner then
# applies ``env_cfg.mp_cfg.opencv_num_threads`` (0, no threading, by default).
cv2.setNumThreads(1)


def _read_image(path: str, flag: int) -> np.ndarray:
    """Read ``path`` in one call, check it is whole, decode it from memory.

    ``cv2.imdecode`` of the bytes gives the pixels ``cv2.imread`` gives (the
    same decoder) and, with the completeness check on the same bytes, opens
    the file once instead of twice (``imread`` + the check's own read).
    """
    check_regular_file(path, 'frame file')  # a FIFO would block open()
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except FileNotFoundError:
        raise MediaReadError(f"frame file '{path}' does not exist") from None
    except OSError as err:
        raise MediaReadError(f"frame file '{path}' cannot be read: {err}") from err
    img = cv2.imdecode(np.frombuffer(data, np.uint8), flag) if data else None
    if img is None:
        # A broken file: imdecode gives up on a cut JPEG that imread's file
        # reader decodes with grey rows; ask imread, so that the error says
        # which of the two it is, as before.
        img = cv2.imread(path, flag)
    if img is None:
        raise MediaReadError(f"frame file '{path}' is not a readable image")
    check_image_bytes(path, data)  # a half JPEG decodes, with grey rows
    return img


def _decode_frames(paths_per_index, read) -> List[np.ndarray]:
    """Read each distinct index once (looped clips repeat indices)."""
    cache = {}
    frames = []
    for index, paths in paths_per_index:
        if index not in cache:
            cache[index] = read(paths)
        frames.append(cache[index])
    return frames


@TRANSFORMS.register_module()
class MultiModalRawFrameDecode(BaseTransform):
    """Read RGB and flow JPEG frames at the sampled indices.

    Required Keys:

        - modalities
        - frame_dir, filename_tmpl, frame_inds (RGB; ``filename_tmpl`` takes
          the frame index, e.g. ``'frame_{:010d}.jpg'``)
        - flow_frame_dir, flow_filename_tmpl, flow_frame_inds (flow;
          ``flow_filename_tmpl`` takes the direction and the index, e.g.
          ``'{}/frame_{:010d}.jpg'``)
        - flow_directions (optional; defaults to ``('x', 'y')``, MMAction2's
          naming; EPIC uses ``('u', 'v')``)

    Added Keys:

        - imgs, img_shape, original_shape (RGB)
        - flow_imgs, flow_img_shape (flow)

    Raises:
        MediaReadError: A frame file is missing or not an image, or the x and
            y flow frames differ in size.
    """

    def transform(self, results: dict) -> dict:
        """Decode the frames of every visual modality present."""
        modalities = results['modalities']
        if 'imgs' in modalities:
            frame_dir, tmpl = results['frame_dir'], results['filename_tmpl']
            imgs = _decode_frames(
                ((int(i), osp.join(frame_dir, tmpl.format(int(i))))
                 for i in results['frame_inds']), self._read_rgb)
            results['imgs'] = imgs
            results['img_shape'] = imgs[0].shape[:2]
            results['original_shape'] = imgs[0].shape[:2]
        if 'flow_imgs' in modalities:
            frame_dir = results['flow_frame_dir']
            tmpl = results['flow_filename_tmpl']
            dx, dy = results.get('flow_directions', ('x', 'y'))
            flows = _decode_frames(
                ((int(i), (osp.join(frame_dir, tmpl.format(dx, int(i))),
                           osp.join(frame_dir, tmpl.format(dy, int(i)))))
                 for i in results['flow_frame_inds']), self._read_flow)
            results['flow_imgs'] = flows
            results['flow_img_shape'] = flows[0].shape[:2]
        return results

    @staticmethod
    def _read_rgb(path: str) -> np.ndarray:
        if _IMREAD_RGB is not None:
            return _read_image(path, _IMREAD_RGB)
        return cv2.cvtColor(_read_image(path, cv2.IMREAD_COLOR),
                            cv2.COLOR_BGR2RGB)

    @staticmethod
    def _read_flow(paths) -> np.ndarray:
        x = _read_image(paths[0], cv2.IMREAD_GRAYSCALE)
        y = _read_image(paths[1], cv2.IMREAD_GRAYSCALE)
        if x.shape != y.shape:
            raise MediaReadError(
                f"flow frames '{paths[0]}' {x.shape} and '{paths[1]}' "
                f'{y.shape} differ in size')
        return cv2.merge((x, y))  # [H, W] x 2 -> [H, W, 2], as np.stack(-1)


def _open_video(init: DecordInit, path: str, what: str):
    """Open ``path`` with MMAction2's ``DecordInit``; errors name the file."""
    check_regular_file(path, f'{what} video')
    if not osp.isfile(path):
        raise MediaReadError(f"{what} video '{path}' does not exist")
    try:
        out = init.transform(dict(filename=path))
    except Exception as err:  # decord raises a bare RuntimeError
        raise MediaReadError(
            f"{what} video '{path}' cannot be decoded: {err}") from err
    if out['total_frames'] < 1:
        raise MediaReadError(f"{what} video '{path}' holds no frame")
    return out


def _read_video_frames(decode: DecordDecode, reader, inds: np.ndarray,
                       path: str) -> List[np.ndarray]:
    try:
        return decode.transform(dict(video_reader=reader,
                                     frame_inds=np.asarray(inds)))['imgs']
    except Exception as err:
        raise MediaReadError(
            f"video '{path}' cannot decode frames {list(map(int, inds))}: "
            f'{err}') from err


@TRANSFORMS.register_module()
class MultiModalDecordInit(BaseTransform):
    """Open the RGB video and the two flow videos with MMAction2's DecordInit.

    Required Keys:

        - modalities
        - filename (RGB video)
        - flow_x_filename, flow_y_filename (flow videos)

    Added Keys:

        - video_reader, total_frames, avg_fps, start_index (RGB)
        - flow_video_readers, flow_total_frames, flow_start_index (flow; the
          frame count is the shorter of the two flow videos)

    Args:
        num_threads (int): Decoding threads per video. Defaults to 1.

    Raises:
        MediaReadError: A video is missing, cannot be decoded or is empty.
    """

    def __init__(self, num_threads: int = 1) -> None:
        self.num_threads = num_threads
        self._init = DecordInit(num_threads=num_threads)

    def transform(self, results: dict) -> dict:
        """Open the videos of every visual modality present."""
        modalities = results['modalities']
        if 'imgs' in modalities:
            out = _open_video(self._init, results['filename'], 'RGB')
            results['video_reader'] = out['video_reader']
            results['total_frames'] = out['total_frames']
            results['avg_fps'] = out['avg_fps']
            results['start_index'] = 0
        if 'flow_imgs' in modalities:
            outs = [
                _open_video(self._init, results[key], 'flow')
                for key in ('flow_x_filename', 'flow_y_filename')
            ]
            results['flow_video_readers'] = tuple(o['video_reader']
                                                  for o in outs)
            results['flow_total_frames'] = min(o['total_frames']
                                               for o in outs)
            results['flow_start_index'] = 0
            results.setdefault('avg_fps', outs[0]['avg_fps'])
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(num_threads={self.num_threads})'


@TRANSFORMS.register_module()
class MultiModalDecordDecode(BaseTransform):
    """Decode the sampled frames with MMAction2's DecordDecode.

    Flow videos store each direction as a video; a frame is turned back to one
    greyscale channel (``cv2.COLOR_RGB2GRAY``) and the x and y channels are
    stacked.

    Required Keys:

        - modalities
        - video_reader, frame_inds, filename (RGB)
        - flow_video_readers, flow_frame_inds, flow_x_filename,
          flow_y_filename (flow)

    Added Keys:

        - imgs, img_shape, original_shape (RGB)
        - flow_imgs, flow_img_shape (flow)

    Modified Keys:

        - video_reader, flow_video_readers (released: set to None)

    Raises:
        MediaReadError: A sampled frame cannot be decoded.
    """

    def __init__(self) -> None:
        self._decode = DecordDecode()

    def transform(self, results: dict) -> dict:
        """Decode the frames of every visual modality present."""
        modalities = results['modalities']
        if 'imgs' in modalities:
            imgs = _read_video_frames(self._decode, results['video_reader'],
                                      results['frame_inds'],
                                      results['filename'])
            results['video_reader'] = None
            results['imgs'] = imgs
            results['img_shape'] = imgs[0].shape[:2]
            results['original_shape'] = imgs[0].shape[:2]
        if 'flow_imgs' in modalities:
            planes = []
            for reader, key in zip(results['flow_video_readers'],
                                   ('flow_x_filename', 'flow_y_filename')):
                frames = _read_video_frames(self._decode, reader,
                                            results['flow_frame_inds'],
                                            results[key])
                planes.append(self._to_grey(frames))
            if planes[0][0].shape != planes[1][0].shape:
                raise MediaReadError(
                    f"flow videos '{results['flow_x_filename']}' "
                    f"{planes[0][0].shape} and '{results['flow_y_filename']}' "
                    f'{planes[1][0].shape} differ in frame size')
            results['flow_video_readers'] = None
            results['flow_imgs'] = [
                np.stack(xy, axis=-1) for xy in zip(*planes)
            ]  # [H, W] x 2 -> [H, W, 2]
            results['flow_img_shape'] = results['flow_imgs'][0].shape[:2]
        return results

    @staticmethod
    def _to_grey(frames: Sequence[np.ndarray]) -> List[np.ndarray]:
        grey = []
        for frame in frames:
            if frame.ndim == 3:
                frame = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
            grey.append(frame)
        return grey
