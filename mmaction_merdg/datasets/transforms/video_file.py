"""A bare video path as a plugin sample, for MMAction2's ``inference_recognizer``.

``mmaction.apis.inference_recognizer(model, 'clip.mp4')`` runs the config's
``test_pipeline`` on ``dict(filename='clip.mp4', label=-1, start_index=0,
modality='RGB')``. :class:`VideoFileSample`, the first step of the media
configs' test pipelines, completes that dict into the sample the rest of the
pipeline reads: the model's ``modalities``, the audio taken from the video's
own track (decoded by PyAV in ``LoadAudioWindow``) and the optical flow from
a flow source given to it. A video file holds no optical flow, so a model
with ``flow_imgs`` and no flow source is an error that says how to give one.
Configs whose pipeline decodes extracted frames (EPIC-Kitchens) set
``frames_only=True``: a bare video path is then an error that names the
helpers that swap in video decoding.
"""
import os.path as osp
from typing import Optional, Sequence

from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS
from ...modalities import MODALITIES, canonical_order

FLOW_DIRECTIONS = ('x', 'y')


@TRANSFORMS.register_module()
class VideoFileSample(BaseTransform):
    """Complete the dict of a video path into a multimodal sample.

    A sample that already names its ``modalities`` (every dataset sample)
    passes through unchanged, so the test dataloader can share the pipeline.

    Required Keys:

        - filename (the video)

    Added Keys:

        - modalities
        - audio_path (the video itself, when the model has ``audios`` and the
          dict names no other audio file)
        - flow_x_filename, flow_y_filename, flow_stride (when the model has
          ``flow_imgs``, from ``flow_files``; a dict that holds them keeps
          its own)

    Args:
        modalities (Sequence[str]): The model's modalities (the config's
            ``modalities``).
        flow_files (str, optional): Where the flow videos of a video lie: a
            format string with ``{dirname}``, ``{stem}`` (the video's file
            name without extension) and ``{direction}`` (``x`` or ``y``),
            e.g. HAC's ``'{dirname}/../flow/{stem}_flow_{direction}.mp4'``.
            The flow videos are frame-aligned with the RGB video (stride 1).
            Defaults to None: no flow source.
        frames_only (bool): The rest of the pipeline reads extracted frames,
            not videos: a bare video path raises an error saying what to use
            instead. Defaults to False.
    """

    def __init__(self, modalities: Sequence[str] = MODALITIES,
                 flow_files: Optional[str] = None, frames_only: bool = False) -> None:
        unknown = [m for m in modalities if m not in MODALITIES]
        if unknown or not modalities:
            raise ValueError(f'VideoFileSample: modalities must be among {MODALITIES}; '
                             f'got {tuple(modalities)}.')
        self.modalities = canonical_order(modalities)
        self.flow_files = flow_files
        self.frames_only = frames_only

    def transform(self, results: dict) -> dict:
        """Fill ``modalities``, the audio and the flow source of a bare video."""
        if 'modalities' in results:
            return results
        if 'filename' not in results:
            raise KeyError("VideoFileSample: the sample has neither `modalities` nor a video "
                           "`filename` (inference_recognizer(model, 'clip.mp4') gives one).")
        video = results['filename']
        if self.frames_only:
            raise ValueError(
                f"VideoFileSample: this config's test pipeline decodes extracted frames "
                f"(the EPIC-Kitchens layout), not the video '{video}'. For a video use "
                "mmaction_merdg.apis.inference.inference_multimodal(model, 'clip.mp4') or "
                'mmaction-merdg-demo CONFIG CHECKPOINT VIDEO, which swap in video decoding.')
        results['modalities'] = self.modalities
        if 'audios' in self.modalities:
            results.setdefault('audio_path', video)  # the video's own audio track
        if 'flow_imgs' in self.modalities and not (
                'flow_x_filename' in results and 'flow_y_filename' in results):
            if self.flow_files is None:
                raise ValueError(
                    f"VideoFileSample: the model uses flow_imgs, and the video '{video}' holds "
                    'no optical flow. Give a flow source: set flow_files (e.g. '
                    "'{dirname}/../flow/{stem}_flow_{direction}.mp4') on the VideoFileSample "
                    'step of test_pipeline, pass inference_recognizer a dict with '
                    'flow_x_filename and flow_y_filename, or run demo/demo.py with --flow DIR; '
                    'or use a config without flow (e.g. its -rgb-audio variant).')
            stem = osp.splitext(osp.basename(video))[0]
            for d in FLOW_DIRECTIONS:
                path = osp.normpath(self.flow_files.format(
                    dirname=osp.dirname(video) or '.', stem=stem, direction=d))
                if not osp.isfile(path):
                    raise FileNotFoundError(
                        f"VideoFileSample: no flow video '{path}' for '{video}' "
                        f'(flow_files={self.flow_files!r}).')
                results[f'flow_{d}_filename'] = path
        if 'flow_imgs' in self.modalities:
            results.setdefault('flow_stride', 1)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(modalities={self.modalities}, '
                f'flow_files={self.flow_files!r}, frames_only={self.frames_only})')
