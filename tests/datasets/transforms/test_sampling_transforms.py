import numpy as np
import pytest

from mmaction_merdg.datasets.transforms import SampleMultiModalFrames


def epic_sample(start=245, stop=350, modalities=('imgs', 'flow_imgs')):
    return dict(modalities=modalities, start_index=start,
                total_frames=stop - start, flow_start_index=-(-start // 2),
                flow_total_frames=(stop - start) // 2, flow_stride=2,
                fps=60.0, frame_index_base=1, audio_start=4.09,
                audio_stop=5.84)


def test_train_offsets_follow_sampleframes_rule():
    np.random.seed(0)
    sampler = SampleMultiModalFrames()
    rgb_offsets, flow_offsets = set(), set()
    for _ in range(300):
        out = sampler(epic_sample())
        rgb, flow = out['frame_inds'], out['flow_frame_inds']
        assert rgb.shape == (32, ) and flow.shape == (8, )
        assert np.all(np.diff(rgb) == 2) and np.all(np.diff(flow) == 4)
        rgb_offsets.add(rgb[0] - 245)
        flow_offsets.add(flow[0] - 123)
    # 105 frames, span 64: offsets uniform in [0, 41]; flow 52, span 32.
    assert rgb_offsets == set(range(42))
    assert flow_offsets == set(range(21))
    assert out['clip_len'] == 32 and out['flow_clip_len'] == 8


def test_test_mode_centres_and_short_segments_loop():
    out = SampleMultiModalFrames(test_mode=True)(epic_sample())
    assert out['frame_inds'][0] == 245 + (105 - 63) // 2
    assert out['flow_frame_inds'][0] == 123 + (52 - 29) // 2
    out = SampleMultiModalFrames()(epic_sample(100, 130))  # 30 frames
    expected = 100 + np.mod(np.arange(32) * 2, 30)
    np.testing.assert_array_equal(out['frame_inds'], expected)
    assert out['frame_inds'].max() < 130


def test_unaligned_keeps_segment_audio_window():
    out = SampleMultiModalFrames()(epic_sample(
        modalities=('imgs', 'flow_imgs', 'audios')))
    assert (out['audio_start'], out['audio_stop']) == (4.09, 5.84)


def test_aligned_flow_and_audio_follow_rgb():
    np.random.seed(1)
    sampler = SampleMultiModalFrames(align=True)
    for _ in range(50):
        out = sampler(epic_sample(1000, 1400,
                                  ('imgs', 'flow_imgs', 'audios')))
        rgb, flow = out['frame_inds'], out['flow_frame_inds']
        rgb_centre = (rgb[0] + rgb[-1]) / 2
        flow_centre = (flow[0] + flow[-1]) / 2 * 2
        assert abs(rgb_centre - flow_centre) <= 1
        assert out['audio_start'] == pytest.approx((rgb[0] - 1) / 60)
        assert out['audio_stop'] == pytest.approx(rgb[-1] / 60)


def test_audio_window_from_clip_when_dataset_gives_none():
    # HAC: videos from 0, 24 fps assumed, no timestamps.
    sample = dict(modalities=('imgs', 'audios'), start_index=0,
                  total_frames=240, fps=24.0, frame_index_base=0)
    out = SampleMultiModalFrames(test_mode=True)(sample)
    first, last = out['frame_inds'][0], out['frame_inds'][-1]
    assert out['audio_start'] == pytest.approx(first / 24)
    assert out['audio_stop'] == pytest.approx((last + 1) / 24)


def test_bad_arguments():
    with pytest.raises(ValueError, match='unknown modalities'):
        SampleMultiModalFrames(clip_len=dict(rgb=8))
    with pytest.raises(ValueError, match='>= 1'):
        SampleMultiModalFrames(frame_interval=dict(imgs=0, flow_imgs=1))
    sample = epic_sample()
    sample['flow_total_frames'] = 0
    with pytest.raises(ValueError, match='flow_total_frames=0'):
        SampleMultiModalFrames()(sample)
