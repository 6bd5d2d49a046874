"""Corruption transforms: identity at severity 0, monotone, seeded, layout-preserving."""
import numpy as np
import pytest

from mmaction.registry import TRANSFORMS
from mmaction_merdg.datasets.transforms.corruptions import (AUDIO_LEVELS, CORRUPTIONS,
                                                            FLOW_LEVELS, VIDEO_LEVELS,
                                                            corruption_transform)

FRAME = sorted(VIDEO_LEVELS) + sorted(FLOW_LEVELS)


def _clip(key, dtype, layout, seed=0):
    """A smooth random clip with fine detail (so blur and JPEG distort it)."""
    rng = np.random.default_rng(seed)
    c = 3 if key == 'imgs' else 2
    t, h, w = 24, 32, 40
    yy, xx = np.mgrid[0:h, 0:w]
    base = np.stack([np.sin(xx / (2 + k) + yy / (3 + k)) for k in range(c)], -1)  # [H, W, C]
    frames = base[None] + 0.3 * rng.standard_normal((t, h, w, c))  # [T, H, W, C]
    if dtype == np.uint8:
        frames = np.clip(128 + 60 * frames, 0, 255).astype(np.uint8)
    else:
        frames = frames.astype(np.float32)
    if layout == 'list':
        return [f for f in frames]
    if layout == 'NCTHW':
        return frames.transpose(3, 0, 1, 2)[None]  # [T, H, W, C] -> [1, C, T, H, W]
    return frames


def _apply(name, severity, data, key, seed=0, idx=5):
    results = {key: data if not isinstance(data, list) else list(data), 'sample_idx': idx}
    return TRANSFORMS.build(corruption_transform(name, severity, seed))(results)[key]


def _psnr(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    peak = a.max() - a.min()
    mse = np.mean((a - b)**2)
    return np.inf if mse == 0 else 10 * np.log10(peak**2 / mse)


@pytest.mark.parametrize('name', FRAME)
@pytest.mark.parametrize('dtype,layout', [(np.uint8, 'list'), (np.uint8, 'THWC'),
                                          (np.float32, 'NCTHW')])
def test_frame_corruptions_identity_layout_seed_monotone(name, dtype, layout):
    key = CORRUPTIONS[name]
    clean = _clip(key, dtype, layout)
    ref = np.stack(clean) if layout == 'list' else clean
    # Severity 0 is the identity.
    assert np.array_equal(np.stack(_apply(name, 0, clean, key)) if layout == 'list'
                          else _apply(name, 0, clean, key), ref)
    psnrs = []
    for sev in range(1, 6):
        out = _apply(name, sev, clean, key)
        if layout == 'list':
            assert isinstance(out, list) and len(out) == len(clean)
            out = np.stack(out)
        assert out.shape == ref.shape and out.dtype == ref.dtype
        again = _apply(name, sev, clean, key)
        assert np.array_equal(np.stack(again) if layout == 'list' else again, out)
        psnrs.append(_psnr(ref, out))
    # Stronger severities distort at least as much; 5 strictly more than 1.
    assert all(b <= a + 0.05 for a, b in zip(psnrs, psnrs[1:])), psnrs
    assert psnrs[-1] < psnrs[0] - 0.5, psnrs


@pytest.mark.parametrize('name', ['gaussian_noise', 'motion_blur', 'frame_drop',
                                  'flow_zero_frames'])
def test_frame_seed_and_sample_change_the_draws(name):
    key = CORRUPTIONS[name]
    clean = _clip(key, np.uint8, 'THWC')
    a = _apply(name, 3, clean, key, seed=0)
    assert not np.array_equal(a, _apply(name, 3, clean, key, seed=1)) or \
        not np.array_equal(a, _apply(name, 3, clean, key, seed=2))
    assert not np.array_equal(a, _apply(name, 3, clean, key, idx=6)) or \
        not np.array_equal(a, _apply(name, 3, clean, key, idx=7))


def test_flow_zero_frames_means_no_motion():
    clean = _clip('flow_imgs', np.uint8, 'THWC')
    out = _apply('flow_zero_frames', 5, clean, 'flow_imgs')
    changed = [t for t in range(len(out)) if not np.array_equal(out[t], clean[t])]
    assert changed and all((out[t] == 128).all() for t in changed)
    flt = _clip('flow_imgs', np.float32, 'NCTHW')
    out = _apply('flow_zero_frames', 5, flt, 'flow_imgs')[0]  # [C, T, H, W]
    zeroed = [t for t in range(out.shape[1]) if not np.allclose(out[:, t], flt[0][:, t], atol=1e-5)]
    assert zeroed and all(np.allclose(out[:, t], 0.0, atol=1e-5) for t in zeroed)


def _wave(sr=16000, seconds=1.0, seed=0):
    t = np.arange(int(sr * seconds)) / sr
    rng = np.random.default_rng(seed)
    x = 0.4 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 1250 * t)
    return (x + 0.01 * rng.standard_normal(t.size)).astype(np.float32)


def _snr(clean, out):
    err = np.sum((np.asarray(out, np.float64) - clean)**2)
    return np.inf if err == 0 else 10 * np.log10(np.sum(np.asarray(clean, np.float64)**2) / err)


@pytest.mark.parametrize('name', sorted(AUDIO_LEVELS))
def test_audio_waveform_corruptions(name):
    wave, sr = _wave(), 16000
    run = lambda sev, seed=0: TRANSFORMS.build(corruption_transform(name, sev, seed))(  # noqa: E731
        dict(audio_wave=wave.copy(), audio_sample_rate=sr, sample_idx=3))['audio_wave']
    assert np.array_equal(run(0), wave)
    outs = [run(s) for s in range(1, 6)]
    for s, out in enumerate(outs, 1):
        assert out.shape == wave.shape and out.dtype == wave.dtype
        assert np.array_equal(out, run(s))
    if name == 'audio_sample_rate':
        # The measured distortion is the pitch: the 440 Hz tone moves to 440 * factor.
        peaks = []
        for out in outs:
            spec = np.abs(np.fft.rfft(out * np.hanning(out.size)))
            peaks.append(np.fft.rfftfreq(out.size, 1 / sr)[spec.argmax()])
        expected = [440 * f for f in AUDIO_LEVELS[name]]
        assert np.allclose(peaks, expected, rtol=0.02), (peaks, expected)
        return
    snrs = [_snr(wave, out) for out in outs]
    assert all(b < a for a, b in zip(snrs, snrs[1:])), snrs
    if name in ('audio_gaussian_noise', 'audio_wind'):
        # The mix is at the nominal SNR (torchaudio's add_noise).
        assert np.allclose(snrs, AUDIO_LEVELS[name], atol=0.1), snrs


def test_audio_wind_is_low_frequency():
    wave, sr = np.zeros(16000, np.float32), 16000
    wave[::400] = 1.0  # a click train: broadband signal with power
    out = TRANSFORMS.build(corruption_transform('audio_wind', 5))(
        dict(audio_wave=wave.copy(), audio_sample_rate=sr))['audio_wave']
    noise = np.abs(np.fft.rfft(out - wave))**2
    freqs = np.fft.rfftfreq(wave.size, 1 / sr)
    assert noise[freqs < 500].sum() > 0.95 * noise.sum()


@pytest.mark.parametrize('name', sorted(AUDIO_LEVELS))
def test_audio_spectrogram_corruptions(name):
    rng = np.random.default_rng(0)
    spec = (rng.standard_normal((1, 1, 32, 48)) + np.linspace(2, -2, 32)[:, None]).astype(
        np.float32)
    run = lambda sev: TRANSFORMS.build(corruption_transform(name, sev))(  # noqa: E731
        dict(audios=spec.copy(), sample_idx=1))['audios']
    assert np.array_equal(run(0), spec)
    psnrs = []
    for s in range(1, 6):
        out = run(s)
        assert out.shape == spec.shape and out.dtype == spec.dtype
        assert np.array_equal(out, run(s))
        psnrs.append(_psnr(spec, out))
    assert all(b <= a + 1e-6 for a, b in zip(psnrs, psnrs[1:])), psnrs
    assert psnrs[-1] < psnrs[0], psnrs


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match='unknown corruption'):
        corruption_transform('fog', 1)
    with pytest.raises(ValueError, match='severity'):
        TRANSFORMS.build(dict(type='VideoCorruption', corruption='gaussian_noise', severity=6))
    with pytest.raises(KeyError, match='imgs'):
        TRANSFORMS.build(corruption_transform('gaussian_noise', 1))(dict(audios=np.zeros(3)))
