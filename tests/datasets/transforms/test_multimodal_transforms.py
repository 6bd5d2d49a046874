"""Joint RGB/flow transforms on MMAction2's own test frames."""
import os
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest
from mmengine.dataset import Compose

from mmaction_merdg.datasets.transforms import (MediaReadError,
                                                MultiModalCenterCrop,
                                                MultiModalFlip,
                                                MultiModalFormatShape,
                                                MultiModalRandomResizedCrop,
                                                MultiModalRawFrameDecode,
                                                MultiModalResize,
                                                flip_flow_frame)


REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def decoded(real_root):
    imgs = osp.join(real_root, 'mmaction2_testdata', 'imgs')
    results = dict(modalities=('imgs', 'flow_imgs'), frame_dir=imgs,
                   filename_tmpl='img_{:05d}.jpg',
                   frame_inds=np.array([1, 2, 3, 3]), flow_frame_dir=imgs,
                   flow_filename_tmpl='{}_{:05d}.jpg',
                   flow_frame_inds=np.array([1, 2, 5, 5]))
    return MultiModalRawFrameDecode()(results)


def test_decode_real_rgb_and_xy_flow(real_root):
    out = decoded(real_root)
    assert len(out['imgs']) == 4 and out['imgs'][0].shape == (240, 320, 3)
    assert out['flow_imgs'][0].shape == (240, 320, 2)
    assert out['flow_imgs'][0].dtype == np.uint8
    # x and y channels are different images.
    assert not np.array_equal(out['flow_imgs'][0][..., 0],
                              out['flow_imgs'][0][..., 1])


def test_missing_flow_frame_names_file(real_root):
    results = dict(modalities=('flow_imgs', ),
                   flow_frame_dir=osp.join(real_root, 'mmaction2_testdata',
                                           'imgs'),
                   flow_filename_tmpl='{}_{:05d}.jpg',
                   flow_frame_inds=np.array([5, 6]))
    with pytest.raises(MediaReadError, match=r"x_00006.jpg' does not exist"):
        MultiModalRawFrameDecode()(results)


def test_same_random_crop_on_rgb_and_flow(real_root):
    # Mark each pixel with its column so the crop position can be read back.
    results = decoded(real_root)
    cols = np.tile(np.arange(320, dtype=np.uint16)[None], (240, 1))
    rows = np.tile(np.arange(240, dtype=np.uint16)[:, None], (1, 320))
    marker = np.stack([cols, rows], -1)
    results['imgs'] = [np.concatenate([marker, cols[..., None]], -1)] * 4
    results['flow_imgs'] = [marker] * 4
    np.random.seed(0)
    crop = MultiModalRandomResizedCrop()
    for _ in range(20):
        out = crop(dict(results))
        np.testing.assert_array_equal(out['crop_bbox'], out['flow_crop_bbox'])
        np.testing.assert_array_equal(out['imgs'][0][..., :2],
                                      out['flow_imgs'][0])
        assert out['img_shape'] == out['flow_img_shape']
    # On the real frames the crop takes the same region of both.
    out = crop(decoded(real_root))
    x1, y1, x2, y2 = out['crop_bbox']
    full = decoded(real_root)
    np.testing.assert_array_equal(out['imgs'][0], full['imgs'][0][y1:y2,
                                                                  x1:x2])
    np.testing.assert_array_equal(out['flow_imgs'][0],
                                  full['flow_imgs'][0][y1:y2, x1:x2])


def test_flip_negates_flow_x_only(real_root):
    full = decoded(real_root)
    out = MultiModalFlip(flip_ratio=1.0)(decoded(real_root))
    assert out['flip'] is True
    np.testing.assert_array_equal(out['imgs'][0], full['imgs'][0][:, ::-1])
    x, y = full['flow_imgs'][0][..., 0], full['flow_imgs'][0][..., 1]
    np.testing.assert_array_equal(out['flow_imgs'][0][..., 0],
                                  255 - x[:, ::-1])
    np.testing.assert_array_equal(out['flow_imgs'][0][..., 1], y[:, ::-1])
    kept = MultiModalFlip(flip_ratio=0.0)(decoded(real_root))
    np.testing.assert_array_equal(kept['flow_imgs'][0], full['flow_imgs'][0])
    # Flow-only samples (no RGB) are flipped the same way, and float flow.
    flow_only = MultiModalFlip(flip_ratio=1.0)(dict(flow_imgs=full['flow_imgs']))
    assert 'imgs' not in flow_only
    np.testing.assert_array_equal(flow_only['flow_imgs'][0],
                                  out['flow_imgs'][0])
    f = np.random.RandomState(0).randn(4, 5, 2).astype('f4')
    np.testing.assert_array_equal(
        flip_flow_frame(f), np.stack([-f[:, ::-1, 0], f[:, ::-1, 1]], -1))
    with pytest.raises(ValueError, match=r'\(H, W, 2\)'):
        flip_flow_frame(np.zeros((4, 5, 3), np.uint8))


def test_resize_centre_crop_and_format(real_root):
    pipeline = Compose([
        MultiModalResize(scale=(-1, 64)),
        MultiModalCenterCrop(crop_size=48),
        MultiModalResize(scale=(32, 24)),
        MultiModalFormatShape()
    ])
    out = pipeline(decoded(real_root))
    assert out['imgs'].shape == (1, 3, 4, 24, 32)
    assert out['flow_imgs'].shape == (1, 2, 4, 24, 32)
    assert out['imgs'].dtype == np.uint8
    # The short edge (240) went to 64, the long edge kept the ratio.
    first = MultiModalResize(scale=(-1, 64))(decoded(real_root))
    assert first['img_shape'] == (64, 85) == first['flow_img_shape']
    with pytest.raises(ValueError, match='scale'):
        MultiModalResize(scale=(-1, -1))


def test_corrupt_frame_names_file(tmp_path):
    (tmp_path / 'img_00001.jpg').write_bytes(b'\xff\xd8 not really a jpeg')
    results = dict(modalities=('imgs', ), frame_dir=str(tmp_path),
                   filename_tmpl='img_{:05d}.jpg', frame_inds=np.array([1]))
    with pytest.raises(MediaReadError,
                       match=r"img_00001.jpg' is not a readable image"):
        MultiModalRawFrameDecode()(results)


def test_truncated_jpeg_is_an_unreadable_frame(real_root, tmp_path):
    """Half a JPEG decodes with grey rows; it must be refused, named."""
    import cv2
    src = osp.join(real_root, 'mmaction2_testdata', 'imgs', 'img_00001.jpg')
    data = open(src, 'rb').read()
    (tmp_path / 'img_00001.jpg').write_bytes(data[:len(data) // 2])
    (tmp_path / 'img_00002.jpg').write_bytes(data + b'\x00\x00')  # padded
    assert cv2.imread(str(tmp_path / 'img_00001.jpg')) is not None  # lenient
    results = dict(modalities=('imgs', ), frame_dir=str(tmp_path),
                   filename_tmpl='img_{:05d}.jpg')
    with pytest.raises(MediaReadError, match=r"img_00001.jpg' is a truncated "
                       'JPEG.*end-of-image marker'):
        MultiModalRawFrameDecode()(dict(results, frame_inds=np.array([1])))
    out = MultiModalRawFrameDecode()(dict(results, frame_inds=np.array([2])))
    assert out['imgs'][0].shape == (240, 320, 3)


@pytest.mark.parametrize('channels', [1, 2, 3])
@pytest.mark.parametrize('layout', ['list', 'array', 'cropped array'])
def test_clip_ops_equal_per_frame_reference(channels, layout):
    """Resize, flip and channels-first stacking on one clip give exactly the
    per-frame numpy/cv2 results, whatever the frames' container."""
    from mmaction_merdg.datasets.transforms.multimodal import (_stack_channels_first,
                                                               flip_clip, resize_clip)
    rng = np.random.RandomState(0)
    clip = rng.randint(0, 256, (5, 30, 40, channels)).astype(np.uint8)
    if layout == 'list':  # crop views, one frame object listed twice (a looped clip)
        repeated = clip[1, :22, :28]
        frames = [clip[0, :22, :28], repeated, repeated, clip[2, 3:25, 5:33]]
    elif layout == 'array':
        frames = clip[:, :22, :28].copy()
    else:
        frames = clip[:, 4:26, 6:34]  # non-contiguous, as after a crop
    ref_frames = [np.asarray(f) for f in frames]

    resized = resize_clip(frames, (17, 23))
    ref = np.stack([cv2.resize(f, (23, 17), interpolation=cv2.INTER_LINEAR).reshape(17, 23, -1)
                    for f in ref_frames])
    assert resized.shape == (len(ref_frames), 17, 23, channels)
    np.testing.assert_array_equal(resized, ref)

    for source in (frames, resized):
        np.testing.assert_array_equal(flip_clip(source),
                                      np.stack([np.asarray(f)[:, ::-1] for f in source]))
        stacked = _stack_channels_first(source, 1)
        np.testing.assert_array_equal(
            stacked, np.stack([np.asarray(f) for f in source])[None].transpose(0, 4, 1, 2, 3))
    flipped = flip_clip(resized)
    assert flipped.flags.c_contiguous and not np.shares_memory(flipped, resized)
    # Two clips of 2 frames -> [2, C, 2, H, W]
    two = _stack_channels_first(resized[:4], 2)
    np.testing.assert_array_equal(two[1, :, 0], resized[2].transpose(2, 0, 1))


def test_importing_the_plugin_gives_opencv_one_thread():
    """Dataloader workers started with spawn import the plugin afresh; forked
    ones inherit the importing process's setting."""
    code = ('import cv2; cv2.setNumThreads(4); before = cv2.getNumThreads(); '
            'import mmaction_merdg; print(before, cv2.getNumThreads())')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=REPO), check=True).stdout
    assert out.split() == ['4', '1']


def test_looped_frames_are_cropped_and_resized_once(monkeypatch):
    """A frame listed twice (a looped clip) stays one object through the crop
    and costs one ``cv2.resize``; its copies equal the first."""
    from mmaction_merdg.datasets.transforms import multimodal
    frame = np.random.RandomState(1).randint(0, 256, (24, 32, 3)).astype(np.uint8)
    other = frame[::-1].copy()
    out = MultiModalCenterCrop(crop_size=(20, 16))(dict(imgs=[frame, other, frame]))
    assert out['imgs'][0] is out['imgs'][2]
    calls = []
    resize = cv2.resize
    monkeypatch.setattr(multimodal.cv2, 'resize',
                        lambda *a, **k: calls.append(1) or resize(*a, **k))
    clip = multimodal.resize_clip(out['imgs'], (8, 10))
    assert len(calls) == 2
    np.testing.assert_array_equal(clip[2], clip[0])
    np.testing.assert_array_equal(clip[0], resize(frame[4:20, 6:26], (10, 8)))
