"""MMAction2's inference_recognizer on a video path, the inference API, the demo, and the
test_pipeline of every config."""
import glob
import importlib.util
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmaction_merdg.apis.inference import (inference_multimodal, init_multimodal_recognizer,
                                           media_sample, media_test_pipeline,
                                           model_modalities, synthetic_sample)

from mmaction_merdg.modalities import canonical_order

from ..conftest import REPO



def _hac_rgb_audio(tmp_path):
    """MER-DG on HAC, RGB + audio (``--mer --modalities rgb,audio`` of the HAC family
    config), written as a standalone config."""
    from mmaction_merdg.apis.composition import compose_experiment
    path = str(tmp_path / 'merdg_hac_rgb_audio.py')
    compose_experiment('hac', 'fusion', mer=True, modalities='rgb,audio').dump(path)
    return path


def _all_configs():
    return sorted(p for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
                  if '_base_' not in p)


@pytest.mark.parametrize('path', _all_configs(), ids=lambda p: osp.relpath(p, REPO))
def test_top_level_test_pipeline_packs_the_model_modalities(path):
    cfg = Config.fromfile(path)
    pack = cfg.test_pipeline[-1]
    first = cfg.test_pipeline[0]
    if first['type'] == 'VideoFileSample' and not first.get('frames_only'):
        # A bare video path gets the model's modalities.
        assert canonical_order(first['modalities']) == tuple(model_modalities(cfg)), path
    if pack['type'] == 'PackMultiModalInputs':
        # Packs the sample's `modalities` (set by the datasets and by
        # media_sample); the test dataset must name the model's modalities.
        modalities = cfg.test_dataloader.dataset.get('modalities')
        if modalities is not None:
            assert canonical_order(modalities) == tuple(model_modalities(cfg)), path
    else:
        assert pack['type'] == 'PackActionInputs'
        assert tuple(pack['collect_keys']) == tuple(model_modalities(cfg)), path


TINY_BACKBONES = dict(
    _delete_=True,
    imgs=dict(type='ResNet3dSlowOnly', depth=18, pretrained=None, base_channels=8,
              conv1_kernel=(1, 7, 7), inflate=(0, 0, 1, 1), with_pool2=False),
    audios=dict(type='AudioResNet18', base_channels=4))


def _tiny_hac_config(tmp_path):
    """The HAC RGB + audio leaf with a CPU-sized model and pipeline (feat_dims inferred)."""
    text = f'''_base_ = ['{_hac_rgb_audio(tmp_path)}']
model = dict(
    backbones={TINY_BACKBONES!r},
    regularizers=dict(mer=dict(projector=dict(hidden_channels=16))),
    cls_head=dict(hidden_channels=16))
test_pipeline = [
    dict(type='VideoFileSample', modalities=('imgs', 'audios')),
    dict(type='MultiModalDecordInit'),
    dict(type='SampleMultiModalFrames', test_mode=True, clip_len=dict(imgs=4, flow_imgs=4),
         frame_interval=dict(imgs=2, flow_imgs=2)),
    dict(type='MultiModalDecordDecode'),
    dict(type='MultiModalResize', scale=(-1, 40)),
    dict(type='MultiModalCenterCrop', crop_size=32),
    dict(type='MultiModalFormatShape'),
    dict(type='LoadAudioWindow', sample_rate=16000, clip_seconds=1.0),
    dict(type='AudioLogSpectrogram', nperseg=128, noverlap=64),
    dict(type='PackActionInputs', collect_keys=('imgs', 'audios'), algorithm_keys=('domain',)),
]
'''
    path = tmp_path / 'tiny_hac.py'
    path.write_text(text)
    return str(path)


def make_video_with_audio(path, frames=24, size=(64, 48), fps=12, seconds=2.0, rate=16000):
    """An mp4 (MPEG-4 video + AAC mono audio, a 440 Hz tone) written with PyAV."""
    import av
    import numpy as np
    rng = np.random.default_rng(0)
    with av.open(str(path), 'w') as out:
        video = out.add_stream('mpeg4', rate=fps)
        video.width, video.height, video.pix_fmt = size[0], size[1], 'yuv420p'
        audio = out.add_stream('aac', rate=rate)
        audio.layout = 'mono'
        for _ in range(frames):
            img = rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
            for packet in video.encode(av.VideoFrame.from_ndarray(img, format='rgb24')):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
        t = np.arange(int(seconds * rate)) / rate
        frame = av.AudioFrame.from_ndarray(
            (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[None], format='flt',
            layout='mono')
        frame.sample_rate = rate
        for packet in list(audio.encode(frame)) + list(audio.encode()):
            out.mux(packet)
    return str(path)


def _hac_leaf_with_tiny_model(tmp_path):
    """The shipped HAC RGB + audio MER-DG leaf, its own test pipeline, a tiny model.

    Every step of the leaf's test pipeline is kept (same types, same order),
    with smaller clips, crops and audio window, for CPU seconds.
    """
    cfg = Config.fromfile(_hac_rgb_audio(tmp_path))
    cfg.model.backbones = Config(dict(TINY_BACKBONES)).to_dict()
    cfg.model.backbones.pop('_delete_')
    cfg.model.regularizers.mer.projector.hidden_channels = 16
    cfg.model.cls_head.hidden_channels = 16
    steps = {s['type']: s for s in cfg.test_pipeline}
    steps['SampleMultiModalFrames'].update(clip_len=dict(imgs=4, flow_imgs=4),
                                           frame_interval=dict(imgs=2, flow_imgs=2))
    steps['MultiModalResize'].update(scale=(-1, 40))
    steps['MultiModalCenterCrop'].update(crop_size=32)
    steps['LoadAudioWindow'].update(clip_seconds=1.0)
    steps['AudioLogSpectrogram'].update(nperseg=128, noverlap=64)
    model = init_multimodal_recognizer(cfg)
    ckpt = str(tmp_path / 'tiny.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), ckpt)
    return cfg, ckpt


def _scores_of_a_video(cfg, ckpt, video):
    from mmaction.apis import inference_recognizer, init_recognizer
    model = init_recognizer(cfg, ckpt, device='cpu')
    return inference_recognizer(model, video)


def test_mmaction_inference_recognizer_on_a_video_path_with_its_own_audio(tmp_path):
    """MMAction2's init_recognizer + inference_recognizer(model, 'clip.mp4'): no wav given."""
    video = make_video_with_audio(tmp_path / 'clip.mp4')
    cfg, ckpt = _hac_leaf_with_tiny_model(tmp_path)
    assert [s['type'] for s in cfg.test_pipeline][:2] == ['VideoFileSample',
                                                          'MultiModalDecordInit']
    result = _scores_of_a_video(cfg, ckpt, video)
    assert result.pred_score.shape == (7, )
    assert abs(float(result.pred_score.sum()) - 1) < 1e-4  # the head's softmax scores
    # What the pipeline made of the bare path: RGB frames and the track's spectrogram.
    from mmaction.registry import TRANSFORMS
    data = dict(filename=video, label=-1, start_index=0, modality='RGB')
    for step in cfg.test_pipeline:
        data = TRANSFORMS.build(step)(data)
    assert sorted(data['inputs']) == ['audios', 'imgs']
    assert data['inputs']['imgs'].shape == (1, 3, 4, 32, 32)
    assert data['inputs']['audios'].shape[:2] == (1, 1)


def test_mmaction_inference_recognizer_on_bigbuckbunny(tmp_path, real_fixtures):
    """The real fixture: h264 720p video, 6-channel 48 kHz AAC audio (decoded by PyAV)."""
    video = osp.join(real_fixtures, 'media', 'bigbuckbunny.mp4')
    cfg, ckpt = _hac_leaf_with_tiny_model(tmp_path)
    result = _scores_of_a_video(cfg, ckpt, video)
    assert result.pred_score.shape == (7, ) and torch.isfinite(result.pred_score).all()


def test_video_path_for_a_flow_model_names_the_flow_source(tmp_path):
    from mmaction.apis import inference_recognizer
    from mmaction.registry import TRANSFORMS
    video = make_video_with_audio(tmp_path / 'clip.mp4', frames=4)
    step = TRANSFORMS.build(dict(type='VideoFileSample', modalities=('imgs', 'flow_imgs')))
    with pytest.raises(ValueError, match='holds no optical flow.*flow_files.*flow_x_filename'):
        step(dict(filename=video))
    # A flow source: HAC's layout, one flow video per direction.
    step = TRANSFORMS.build(dict(type='VideoFileSample', modalities=('imgs', 'flow_imgs'),
                                 flow_files='{dirname}/{stem}_flow_{direction}.mp4'))
    with pytest.raises(FileNotFoundError, match='clip_flow_x.mp4'):
        step(dict(filename=video))
    for d in 'xy':
        make_video_with_audio(tmp_path / f'clip_flow_{d}.mp4', frames=4)
    out = step(dict(filename=video))
    assert out['flow_y_filename'] == str(tmp_path / 'clip_flow_y.mp4')
    assert 'audio_path' not in out and out['modalities'] == ('imgs', 'flow_imgs')
    # Dataset samples (they name their modalities) pass unchanged.
    sample = dict(modalities=('imgs', ), filename=video)
    assert step(dict(sample)) == sample
    # A config reading extracted frames (EPIC-Kitchens) names the helpers for a video.
    epic = Config.fromfile(osp.join(REPO, 'configs', 'merdg_epic_d1d2_d3.py'))
    with pytest.raises(ValueError, match='decodes extracted frames.*inference_multimodal'):
        TRANSFORMS.build(epic.test_pipeline[0])(dict(filename=video))
    assert TRANSFORMS.build(epic.test_pipeline[0])(dict(sample)) == sample
    assert inference_recognizer  # MMAction2's API is what the configs serve


def test_media_pipeline_reads_video_files_for_raw_frame_configs():
    epic = osp.join(REPO, 'configs', 'merdg_epic_d1d2_d3.py')
    steps = [s['type'] for s in media_test_pipeline(Config.fromfile(epic))]
    assert steps[:3] == ['MultiModalDecordInit', 'SampleMultiModalFrames',
                         'MultiModalDecordDecode']
    assert 'MultiModalRawFrameDecode' not in steps
    with pytest.raises(ValueError, match='renders samples in memory'):
        media_test_pipeline(Config.fromfile(osp.join(REPO, 'configs', 'merdg_synthetic.py')))


def test_demo_prints_top5_with_the_videos_own_audio(tmp_path, capsys):
    video = make_video_with_audio(tmp_path / 'clip.mp4')
    cfg = _tiny_hac_config(tmp_path)
    model = init_multimodal_recognizer(cfg)
    ckpt = str(tmp_path / 'tiny.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), ckpt)

    spec = importlib.util.spec_from_file_location('demo', osp.join(REPO, 'demo', 'demo.py'))
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    lines = demo.main([cfg, ckpt, video])  # no --audio: the mp4's own track
    assert len(lines) == 5 and capsys.readouterr().out.strip().splitlines()[-5:] == lines
    names = Config.fromfile(cfg).metainfo['classes']
    assert lines[0].startswith('1. ') and any(n in lines[0] for n in names)
    # Same scores as the API directly, from the same checkpoint.
    again = inference_multimodal(init_multimodal_recognizer(cfg, ckpt), video, audio=video)
    assert f'{again.pred_score.max().item():.4f}' in lines[0]
    # A wav given with --audio replaces the track.
    import numpy as np
    import soundfile as sf
    sf.write(str(tmp_path / 'tone.wav'), np.full(32000, 0.01, np.float32), 16000)
    other = inference_multimodal(model, video, audio=str(tmp_path / 'tone.wav'))
    assert not torch.allclose(other.pred_score, inference_multimodal(model, video).pred_score)
    with pytest.raises(ValueError, match='holds no optical flow: give --flow DIR'):
        media_sample(['imgs', 'flow_imgs'], video)


def test_mmaction_inference_recognizer_on_a_synthetic_sample():
    """MMAction2's own init_recognizer / inference_recognizer on a rendered sample."""
    from mmaction.apis import inference_recognizer

    path = osp.join(REPO, 'configs', 'merdg_synthetic.py')
    model = init_multimodal_recognizer(path)
    cfg = model.cfg
    cfg.test_dataloader.dataset.update(samples_per_domain=2, rgb_shape=(8, 16, 16),
                                       audio_shape=(16, 16))
    result = inference_recognizer(model, synthetic_sample(cfg))
    assert result.pred_score.shape == (4, ) and abs(float(result.pred_score.sum()) - 1) < 1e-4
