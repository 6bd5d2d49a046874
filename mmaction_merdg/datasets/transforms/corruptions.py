"""Test-time corruptions of RGB, flow and audio, at five severities.

The robustness protocol of the MMDG benchmark (Li et al., "Are we making
progress in multimodal domain generalization?", reference code
https://github.com/lihongzhao99/MMDG_Benchmark, its HAC-C split) evaluates a
trained model on corrupted test media. Here every corruption is a registered
MMAction2 transform that is inserted into an ordinary test pipeline:

* ``VideoCorruption`` acts on ``results['imgs']``: ``gaussian_noise``,
  ``shot_noise``, ``defocus_blur``, ``motion_blur``, ``jpeg_compression``,
  ``brightness_contrast``, ``frame_drop`` (severity parameters in the spirit of
  ImageNet-C, Hendrycks & Dietterich, ICLR 2019; blur sizes are fractions of
  the frame size so that 32 px synthetic frames and 224 px crops are blurred
  alike).
* ``FlowCorruption`` acts on ``results['flow_imgs']``: ``flow_noise``,
  ``flow_zero_frames``.
* ``AudioCorruption`` acts on the waveform ``results['audio_wave']`` when the
  pipeline still holds one (insert it before ``AudioLogSpectrogram``):
  ``audio_gaussian_noise`` and ``audio_wind`` (mixed at an SNR with
  ``torchaudio.functional.add_noise``; wind is low-passed with
  ``lowpass_biquad`` and modulated by gusts), ``audio_clipping``,
  ``audio_mute`` (a silent window), ``audio_sample_rate`` (the clip resampled
  with ``torchaudio.functional.resample`` and played at the expected rate, so
  it is faster and higher). When only a log spectrogram ``results['audios']``
  exists (the synthetic benchmark renders no waveform), the same five act on
  the spectrogram: noise and wind are added in the power domain at the same
  SNR, clipping saturates the loudest bins, the muted window is set to the
  clip's floor, and the sample-rate mismatch stretches the frequency axis and
  compresses time.

Layouts accepted for ``imgs`` / ``flow_imgs``: a list of ``[H, W, C]`` frames
or an array ``[T, H, W, C]`` (decoded, before ``MultiModalFormatShape``; insert
the corruption after the crop so blur sizes refer to the network's input), or
an array ``[V, C, T, H, W]`` (formatted clips, as the synthetic benchmark
renders them). ``uint8`` frames use the range 0..255; float clips use each
clip's own min..max (or ``value_range``). Every corruption maps the clip to
[0, 1], corrupts, clips to [0, 1] and maps back, keeping shape and dtype.

Severity 0 is the identity. Randomness comes from
``numpy.random.default_rng([seed, sample_idx, corruption id])``: the same seed
and sample give the same corruption in any process, worker or run, and for a
given sample the severities share their random draws, so stronger severities
distort more.
"""
import zlib
from fractions import Fraction
from typing import Dict, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch
import torchaudio.functional as AF
from mmcv.transforms import BaseTransform
from scipy.ndimage import map_coordinates

from mmaction.registry import TRANSFORMS

SEVERITIES = (1, 2, 3, 4, 5)

# name -> per-severity parameter (index 0 is severity 1). Units in comments.
VIDEO_LEVELS: Dict[str, tuple] = dict(
    gaussian_noise=(0.04, 0.08, 0.12, 0.18, 0.26),  # noise std, fraction of the range
    shot_noise=(60, 25, 12, 5, 3),  # photons per unit intensity (Poisson rate)
    defocus_blur=(0.02, 0.035, 0.05, 0.07, 0.10),  # disk radius, fraction of min(H, W)
    motion_blur=(0.05, 0.08, 0.12, 0.17, 0.24),  # streak length, fraction of min(H, W)
    jpeg_compression=(30, 20, 15, 10, 7),  # JPEG quality
    brightness_contrast=((0.8, 0.05), (0.65, 0.1), (0.5, 0.15), (0.35, 0.2),
                         (0.2, 0.25)),  # (contrast factor, brightness shift)
    frame_drop=(0.1, 0.2, 0.35, 0.5, 0.7),  # P(a frame is lost -> previous frame shown)
)
FLOW_LEVELS: Dict[str, tuple] = dict(
    flow_noise=(0.04, 0.08, 0.12, 0.18, 0.26),  # noise std, fraction of the range
    flow_zero_frames=(0.1, 0.2, 0.35, 0.5, 0.7),  # P(a frame carries no motion)
)
AUDIO_LEVELS: Dict[str, tuple] = dict(
    audio_gaussian_noise=(20, 10, 5, 0, -5),  # SNR in dB
    audio_wind=(20, 10, 5, 0, -5),  # SNR in dB of gusty low-frequency noise
    audio_clipping=(0.5, 0.3, 0.15, 0.07, 0.03),  # clip level, fraction of the peak
    audio_mute=(0.1, 0.2, 0.35, 0.5, 0.7),  # muted fraction of the clip
    audio_sample_rate=(1.09, 1.25, 1.5, 2.0, 2.75),  # true rate / assumed rate
)
CORRUPTIONS: Dict[str, str] = {
    **{k: 'imgs' for k in VIDEO_LEVELS},
    **{k: 'flow_imgs' for k in FLOW_LEVELS},
    **{k: 'audios' for k in AUDIO_LEVELS},
}
# Spectrogram-only audio: clipping saturates the bins above this quantile
# (one per severity, matching AUDIO_LEVELS['audio_clipping']).
SPECTROGRAM_CLIP_QUANTILES = (0.95, 0.85, 0.7, 0.55, 0.4)
WIND_CUTOFF_HZ = 150.0  # wind noise lives below a few hundred Hz
WIND_GUST_HZ = 1.5  # gust modulation rate


def corruption_transform(name: str, severity: int, seed: int = 0) -> dict:
    """Pipeline config of corruption ``name`` at ``severity``.

    Args:
        name (str): A key of :data:`CORRUPTIONS`.
        severity (int): 0 (identity) to 5.
        seed (int): Seed of the corruption's random draws. Defaults to 0.

    Returns:
        dict: ``dict(type='VideoCorruption' | 'FlowCorruption' |
        'AudioCorruption', corruption=name, severity=severity, seed=seed)``.
    """
    if name not in CORRUPTIONS:
        raise ValueError(f'unknown corruption {name!r}; expected one of {sorted(CORRUPTIONS)}.')
    kind = dict(imgs='VideoCorruption', flow_imgs='FlowCorruption',
                audios='AudioCorruption')[CORRUPTIONS[name]]
    return dict(type=kind, corruption=name, severity=int(severity), seed=int(seed))


def _rng(seed: int, results: dict, name: str) -> np.random.Generator:
    idx = int(results.get('sample_idx', 0) or 0)
    return np.random.default_rng([int(seed), idx, zlib.crc32(name.encode())])


# --------------------------------------------------------------------- #
# Frame corruptions on u: float32 [T, H, W, C] in [0, 1].
def _filter_frames(u: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    t, h, w, c = u.shape
    x = np.ascontiguousarray(u.transpose(1, 2, 0, 3).reshape(h, w, t * c))  # [T,H,W,C] -> [H,W,T*C]
    chunks = [cv2.filter2D(x[:, :, i:i + 256], -1, kernel, borderType=cv2.BORDER_REFLECT)
              for i in range(0, t * c, 256)]  # OpenCV takes at most 512 channels
    y = np.concatenate([ch.reshape(h, w, -1) for ch in chunks], axis=2)
    return y.reshape(h, w, t, c).transpose(2, 0, 1, 3)  # [H,W,T*C] -> [T,H,W,C]


def _disk_kernel(radius: float) -> np.ndarray:
    r = int(np.ceil(radius))
    yy, xx = np.mgrid[-r:r + 1, -r:r + 1]
    k = ((xx**2 + yy**2) <= radius**2 + 1e-6).astype(np.float32)
    k = cv2.GaussianBlur(k, (3, 3), 0.5)  # soften the disk's aliasing, as ImageNet-C
    return k / k.sum()


def _line_kernel(length: float, angle: float) -> np.ndarray:
    """A streak of ``length`` pixels (fractional ends weighted) at ``angle`` degrees."""
    size = 2 * int(np.ceil(length / 2)) + 1
    c = size // 2
    profile = np.clip(length / 2 + 0.5 - np.abs(np.arange(size) - c), 0.0, 1.0)
    k = np.zeros((size, size), np.float32)
    k[c] = profile
    rot = cv2.getRotationMatrix2D((float(c), float(c)), angle, 1.0)
    k = cv2.warpAffine(k, rot, (size, size), flags=cv2.INTER_LINEAR)
    return k / max(float(k.sum()), 1e-8)


def _jpeg(u: np.ndarray, quality: int) -> np.ndarray:
    """JPEG round trip of every frame: colour when C == 3, else per channel."""
    q8 = np.clip(np.round(u * 255), 0, 255).astype(np.uint8)
    params = [int(cv2.IMWRITE_JPEG_QUALITY), int(quality)]
    groups = [slice(0, 3)] if u.shape[3] == 3 else [slice(c, c + 1) for c in range(u.shape[3])]
    out = np.empty_like(u)
    for t in range(u.shape[0]):
        for g in groups:
            part = np.ascontiguousarray(q8[t, :, :, g])
            ok, buf = cv2.imencode('.jpg', part, params)
            if not ok:
                raise RuntimeError('OpenCV failed to JPEG-encode a frame.')
            flag = cv2.IMREAD_COLOR if part.shape[2] == 3 else cv2.IMREAD_GRAYSCALE
            out[t, :, :, g] = cv2.imdecode(buf, flag).reshape(part.shape) / 255.0
    return out


def _frame_drop(u: np.ndarray, rng: np.random.Generator, p: float,
                fill: Optional[float] = None) -> np.ndarray:
    lost = rng.random(u.shape[0]) < p  # nested across severities: same draws
    out = u.copy()
    for t in range(u.shape[0]):
        if lost[t]:
            if fill is not None:
                out[t] = fill
            elif t > 0:  # a lost frame shows the last one received
                out[t] = out[t - 1]
    return out


def _video(name: str, level, u: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    h, w = u.shape[1:3]
    if name in ('gaussian_noise', 'flow_noise'):
        return u + level * rng.standard_normal(u.shape).astype(np.float32)
    if name == 'shot_noise':
        return (rng.poisson(np.clip(u, 0, 1) * level) / level).astype(np.float32)
    if name == 'defocus_blur':
        return _filter_frames(u, _disk_kernel(max(level * min(h, w), 0.5)))
    if name == 'motion_blur':
        angle = float(rng.uniform(-45, 45))  # one camera shake per clip
        return _filter_frames(u, _line_kernel(max(level * min(h, w), 1.0), angle))
    if name == 'jpeg_compression':
        return _jpeg(u, level)
    if name == 'brightness_contrast':
        contrast, shift = level
        mean = u.mean(axis=(0, 1, 2), keepdims=True)
        return (u - mean) * contrast + mean + shift
    if name == 'frame_drop':
        return _frame_drop(u, rng, level)
    raise KeyError(name)


class _FrameCorruption(BaseTransform):
    """Shared frame handling of :class:`VideoCorruption` and :class:`FlowCorruption`."""

    LEVELS: Dict[str, tuple] = {}
    KEY = ''

    def __init__(self, corruption: str, severity: int = 1, seed: int = 0,
                 value_range: Optional[Tuple[float, float]] = None) -> None:
        if corruption not in self.LEVELS:
            raise ValueError(f'{type(self).__name__}: unknown corruption {corruption!r}; '
                             f'expected one of {sorted(self.LEVELS)}.')
        if int(severity) != severity or not 0 <= severity <= 5:
            raise ValueError(f'{type(self).__name__}: severity must be an integer in '
                             f'0..5, got {severity!r}.')
        if value_range is not None and not value_range[1] > value_range[0]:
            raise ValueError(f'{type(self).__name__}: value_range must be (low, high) '
                             f'with high > low, got {value_range!r}.')
        self.corruption, self.severity, self.seed = corruption, int(severity), int(seed)
        self.value_range = value_range

    def _corrupt_clip(self, u: np.ndarray, rng: np.random.Generator, zero_u: float) -> np.ndarray:
        return _video(self.corruption, self.LEVELS[self.corruption][self.severity - 1], u, rng)

    def _apply(self, clip: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Corrupt one clip ``[T, H, W, C]`` of any dtype; same shape and dtype out."""
        if clip.dtype == np.uint8:
            lo, hi = 0.0, 255.0
        elif self.value_range is not None:
            lo, hi = map(float, self.value_range)
        else:  # a float clip of unknown range: its own min..max
            lo, hi = float(clip.min()), float(clip.max())
            if hi <= lo:
                hi = lo + 1.0
        zero = 128.0 if clip.dtype == np.uint8 else 0.0  # flow: no motion
        u = (clip.astype(np.float32) - lo) / (hi - lo)
        u = np.clip(self._corrupt_clip(u, rng, (zero - lo) / (hi - lo)), 0.0, 1.0)
        x = u * (hi - lo) + lo
        if np.issubdtype(clip.dtype, np.integer):
            x = np.round(x)
        return x.astype(clip.dtype)

    def transform(self, results: dict) -> dict:
        if self.severity == 0:
            return results
        if self.KEY not in results:
            raise KeyError(f'{type(self).__name__}({self.corruption}): results has no '
                           f"'{self.KEY}'; is the modality in the pipeline?")
        rng = _rng(self.seed, results, self.corruption)
        data = results[self.KEY]
        if isinstance(data, (list, tuple)):  # decoded frames [H, W, C]
            frames = np.stack([np.asarray(f) for f in data])
            squeeze = frames.ndim == 3  # [T, H, W] single-channel frames
            if squeeze:
                frames = frames[..., None]
            out = self._apply(frames, rng)
            results[self.KEY] = [f[..., 0] if squeeze else f for f in out]
            return results
        data = np.asarray(data)
        if data.ndim == 4:  # [T, H, W, C]
            results[self.KEY] = self._apply(data, rng)
        elif data.ndim == 5:  # [V, C, T, H, W]
            clips = [self._apply(np.ascontiguousarray(v.transpose(1, 2, 3, 0)), rng)
                     for v in data]  # [C, T, H, W] -> [T, H, W, C]
            results[self.KEY] = np.stack([c.transpose(3, 0, 1, 2) for c in clips])
        else:
            raise ValueError(f"{type(self).__name__}: results['{self.KEY}'] must be a list "
                             'of [H, W, C] frames, [T, H, W, C] or [V, C, T, H, W]; got '
                             f'shape {data.shape}.')
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(corruption={self.corruption!r}, '
                f'severity={self.severity}, seed={self.seed})')


@TRANSFORMS.register_module()
class VideoCorruption(_FrameCorruption):
    """Corrupt RGB frames (``results['imgs']``) at a severity of 0..5.

    Required keys: ``imgs`` (list of ``[H, W, 3]`` frames, ``[T, H, W, 3]`` or
    ``[V, 3, T, H, W]``), optional ``sample_idx`` (seeds the draws).
    Modified keys: ``imgs`` (same layout, shape and dtype).

    Args:
        corruption (str): One of ``gaussian_noise``, ``shot_noise``,
            ``defocus_blur``, ``motion_blur``, ``jpeg_compression``,
            ``brightness_contrast``, ``frame_drop`` (parameters in
            :data:`VIDEO_LEVELS`).
        severity (int): 0 (identity) to 5. Defaults to 1.
        seed (int): Seed of the random draws. Defaults to 0.
        value_range (tuple, optional): ``(low, high)`` of float clips.
            Defaults to None: 0..255 for uint8, each clip's min..max for floats.
    """

    LEVELS = VIDEO_LEVELS
    KEY = 'imgs'


@TRANSFORMS.register_module()
class FlowCorruption(_FrameCorruption):
    """Corrupt optical flow (``results['flow_imgs']``) at a severity of 0..5.

    ``flow_noise`` adds Gaussian noise; ``flow_zero_frames`` replaces frames by
    "no motion" (128 for uint8 flow, 0 for float clips, which the synthetic
    benchmark renders zero-centred).

    Required keys: ``flow_imgs`` (list of ``[H, W, 2]`` frames,
    ``[T, H, W, 2]`` or ``[V, 2, T, H, W]``), optional ``sample_idx``.
    Modified keys: ``flow_imgs`` (same layout, shape and dtype).

    Args:
        corruption (str): ``flow_noise`` or ``flow_zero_frames``.
        severity (int): 0 (identity) to 5. Defaults to 1.
        seed (int): Seed of the random draws. Defaults to 0.
        value_range (tuple, optional): See :class:`VideoCorruption`.
    """

    LEVELS = FLOW_LEVELS
    KEY = 'flow_imgs'

    def _corrupt_clip(self, u, rng, zero_u):
        level = self.LEVELS[self.corruption][self.severity - 1]
        if self.corruption == 'flow_zero_frames':
            return _frame_drop(u, rng, level, fill=zero_u)
        return _video('flow_noise', level, u, rng)


# --------------------------------------------------------------------- #
# Audio: waveform [N] at sample rate sr, or log spectrogram [F, T].
def _mix_at_snr(wave: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    out = AF.add_noise(torch.from_numpy(wave)[None], torch.from_numpy(noise)[None],
                       torch.tensor([float(snr_db)]))
    return out[0].numpy().astype(np.float32)


def _gusts(n: int, rate: float, rng: np.random.Generator) -> np.ndarray:
    """Slowly varying positive envelope ``[n]`` in [0.2, 1] (wind gusts)."""
    t = np.arange(n) / max(n, 1)
    env = sum(np.sin(2 * np.pi * (rate * (k + 1) * t + rng.random())) / (k + 1)
              for k in range(3))
    env = (env - env.min()) / max(float(np.ptp(env)), 1e-8)
    return (0.2 + 0.8 * env).astype(np.float32)


def corrupt_waveform(name: str, level, wave: np.ndarray, sample_rate: int,
                     rng: np.random.Generator) -> np.ndarray:
    """Apply audio corruption ``name`` with parameter ``level`` to a waveform.

    Args:
        name (str): A key of :data:`AUDIO_LEVELS`.
        level: Its parameter (see :data:`AUDIO_LEVELS`).
        wave (np.ndarray): ``[N]`` float32 samples.
        sample_rate (int): Rate of ``wave`` in Hz.
        rng (np.random.Generator): Source of the random draws.

    Returns:
        np.ndarray: ``[N]`` float32.
    """
    n = wave.size
    if name == 'audio_gaussian_noise':
        return _mix_at_snr(wave, rng.standard_normal(n).astype(np.float32), level)
    if name == 'audio_wind':
        white = torch.from_numpy(rng.standard_normal(n).astype(np.float32))[None]
        low = AF.lowpass_biquad(AF.lowpass_biquad(white, sample_rate, WIND_CUTOFF_HZ),
                                sample_rate, WIND_CUTOFF_HZ)[0].numpy()
        gust_rate = WIND_GUST_HZ * n / sample_rate  # cycles over the clip
        return _mix_at_snr(wave, low * _gusts(n, gust_rate, rng), level)
    if name == 'audio_clipping':
        peak = float(np.abs(wave).max())
        return np.clip(wave, -level * peak, level * peak).astype(np.float32)
    if name == 'audio_mute':
        length = int(round(level * n))
        start = int(rng.integers(0, n - length + 1))
        out = wave.copy()
        out[start:start + length] = 0.0
        return out
    if name == 'audio_sample_rate':
        # Recorded at level * sr, read as sr: resample by 1 / level, then tile
        # back to the clip length (as LoadAudioWindow). The rate pair is the
        # level as a small fraction (1.09 -> 109:100): torchaudio builds one
        # filter per unit of the reduced source rate, and 16000 -> 14679 Hz
        # (sr / level rounded to Hz) took seconds per call.
        ratio = Fraction(str(float(level))).limit_denominator(1000)
        y = AF.resample(torch.from_numpy(wave)[None], ratio.numerator,
                        ratio.denominator)[0].numpy()
        if y.size == 0:
            y = wave[:1]
        return np.tile(y, -(-n // y.size))[:n].astype(np.float32)
    raise KeyError(name)


def corrupt_log_spectrogram(name: str, level, spec: np.ndarray,
                            rng: np.random.Generator) -> np.ndarray:
    """Spectrogram-domain counterpart of :func:`corrupt_waveform`.

    Args:
        name (str): A key of :data:`AUDIO_LEVELS`.
        level: Its parameter.
        spec (np.ndarray): ``[F, T]`` log power (natural log up to an offset
            and a positive scale is fine), row 0 the lowest frequency.
        rng (np.random.Generator): Source of the random draws.

    Returns:
        np.ndarray: ``[F, T]``, same dtype.
    """
    f, t = spec.shape
    s = spec.astype(np.float64)
    if name in ('audio_gaussian_noise', 'audio_wind'):
        top = s.max()
        power = np.exp(s - top)  # [F, T], up to a constant factor
        # A noise periodogram is exponentially distributed around its mean.
        noise = rng.exponential(1.0, size=s.shape)
        if name == 'audio_wind':
            cutoff = max(1.0, 0.05 * f)  # the lowest 5 % of the bins
            profile = 1.0 / (1.0 + (np.arange(f) / cutoff)**2)**2
            noise = noise * profile[:, None] * _gusts(t, WIND_GUST_HZ, rng)[None, :]
        noise *= power.mean() / noise.mean() * 10.0**(-level / 10.0)  # power SNR in dB
        return (np.log(power + noise) + top).astype(spec.dtype)
    if name == 'audio_clipping':
        # Clipping flattens the loudest moments: saturate the top bins.
        quantile = SPECTROGRAM_CLIP_QUANTILES[AUDIO_LEVELS[name].index(level)]
        return np.minimum(s, np.quantile(s, quantile)).astype(spec.dtype)
    if name == 'audio_mute':
        length = int(round(level * t))
        start = int(rng.integers(0, t - length + 1))
        out = s.copy()
        out[:, start:start + length] = s.min()  # the clip's silence floor
        return out.astype(spec.dtype)
    if name == 'audio_sample_rate':
        # Content at frequency bin k moves to k * level; time runs level x faster
        # and the clip is tiled back to its length.
        ff, tt = np.meshgrid(np.arange(f) / level, (np.arange(t) * level) % t, indexing='ij')
        return map_coordinates(s, [ff, tt], order=1, mode='nearest').astype(spec.dtype)
    raise KeyError(name)


@TRANSFORMS.register_module()
class AudioCorruption(BaseTransform):
    """Corrupt audio at a severity of 0..5: the waveform when there is one,
    else the log spectrogram.

    Required keys: ``audio_wave`` ([N] float) and ``audio_sample_rate`` (insert
    before ``AudioLogSpectrogram``), or else ``audios`` (``[..., F, T]`` log
    spectrograms, row 0 the lowest frequency); optional ``sample_idx``.
    Modified keys: ``audio_wave`` or ``audios`` (same shape and dtype).

    Args:
        corruption (str): One of ``audio_gaussian_noise``, ``audio_wind``,
            ``audio_clipping``, ``audio_mute``, ``audio_sample_rate``
            (parameters in :data:`AUDIO_LEVELS`).
        severity (int): 0 (identity) to 5. Defaults to 1.
        seed (int): Seed of the random draws. Defaults to 0.
    """

    def __init__(self, corruption: str, severity: int = 1, seed: int = 0) -> None:
        if corruption not in AUDIO_LEVELS:
            raise ValueError(f'AudioCorruption: unknown corruption {corruption!r}; '
                             f'expected one of {sorted(AUDIO_LEVELS)}.')
        if int(severity) != severity or not 0 <= severity <= 5:
            raise ValueError(f'AudioCorruption: severity must be an integer in 0..5, '
                             f'got {severity!r}.')
        self.corruption, self.severity, self.seed = corruption, int(severity), int(seed)

    def transform(self, results: dict) -> dict:
        if self.severity == 0:
            return results
        level = AUDIO_LEVELS[self.corruption][self.severity - 1]
        rng = _rng(self.seed, results, self.corruption)
        if 'audio_wave' in results:
            if 'audio_sample_rate' not in results:
                raise KeyError("AudioCorruption: 'audio_wave' needs 'audio_sample_rate'.")
            wave = np.asarray(results['audio_wave'])
            out = corrupt_waveform(self.corruption, level, wave.astype(np.float32),
                                   int(results['audio_sample_rate']), rng)
            results['audio_wave'] = out.astype(wave.dtype)
            return results
        if 'audios' not in results:
            raise KeyError("AudioCorruption: results has neither 'audio_wave' nor 'audios'.")
        spec = np.asarray(results['audios'])
        if spec.ndim < 2:
            raise ValueError(f"AudioCorruption: results['audios'] must be [..., F, T]; "
                             f'got shape {spec.shape}.')
        flat = spec.reshape((-1, ) + spec.shape[-2:])  # [..., F, T] -> [B, F, T]
        out = np.stack([corrupt_log_spectrogram(self.corruption, level, x, rng) for x in flat])
        results['audios'] = out.reshape(spec.shape).astype(spec.dtype)
        return results

    def __repr__(self) -> str:
        return (f'AudioCorruption(corruption={self.corruption!r}, '
                f'severity={self.severity}, seed={self.seed})')


def corruption_levels(name: str) -> Sequence:
    """The five parameters of corruption ``name`` (severity 1 first)."""
    for table in (VIDEO_LEVELS, FLOW_LEVELS, AUDIO_LEVELS):
        if name in table:
            return table[name]
    raise ValueError(f'unknown corruption {name!r}; expected one of {sorted(CORRUPTIONS)}.')


__all__ = ['VideoCorruption', 'FlowCorruption', 'AudioCorruption', 'CORRUPTIONS',
           'SEVERITIES', 'corruption_transform', 'corruption_levels', 'corrupt_waveform',
           'corrupt_log_spectrogram']
