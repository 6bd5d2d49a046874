import copy
import os.path as osp

import numpy as np
import pytest
import soundfile as sf
import torch
from scipy import signal

from mmaction_merdg.datasets.transforms import (AudioLogMelSpectrogram,
                                                AudioLogSpectrogram,
                                                AudioSpectrogramAugment,
                                                LoadAudioWindow,
                                                MediaReadError,
                                                log_spectrogram)


def scipy_reference(x, sr):
    """The prior code's recipe, step by step, on float64."""
    x = x[:160000]
    while len(x) < 160000:
        x = np.tile(x, 10)[:160000]
    x = np.clip(x, -1, 1)
    _, _, spec = signal.spectrogram(x, sr, nperseg=512, noverlap=353)
    spec = np.log(spec + 1e-7)
    return (spec - spec.mean()) / (spec.std() + 1e-9)


def test_spectrogram_equals_scipy_on_real_clip(real_root):
    path = osp.join(real_root, 'simmmdg_vggsound', 'FwVYUHKoLtQ_000034.wav')
    x, sr = sf.read(path)  # float64, 160029 samples, 16 kHz mono
    expected = scipy_reference(x, sr)
    results = AudioLogSpectrogram()(LoadAudioWindow()(dict(audio_path=path)))
    audios = results['audios']
    assert audios.shape == (1, 1, 257, 1004) and audios.dtype == np.float32
    assert np.abs(audios[0, 0] - expected).max() < 1e-3


def test_spectrogram_batched_equals_one_by_one():
    rng = np.random.RandomState(0)
    waves = torch.from_numpy(rng.uniform(-1, 1, (3, 16000)).astype('f4'))
    batched = log_spectrogram(waves, 16000)
    for i in range(3):
        single = log_spectrogram(waves[i:i + 1], 16000)
        torch.testing.assert_close(batched[i:i + 1], single)
    _, _, ref = signal.spectrogram(waves[1].double().numpy(), 16000,
                                   nperseg=512, noverlap=353)
    unnormalised = log_spectrogram(waves[1:2], 16000, normalize=False)[0]
    np.testing.assert_allclose(unnormalised.numpy(), np.log(ref + 1e-7),
                               atol=1e-3)


def test_window_is_cut_from_timestamps_and_tiled(tmp_path):
    sr = 16000
    wave = (np.arange(3 * sr) % 1000 / 1000.0 - 0.5).astype('f4')
    path = str(tmp_path / 'v.wav')
    sf.write(path, wave, sr, subtype='FLOAT')
    out = LoadAudioWindow()(dict(audio_path=path, audio_start=1.0,
                                 audio_stop=1.5))
    window = wave[sr:sr + sr // 2]
    assert out['audio_wave'].shape == (160000, )
    np.testing.assert_array_equal(out['audio_wave'][:8000], window)
    np.testing.assert_array_equal(out['audio_wave'][8000:16000], window)
    # A wav that ends inside the window is incomplete: an error by default.
    past_end = dict(audio_path=path, audio_start=2.5, audio_stop=9.0)
    with pytest.raises(MediaReadError, match=r"v.wav' does not cover the "
                       r'window \[2.5, 9.0\) s: it ends at 3.000 s'):
        LoadAudioWindow(clip_seconds=1.0)(dict(past_end))
    # The documented opt-ins: tile what exists (the prior code) or pad.
    out = LoadAudioWindow(clip_seconds=1.0, short_audio='tile')(dict(past_end))
    np.testing.assert_array_equal(out['audio_wave'][:8000], wave[-8000:])
    np.testing.assert_array_equal(out['audio_wave'][8000:], wave[-8000:])
    out = LoadAudioWindow(clip_seconds=1.0, short_audio='pad')(dict(past_end))
    np.testing.assert_array_equal(out['audio_wave'][:8000], wave[-8000:])
    assert not out['audio_wave'][8000:].any()
    # Within the tolerance (rounding, a track a few ms short) it is read.
    out = LoadAudioWindow(clip_seconds=1.0)(
        dict(audio_path=path, audio_start=2.5, audio_stop=3.04))
    assert out['audio_wave'].shape == (16000, )
    with pytest.raises(ValueError, match='short_audio must be one of'):
        LoadAudioWindow(short_audio='loop')


def test_missing_wav_says_does_not_exist(tmp_path):
    with pytest.raises(MediaReadError, match=r"nope.wav' does not exist"):
        LoadAudioWindow()(dict(audio_path=str(tmp_path / 'nope.wav')))


def test_stereo_downmix_and_resample(real_root, tmp_path):
    path = osp.join(real_root, 'mmaction2_testdata', 'test.wav')  # 2 ch
    stereo, sr = sf.read(path, dtype='float32')
    assert stereo.ndim == 2 and sr == 16000
    out = LoadAudioWindow(clip_seconds=1.0)(dict(audio_path=path))
    np.testing.assert_allclose(out['audio_wave'], stereo[:16000].mean(1),
                               atol=1e-7)
    # The same audio at 8 kHz comes back at 16 kHz, about 2x the samples.
    low = str(tmp_path / 'low.wav')
    sf.write(low, stereo[::2], 8000)
    wave = LoadAudioWindow(clip_seconds=1.0)(dict(audio_path=low))
    assert wave['audio_sample_rate'] == 16000
    assert wave['audio_wave'].shape == (16000, )
    assert np.corrcoef(wave['audio_wave'][1000:15000],
                       stereo[1000:15000].mean(1))[0, 1] > 0.9


def test_unreadable_and_too_short_audio_name_the_file(tmp_path):
    with pytest.raises(MediaReadError, match='missing.wav'):
        LoadAudioWindow()(dict(audio_path=str(tmp_path / 'missing.wav')))
    bad = tmp_path / 'bad.wav'
    bad.write_bytes(b'RIFF0000WAVEjunk')
    with pytest.raises(MediaReadError, match='bad.wav'):
        LoadAudioWindow()(dict(audio_path=str(bad)))
    short = str(tmp_path / 'short.wav')
    sf.write(short, np.zeros(1600, 'f4'), 16000)  # 0.1 s
    with pytest.raises(MediaReadError,
                       match=r"short.wav' is too short.*1600 samples"):
        LoadAudioWindow()(dict(audio_path=short, audio_start=2.0,
                               audio_stop=3.0))


def test_augment_is_seeded_bounded_and_masks_rows():
    spec = np.ones((1, 1, 257, 20), np.float32)
    out1 = AudioSpectrogramAugment(seed=3)(dict(audios=spec))['audios']
    out2 = AudioSpectrogramAugment(seed=3)(dict(audios=spec))['audios']
    out3 = AudioSpectrogramAugment(seed=4)(dict(audios=spec))['audios']
    np.testing.assert_array_equal(out1, out2)
    assert not np.array_equal(out1, out3)
    zero_rows = np.where((out1[0, 0] == 0).all(axis=1))[0]
    assert len(zero_rows) == 9 and np.all(np.diff(zero_rows) == 1)
    assert zero_rows[0] < 247
    kept = np.delete(out1[0, 0], zero_rows, axis=0)
    assert np.abs(kept - 1).max() <= 0.05 and np.abs(kept - 1).max() > 0.04
    np.testing.assert_array_equal(spec, 1)  # input untouched


def test_log_mel_option():
    wave = np.random.RandomState(0).uniform(-1, 1, 16000).astype('f4')
    out = AudioLogMelSpectrogram(n_mels=64)(
        dict(audio_wave=wave, audio_sample_rate=16000))['audios']
    assert out.shape == (1, 1, 64, 101) and out.dtype == np.float32
    assert abs(out.mean()) < 1e-4 and abs(out.std() - 1) < 1e-3


def test_seeded_augment_gives_each_dataloader_worker_its_own_stream(monkeypatch):
    """With seed=, workers must not repeat each other's draws (the transform is
    copied into every worker); the same worker seed reproduces its stream."""
    from types import SimpleNamespace
    spec = np.zeros((1, 1, 32, 8), np.float32)
    aug = AudioSpectrogramAugment(seed=3)
    main = aug(dict(audios=spec))['audios']  # main process: seed alone, as before
    np.testing.assert_array_equal(main, AudioSpectrogramAugment(seed=3)(dict(audios=spec))['audios'])

    def draw(worker_seed):
        monkeypatch.setattr('torch.utils.data.get_worker_info',
                            lambda: SimpleNamespace(id=worker_seed % 2, seed=worker_seed))
        return copy.deepcopy(aug)(dict(audios=spec))['audios']

    w0, w1 = draw(1000), draw(1001)
    assert not np.array_equal(w0, w1) and not np.array_equal(w0, main)
    np.testing.assert_array_equal(draw(1000), w0)
