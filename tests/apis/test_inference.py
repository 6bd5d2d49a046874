"""Inference API and demo/demo.py on the fixtures' mp4 + wav, and test_pipeline per config."""
import glob
import importlib.util
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmaction_merdg.apis.inference import (inference_multimodal, init_multimodal_recognizer,
                                           media_test_pipeline, model_modalities)

from mmaction_merdg.modalities import canonical_order

from ..conftest import REPO

HAC_RGB_AUDIO = osp.join(
    REPO, 'configs', 'hac',
    'merdg_slowfast-r101-slowonly-r50-audio-r18_k400-vggsound_1xb16-20e_hac-human-animal-to-cartoon-'
    'rgb-audio.py')


def _all_configs():
    return sorted(p for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
                  if '_base_' not in p)


@pytest.mark.parametrize('path', _all_configs(), ids=lambda p: osp.relpath(p, REPO))
def test_top_level_test_pipeline_packs_the_model_modalities(path):
    cfg = Config.fromfile(path)
    pack = cfg.test_pipeline[-1]
    if pack['type'] == 'PackMultiModalInputs':
        # Packs the sample's `modalities` (set by the datasets and by
        # media_sample); the test dataset must name the model's modalities.
        modalities = cfg.test_dataloader.dataset.get('modalities')
        if modalities is not None:
            assert canonical_order(modalities) == tuple(model_modalities(cfg)), path
    else:
        assert pack['type'] == 'PackActionInputs'
        assert tuple(pack['collect_keys']) == tuple(model_modalities(cfg)), path


def _tiny_hac_config(tmp_path):
    """The HAC RGB + audio leaf with a CPU-sized model and pipeline (feat_dims inferred)."""
    text = f'''_base_ = ['{HAC_RGB_AUDIO}']
model = dict(
    backbones=dict(
        _delete_=True,
        imgs=dict(type='ResNet3dSlowOnly', depth=18, pretrained=None, base_channels=8,
                  conv1_kernel=(1, 7, 7), inflate=(0, 0, 1, 1), with_pool2=False),
        audios=dict(type='ResNetAudio', depth=50, pretrained=None, in_channels=1,
                    base_channels=4)),
    feat_dims=None,
    projector=dict(hidden_channels=16),
    cls_head=dict(hidden_channels=16))
test_pipeline = [
    dict(type='SampleMultiModalFrames', test_mode=True, clip_len=dict(imgs=4, flow_imgs=4),
         frame_interval=dict(imgs=2, flow_imgs=2)),
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


def test_media_pipeline_reads_video_files_for_raw_frame_configs():
    epic = osp.join(REPO, 'configs', 'merdg_epic_d1d2_d3.py')
    steps = [s['type'] for s in media_test_pipeline(Config.fromfile(epic))]
    assert steps[:3] == ['MultiModalDecordInit', 'SampleMultiModalFrames',
                         'MultiModalDecordDecode']
    assert 'MultiModalRawFrameDecode' not in steps
    with pytest.raises(ValueError, match='renders samples in memory'):
        media_test_pipeline(Config.fromfile(osp.join(REPO, 'configs', 'merdg_synthetic.py')))


def test_demo_prints_top5_on_fixture_video_and_audio(tmp_path, real_fixtures, capsys):
    data = osp.join(real_fixtures, 'mmaction2_testdata')
    video, audio = osp.join(data, 'test.mp4'), osp.join(data, 'test.wav')
    cfg = _tiny_hac_config(tmp_path)
    model = init_multimodal_recognizer(cfg)
    ckpt = str(tmp_path / 'tiny.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), ckpt)

    spec = importlib.util.spec_from_file_location('demo', osp.join(REPO, 'demo', 'demo.py'))
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    lines = demo.main([cfg, ckpt, video, '--audio', audio])
    assert len(lines) == 5 and capsys.readouterr().out.strip().splitlines()[-5:] == lines
    names = Config.fromfile(cfg).metainfo['classes']
    assert lines[0].startswith('1. ') and any(n in lines[0] for n in names)
    # Same scores as the API directly, from the same checkpoint.
    again = inference_multimodal(init_multimodal_recognizer(cfg, ckpt), video, audio=audio)
    assert f'{again.pred_score.max().item():.4f}' in lines[0]
    with pytest.raises(ValueError, match='give --audio'):
        inference_multimodal(model, video)


def test_mmaction_inference_recognizer_on_a_synthetic_sample():
    """MMAction2's own init_recognizer / inference_recognizer on a rendered sample."""
    import copy

    from mmaction.apis import inference_recognizer
    from mmengine.registry import DATASETS

    path = osp.join(REPO, 'configs', 'merdg_synthetic.py')
    cfg = Config.fromfile(path)
    ds_cfg = dict(cfg.test_dataloader.dataset, samples_per_domain=2, rgb_shape=(8, 16, 16),
                  audio_shape=(16, 16))
    dataset = DATASETS.build(ds_cfg)
    sample = copy.deepcopy(dataset.get_data_info(0))
    sample.update(dataset.render(sample))
    # What the dataset sets in every sample: PackMultiModalInputs packs these.
    sample['modalities'] = tuple(dataset.modalities)
    model = init_multimodal_recognizer(path)
    result = inference_recognizer(model, sample)
    assert result.pred_score.shape == (4, ) and abs(float(result.pred_score.sum()) - 1) < 1e-4
