"""Inference on one video (plus its audio and flow) with a plugin config.

MMAction2's own API works on the media configs (HAC)::

    from mmaction.apis import inference_recognizer, init_recognizer
    model = init_recognizer(config, checkpoint, device='cpu')
    result = inference_recognizer(model, 'clip.mp4')  # result.pred_score: [K]

Their test pipeline starts with ``VideoFileSample``: RGB from the video,
audio from its own track (PyAV), optical flow only from a flow source given to
that step (an error otherwise). The synthetic configs render samples in
memory; :func:`synthetic_sample` gives one, as short::

    result = inference_recognizer(model, synthetic_sample(model.cfg))

For the demo and for configs that read extracted frames (EPIC-Kitchens), this
module adds a thin layer on ``init_recognizer`` / ``inference_recognizer``:

* :func:`init_multimodal_recognizer` loads the config, imports the plugin,
  drops the per-backbone zoo ``init_cfg`` (a trained checkpoint replaces
  them; no zoo file is needed) and calls ``mmaction.apis.init_recognizer``.
* :func:`media_test_pipeline` turns the config's test pipeline into one that
  reads files given on the command line: the dataset-specific loading steps
  (raw-frame decoding for EPIC-Kitchens) become MMAction2-style video
  decoding (``MultiModalDecordInit`` / ``MultiModalDecordDecode``) with the
  config's own frame sampling, crops and audio transforms, packing the
  model's modalities.
* :func:`inference_multimodal` builds the sample dict of one video and calls
  ``mmaction.apis.inference_recognizer`` with that pipeline.
"""
import copy
import os.path as osp
from typing import List, Optional, Union

from mmengine.config import Config

from ..modalities import MODALITIES

_LOADERS = ('VideoFileSample', 'MultiModalRawFrameDecode', 'MultiModalDecordInit',
            'MultiModalDecordDecode')


def model_modalities(cfg: Config) -> List[str]:
    """The model's modalities in canonical order (its ``backbones`` keys)."""
    return [m for m in MODALITIES if m in cfg.model.backbones]


def _load_config(config: Union[str, Config]) -> Config:
    if isinstance(config, str):
        if not osp.isfile(config):
            from .config_paths import get_config_path
            config = get_config_path(config)  # a shipped config by name
        cfg = Config.fromfile(config)
    else:
        cfg = copy.deepcopy(config)
    import mmaction_merdg  # noqa: F401  (registers the plugin, as custom_imports would)
    return cfg


def init_multimodal_recognizer(config: Union[str, Config], checkpoint: Optional[str] = None,
                               device: str = 'cpu', allow_partial_checkpoint: bool = False):
    """A recognizer of the plugin in eval mode, ready for inference.

    Args:
        config (str | Config): Config file or object.
        checkpoint (str, optional): A trained checkpoint (weights_only load).
        device (str): Defaults to ``'cpu'``.
        allow_partial_checkpoint (bool): Load a checkpoint whose keys do not
            all fit the model (logged) instead of refusing it, as
            ``tools/test.py --allow-partial-checkpoint``. Defaults to False.

    Returns:
        nn.Module: The model, with ``model.cfg`` set (``test_pipeline`` taken
        from ``test_dataloader`` when the config has none at top level).
    """
    from mmaction.apis import init_recognizer
    cfg = _load_config(config)
    for backbone in cfg.model.backbones.values():
        backbone.pop('init_cfg', None)  # zoo weights: replaced by the checkpoint
        if isinstance(backbone.get('pretrained'), str):
            backbone.pretrained = None
    if cfg.get('test_pipeline') is None:
        cfg.test_pipeline = cfg.test_dataloader.dataset.pipeline
    model = init_recognizer(cfg, checkpoint, device=device)
    if checkpoint is not None:  # another model's weights load non-strictly
        from .checkpoint_check import check_checkpoint_fits
        check_checkpoint_fits(model, checkpoint, allow_partial_checkpoint)
    return model


def media_test_pipeline(cfg: Config) -> List[dict]:
    """The config's test pipeline, reading a video (and wav, flow videos) from files.

    Raises:
        ValueError: The config's test pipeline does not sample frames from
            media (e.g. the synthetic benchmark renders samples in memory).
    """
    pipeline = copy.deepcopy(list(cfg.get('test_pipeline') or
                                  cfg.test_dataloader.dataset.pipeline))
    types = [step['type'] for step in pipeline]
    if 'SampleMultiModalFrames' not in types:
        raise ValueError(
            'This config\'s test_pipeline has no SampleMultiModalFrames step (its dataset '
            f'renders samples in memory: {types}); use inference_recognizer with a sample '
            'dict (mmaction_merdg.apis.synthetic_sample(cfg)), or a config of a media '
            'dataset (configs/epic_kitchens, configs/hac).')
    rest = [s for s in pipeline if s['type'] not in _LOADERS]
    i = [s['type'] for s in rest].index('SampleMultiModalFrames')
    rest[i] = dict(rest[i], test_mode=True)
    pack = rest[-1]
    if pack['type'] == 'PackActionInputs':
        pack['collect_keys'] = tuple(model_modalities(cfg))
    return ([dict(type='MultiModalDecordInit')] + rest[:i + 1] +
            [dict(type='MultiModalDecordDecode')] + rest[i + 1:])


def media_sample(modalities: List[str], video: str, audio: Optional[str] = None,
                 flow: Optional[str] = None) -> dict:
    """The sample dict :func:`media_test_pipeline` reads.

    Args:
        modalities (list[str]): The model's modalities.
        video (str): RGB video file (needed for frame timing even without RGB).
        audio (str, optional): Audio file for ``audios``. Defaults to the
            video itself: its own audio track, decoded with PyAV.
        flow (str, optional): Directory holding ``flow_x.mp4`` and
            ``flow_y.mp4`` (one video per flow direction, frame-aligned with
            the RGB video) for ``flow_imgs``. A video holds no optical flow:
            a model with ``flow_imgs`` needs it.
    """
    if 'flow_imgs' in modalities and flow is None:
        raise ValueError(f"The model uses flow_imgs, and the video '{video}' holds no optical "
                         'flow: give --flow DIR (flow_x.mp4 and flow_y.mp4, frame-aligned '
                         'with the video), or use a config without flow.')
    if 'audios' in modalities and audio is None:
        audio = video  # the video's own audio track
    for path in [video, audio] + ([osp.join(flow, f'flow_{d}.mp4') for d in 'xy']
                                  if flow else []):
        if path is not None and not osp.isfile(path):
            raise FileNotFoundError(path)
    sample = dict(modalities=tuple(modalities), filename=video, label=-1, start_index=0,
                  domain='demo')
    if audio is not None:
        sample['audio_path'] = audio
    if flow is not None:
        sample.update(flow_x_filename=osp.join(flow, 'flow_x.mp4'),
                      flow_y_filename=osp.join(flow, 'flow_y.mp4'), flow_stride=1)
    return sample


def synthetic_sample(cfg: Config, index: int = 0) -> dict:
    """Sample ``index`` of a synthetic config's test set, ready for its ``test_pipeline``.

    ``inference_recognizer(model, synthetic_sample(model.cfg))`` is the
    synthetic configs' counterpart of ``inference_recognizer(model,
    'clip.mp4')``: their datasets render samples in memory.

    Args:
        cfg (Config): A synthetic config (``model.cfg`` of a loaded model).
        index (int): Which test sample. Defaults to 0.

    Returns:
        dict: The sample's fields and rendered modalities.
    """
    from mmaction.registry import DATASETS
    ds_cfg = copy.deepcopy(cfg.test_dataloader.dataset)
    if not hasattr(DATASETS.get(ds_cfg['type']), 'render'):
        raise ValueError(f"synthetic_sample: the test dataset {ds_cfg['type']} renders no "
                         "samples; give inference_recognizer a video path instead.")
    dataset = DATASETS.build(ds_cfg)
    sample = copy.deepcopy(dataset.get_data_info(index))
    sample.update(dataset.render(sample))
    sample['modalities'] = tuple(dataset.modalities)  # what the dataset sets in every sample
    return sample


def inference_multimodal(model, video: str, audio: Optional[str] = None,
                         flow: Optional[str] = None):
    """Scores of one video (and its audio / flow) with a loaded model.

    Returns:
        ActionDataSample: ``pred_score`` ``[K]`` and ``pred_label``.
    """
    from mmaction.apis import inference_recognizer
    from mmengine.dataset import Compose
    from mmengine.registry import init_default_scope
    init_default_scope(model.cfg.get('default_scope', 'mmaction'))
    modalities = model_modalities(model.cfg)
    pipeline = Compose(media_test_pipeline(model.cfg))
    return inference_recognizer(model, media_sample(modalities, video, audio, flow), pipeline)


def class_names(cfg: Config) -> Optional[List[str]]:
    """Class names from the test dataset's ``metainfo``, when the config has them."""
    for where in (cfg.get('metainfo'), cfg.test_dataloader.dataset.get('metainfo')):
        if where and where.get('classes'):
            return list(where['classes'])
    return None


def format_topk(result, cfg: Config, k: int = 5) -> List[str]:
    """``rank. name (index): score`` lines of the ``k`` best classes."""
    scores = result.pred_score.detach().cpu()
    names = class_names(cfg)
    top = scores.topk(min(k, scores.numel()))
    return [f'{r + 1}. {names[i] if names else "class " + str(i)} ({i}): {s:.4f}'
            for r, (s, i) in enumerate(zip(top.values.tolist(), top.indices.tolist()))]
