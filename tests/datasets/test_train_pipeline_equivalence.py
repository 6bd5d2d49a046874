"""The fast EPIC train pipeline feeds the model the same tensors as the plain one.

The reference is the straightforward definition of every step, frame by frame
as it was first written: ``cv2.imread`` + ``cvtColor`` per RGB frame,
``np.stack`` of the flow directions, ``cv2.resize`` per frame into a list,
crops and flips as numpy views, ``np.stack`` plus a transposing copy to
``[1, C, T, H, W]``, and the spectrogram's power as ``re.square() +
im.square()``. Both pipelines consume the same numpy random draws (seeded
alike); the uint8 clips they pack and the batches after the data preprocessor
must be equal element for element (no tolerance: every change is exact).
"""
import copy
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope

from mmaction.registry import DATASETS, MODELS
from mmaction_merdg.datasets.transforms.audio import _window
from mmaction_merdg.datasets.writers import write_synthetic_epic_tree

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

# The entry config's train pipeline, in order; the reference mirrors it.
STEPS = ['SampleMultiModalFrames', 'MultiModalRawFrameDecode', 'MultiModalResize',
         'MultiModalRandomResizedCrop', 'MultiModalResize', 'MultiModalFlip',
         'MultiModalFormatShape', 'LoadAudioWindow', 'AudioLogSpectrogram',
         'AudioSpectrogramAugment', 'PackMultiModalInputs']
VISUAL = ('imgs', 'flow_imgs')


def ref_decode(r):
    if 'imgs' in r['modalities']:
        tmpl = osp.join(r['frame_dir'], r['filename_tmpl'])
        r['imgs'] = [cv2.cvtColor(cv2.imread(tmpl.format(int(i))), cv2.COLOR_BGR2RGB)
                     for i in r['frame_inds']]
    if 'flow_imgs' in r['modalities']:
        tmpl = osp.join(r['flow_frame_dir'], r['flow_filename_tmpl'])
        dx, dy = r.get('flow_directions', ('x', 'y'))
        r['flow_imgs'] = [
            np.stack([cv2.imread(tmpl.format(d, int(i)), cv2.IMREAD_GRAYSCALE)
                      for d in (dx, dy)], axis=-1) for i in r['flow_frame_inds']]
    return r


class RefResize:

    def __init__(self, transform):
        self.target = transform._target  # the size rule is not under test

    def __call__(self, r):
        for key in VISUAL:
            if key in r:
                h, w = r[key][0].shape[:2]
                nh, nw = self.target(h, w)
                if (nh, nw) != (h, w):
                    r[key] = [cv2.resize(f, (nw, nh), interpolation=cv2.INTER_LINEAR)
                              for f in r[key]]
        return r


class RefCrop:

    def __init__(self, transform):
        self.draw = transform._relative_box  # the same random draws

    def __call__(self, r):
        h, w = r['imgs'][0].shape[:2]
        bx, by, bw, bh = self.draw(h, w)
        for key in VISUAL:
            fh, fw = r[key][0].shape[:2]
            x0, y0 = int(round(bx * fw)), int(round(by * fh))
            cw = max(1, min(fw - x0, int(round(bw * fw))))
            ch = max(1, min(fh - y0, int(round(bh * fh))))
            r[key] = [f[y0:y0 + ch, x0:x0 + cw] for f in r[key]]
        return r


class RefFlip:

    def __init__(self):
        self.draws = []

    def __call__(self, r):
        flip = bool(np.random.rand() < 0.5)
        self.draws.append(flip)
        if flip:
            r['imgs'] = [f[:, ::-1] for f in r['imgs']]
            r['flow_imgs'] = [np.stack([255 - f[:, ::-1, 0], f[:, ::-1, 1]], -1)
                              for f in r['flow_imgs']]  # uint8 coding: x -> 255 - x
        return r


def ref_format(r):
    for key in VISUAL:
        clip = np.stack(r[key])  # [T, H, W, C]
        r[key] = np.ascontiguousarray(clip[None].transpose(0, 4, 1, 2, 3))
    return r


def ref_spectrogram(r):
    wave = torch.from_numpy(np.asarray(r['audio_wave'], np.float32))[None]
    window = _window(512, 'cpu')
    segments = wave.unfold(-1, 512, 159)
    frames = segments * window
    frames.addcmul_(segments.mean(dim=-1, keepdim=True), window, value=-1)
    spec = torch.fft.rfft(frames, dim=-1)
    power = spec.real.square().add_(spec.imag.square())
    scale = 1.0 / (r['audio_sample_rate'] * float(window.square().sum()))
    weights = torch.full((power.shape[-1], ), 2 * scale)
    weights[0] = weights[-1] = scale
    power.mul_(weights).add_(1e-7).log_()
    power.sub_(power.mean(dim=(1, 2), keepdim=True)).div_(
        power.std(dim=(1, 2), keepdim=True, unbiased=False) + 1e-9)
    r['audios'] = power.transpose(1, 2).contiguous()[:, None].numpy()
    return r


def _run(ds, preprocessor, seed=0):
    packed, batches = [], []
    np.random.seed(seed)
    for i in range(len(ds)):
        sample = ds[i]
        packed.append({m: v.clone() for m, v in sample['inputs'].items()})
        data = preprocessor(pseudo_collate([sample]), training=True)
        batches.append({m: v.clone() for m, v in data['inputs'].items()})
    return packed, batches


@pytest.mark.parametrize('short_edge', [256, 48])
def test_same_tensors_after_the_data_preprocessor(tmp_path, short_edge):
    """At 80x48 frames ``short_edge=256`` makes the first resize real (the
    crop sees a resized array); ``48`` makes it a no-op, as EPIC's 256-high
    frames do (the crop sees the decoded frame list)."""
    init_default_scope('mmaction')
    roots = write_synthetic_epic_tree(str(tmp_path), samples_per_domain=3, domains=('D1', ),
                                      rgb_shape=(8, 0, 0), frame_size=(80, 48))
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'merdg_epic_d1d2_d3.py'))
    ds_cfg = copy.deepcopy(cfg.train_dataloader.dataset)
    ds_cfg.update(data_root=roots['data_root'], ann_root=roots['ann_root'],
                  domains=['D1'], split='train')
    ds_cfg.pipeline[2]['scale'] = (-1, short_edge)
    ds = DATASETS.build(ds_cfg)
    steps = ds.pipeline.transforms
    assert [type(t).__name__ for t in steps] == STEPS
    preprocessor = MODELS.build(cfg.model.data_preprocessor)
    new_packed, new = _run(ds, preprocessor)

    flip = RefFlip()
    ds.pipeline.transforms = [
        steps[0], ref_decode, RefResize(steps[2]), RefCrop(steps[3]), RefResize(steps[4]), flip,
        ref_format, steps[7], ref_spectrogram, steps[9], steps[10]]
    ref_packed, ref = _run(ds, preprocessor)

    assert len(new) == len(ref) == 3
    assert any(flip.draws) and not all(flip.draws)  # both branches compared
    for a, b in zip(new_packed, ref_packed):
        assert a['imgs'].dtype == a['flow_imgs'].dtype == torch.uint8
        assert a['imgs'].shape == (1, 3, 32, 224, 224)  # the 8-frame segments loop
        for m in a:
            assert torch.equal(a[m], b[m]), m
    for a, b in zip(new, ref):
        assert set(a) == {'imgs', 'flow_imgs', 'audios'}
        for m in a:
            assert a[m].shape == b[m].shape and a[m].dtype == torch.float32
            assert torch.equal(a[m], b[m]), m
