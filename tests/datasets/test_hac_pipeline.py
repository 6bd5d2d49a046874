"""The HAC-style pipeline on MMAction2's test.avi (video) and test.wav (its
audio track): decord video decoding, joint RGB/flow transforms, spectrogram."""
import os.path as osp
import shutil

import numpy as np
import pytest

from mmaction_merdg.datasets import HACMMDataset
from mmaction_merdg.datasets.transforms import MediaReadError


def hac_pipeline(test_mode):
    pipeline = [
        dict(type='MultiModalDecordInit'),
        dict(type='SampleMultiModalFrames', clip_len=dict(imgs=8,
                                                          flow_imgs=4),
             frame_interval=dict(imgs=2, flow_imgs=4), test_mode=test_mode),
        dict(type='MultiModalDecordDecode'),
        dict(type='MultiModalResize', scale=(-1, 40)),
    ]
    if test_mode:
        pipeline.append(dict(type='MultiModalCenterCrop', crop_size=32))
    else:
        pipeline += [
            dict(type='MultiModalRandomResizedCrop'),
            dict(type='MultiModalResize', scale=(32, 32)),
            dict(type='MultiModalFlip', flip_ratio=0.5),
        ]
    pipeline += [
        dict(type='MultiModalFormatShape'),
        dict(type='LoadAudioWindow'),
        dict(type='AudioLogSpectrogram'),
    ]
    if not test_mode:
        pipeline.append(dict(type='AudioSpectrogramAugment'))
    pipeline.append(
        dict(type='PackMultiModalInputs', algorithm_keys=('domain', )))
    return pipeline


@pytest.fixture
def hac_tree(real_root, tmp_path):
    data = osp.join(real_root, 'mmaction2_testdata')
    for sub in ('videos', 'flow', 'audio'):
        (tmp_path / 'animal' / sub).mkdir(parents=True)
    name = 'cat eating.mp4'
    shutil.copy(osp.join(data, 'test.avi'), tmp_path / 'animal' / 'videos' /
                name)
    for axis in 'xy':
        shutil.copy(osp.join(data, 'test.avi'), tmp_path / 'animal' / 'flow' /
                    f'cat eating_flow_{axis}.mp4')
    shutil.copy(osp.join(data, 'test.wav'),
                tmp_path / 'animal' / 'audio' / 'cat eating.wav')
    with open(tmp_path / 'HAC_test_only_animal.csv', 'w', newline='') as f:
        f.write(f'{name},2\r\n')
    return tmp_path


@pytest.mark.parametrize('test_mode', [True, False])
def test_hac_pipeline_on_real_video_and_audio(hac_tree, test_mode):
    ds = HACMMDataset(ann_root=str(hac_tree), data_root=str(hac_tree),
                      domains=['animal'], split='test',
                      pipeline=hac_pipeline(test_mode), test_mode=test_mode)
    out = ds[0]
    inputs = out['inputs']
    assert inputs['imgs'].shape == (1, 3, 8, 32, 32)
    assert inputs['flow_imgs'].shape == (1, 2, 4, 32, 32)
    assert inputs['audios'].shape == (1, 1, 257, 1004)
    assert out['data_samples'].gt_label.item() == 2
    assert out['data_samples'].domain == 'animal'
    if test_mode:
        # 164 frames, 8 at stride 2 centred: offset (164 - 15) // 2 = 74;
        # the audio window is that span at the assumed 24 fps.
        spec = inputs['audios'][0, 0].numpy()
        assert abs(spec.mean()) < 1e-4 and abs(spec.std() - 1) < 1e-3
        # Flow frames of an RGB video are its grey levels: x and y equal.
        np.testing.assert_array_equal(inputs['flow_imgs'][0, 0],
                                      inputs['flow_imgs'][0, 1])


def test_hac_audio_window_uses_assumed_fps(hac_tree):
    pipeline = [
        dict(type='MultiModalDecordInit'),
        dict(type='SampleMultiModalFrames', clip_len=dict(imgs=8),
             frame_interval=dict(imgs=2), test_mode=True)
    ]
    for fps, expected_fps in ((24.0, 24.0), (None, 25.0)):
        ds = HACMMDataset(ann_root=str(hac_tree), data_root=str(hac_tree),
                          domains=['animal'], split='test',
                          modalities=['imgs', 'audios'], assume_fps=fps,
                          pipeline=pipeline, test_mode=True)
        out = ds[0]
        assert out['frame_inds'][0] == (164 - 15) // 2
        assert out['audio_start'] == pytest.approx(74 / expected_fps,
                                                   rel=1e-3)
        assert out['audio_stop'] == pytest.approx(89 / expected_fps,
                                                  rel=1e-3)


def test_missing_and_corrupt_videos_name_the_file(hac_tree):
    ds = HACMMDataset(ann_root=str(hac_tree), data_root=str(hac_tree),
                      domains=['animal'], split='test',
                      pipeline=hac_pipeline(True), test_mode=True)
    flow_y = hac_tree / 'animal' / 'flow' / 'cat eating_flow_y.mp4'
    flow_y.unlink()
    with pytest.raises(MediaReadError,
                       match=r"flow video '.*cat eating_flow_y.mp4' does not"):
        ds[0]
    flow_y.write_bytes(b'not a video' * 10)
    with pytest.raises(MediaReadError,
                       match=r"flow video '.*cat eating_flow_y.mp4' cannot be "
                       'decoded'):
        ds[0]
