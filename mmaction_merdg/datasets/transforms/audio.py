"""Audio transforms: read a wav window and turn it into a log spectrogram.

The default recipe is the one of SimMMDG (Dong et al., NeurIPS 2023,
https://github.com/donghao51/SimMMDG) and MER-DG, which feed a VGGSound
ResNet-18 (Chen et al., ICASSP 2020): 16 kHz mono audio, the segment's window
tiled or cropped to 10 s, ``scipy.signal.spectrogram(x, 16000, nperseg=512,
noverlap=353)`` (Tukey(0.25) window, per-segment mean removal, one-sided PSD
density), ``log(S + 1e-7)`` and a per-clip z-score, giving ``257 x 1004``. Here
the spectrogram is computed with torch, batched, and matches scipy's float64
result to within 1e-3 after normalisation (see ``tests/datasets``).
"""
import os
from functools import lru_cache
from typing import Optional

import numpy as np
import soundfile as sf
import torch
from mmcv.transforms import BaseTransform
from scipy.signal import get_window

from mmaction.registry import TRANSFORMS
from .errors import MediaReadError
from .strict_media import (audio_window_frames, check_audio_policy,
                           check_regular_file)

#: Files whose audio track is decoded with PyAV (a video's own audio).
CONTAINER_EXTENSIONS = ('.mp4', '.m4a', '.mkv', '.webm', '.mov', '.avi', '.aac')


def read_wav_window(path: str,
                    sample_rate: int,
                    start: Optional[float] = None,
                    stop: Optional[float] = None,
                    short_audio: str = 'error') -> np.ndarray:
    """Read ``[start, stop)`` seconds of a wav as mono float32 at ``sample_rate``.

    Only the window is read from disk (EPIC wavs hold whole videos). Stereo and
    multi-channel files are downmixed by averaging the channels; a file at
    another rate is resampled with ``torchaudio.functional.resample``.

    Args:
        path (str): The wav (or any format libsndfile reads), or a video
            container (:data:`CONTAINER_EXTENSIONS`) whose audio track is
            decoded with PyAV.
        sample_rate (int): The rate of the returned samples.
        start (float, optional): Window start in seconds. Defaults to the start.
        stop (float, optional): Window end in seconds. Defaults to the end.
        short_audio (str): A file ending inside the window: ``'error'``,
            ``'pad'`` (silence) or ``'tile'``, see
            :func:`.strict_media.audio_window_frames`. Defaults to
            ``'error'``.

    Returns:
        np.ndarray: ``[num_samples]`` float32.

    Raises:
        MediaReadError: The file is missing or unreadable, the window holds
            no sample of it, or (``short_audio='error'``) it ends inside the
            window.
    """
    check_regular_file(path, 'audio file')  # a FIFO would block the open
    if not os.path.isfile(path):  # libsndfile would say "System error."
        raise MediaReadError(f"audio file '{path}' does not exist")
    if os.path.splitext(path)[1].lower() in CONTAINER_EXTENSIONS:
        # A video's own audio track (libsndfile reads no mp4 / mkv / webm).
        from .av_audio import read_av_audio
        wave, file_sr = read_av_audio(path)  # [num_samples, channels]
        first, last, pad = audio_window_frames(path, wave.shape[0], file_sr, start, stop,
                                               short_audio)
        wave = wave[first:last]
    else:
        wave, file_sr, pad = _read_sf_window(path, start, stop, short_audio)
    if wave.shape[1] == 1:  # mono: the mean over one channel is that channel
        wave = wave[:, 0]
    else:
        wave = wave.mean(axis=1)  # [num_samples, channels] -> [num_samples]
    if pad:  # short_audio='pad': silence for the part the file lacks
        wave = np.concatenate([wave, np.zeros(pad, wave.dtype)])
    if file_sr != sample_rate:
        import torchaudio.functional as AF
        wave = AF.resample(torch.from_numpy(np.ascontiguousarray(wave)), file_sr,
                           sample_rate).numpy()
    return np.ascontiguousarray(wave, dtype=np.float32)


def _read_sf_window(path: str, start: Optional[float], stop: Optional[float],
                    short_audio: str):
    """``([num_samples, channels] float32, file rate, samples to pad)`` via libsndfile."""
    # One open for the header and the window (sf.info + sf.read opened and
    # parsed the file twice).
    try:
        with sf.SoundFile(path) as f:
            file_sr, num_frames = f.samplerate, f.frames
            first, last, pad = audio_window_frames(path, num_frames, file_sr,
                                                   start, stop, short_audio)
            f.seek(first)
            # [num_samples, channels]
            wave = f.read(last - first, dtype='float32', always_2d=True)
    except MediaReadError:
        raise
    except Exception as err:  # libsndfile raises RuntimeError/LibsndfileError
        raise MediaReadError(
            f"cannot read audio file '{path}': {err}") from err
    return wave, file_sr, pad


def fit_to_length(wave: np.ndarray, length: int) -> np.ndarray:
    """Crop ``wave`` to ``length`` samples, or tile it until it is that long.

    Tiling repeats the whole window, as the prior code does, rather than padding
    with silence.
    """
    if wave.size == 0:
        raise ValueError('cannot tile an empty waveform')
    if wave.size < length:
        wave = np.tile(wave, -(-length // wave.size))
    return wave[:length]


@lru_cache(maxsize=8)
def _window(nperseg: int, device: str) -> torch.Tensor:
    # scipy's spectrogram default: a periodic Tukey window with alpha 0.25.
    return torch.from_numpy(get_window(('tukey', 0.25), nperseg)).to(
        device=device, dtype=torch.float32)


def log_spectrogram(waves: torch.Tensor,
                    sample_rate: int,
                    nperseg: int = 512,
                    noverlap: int = 353,
                    eps: float = 1e-7,
                    normalize: bool = True) -> torch.Tensor:
    """Batched torch equivalent of the prior ``log(scipy spectrogram)`` recipe.

    Reproduces ``scipy.signal.spectrogram(x, sample_rate, nperseg=nperseg,
    noverlap=noverlap)`` with its defaults (periodic Tukey(0.25) window,
    ``nfft=nperseg``, constant detrend per segment, one-sided PSD ``density``
    scaling, no boundary padding), then ``log(S + eps)`` and, if ``normalize``,
    a z-score over each whole spectrogram (``(S - mean) / (std + 1e-9)``,
    population std as numpy's).

    Args:
        waves (torch.Tensor): ``[B, N]`` waveforms, one per clip.
        sample_rate (int): Sampling rate in Hz (enters the density scaling).
        nperseg (int): Samples per segment. Defaults to 512.
        noverlap (int): Overlapping samples between segments. Defaults to 353.
        eps (float): Added before the log. Defaults to 1e-7.
        normalize (bool): Z-score each spectrogram. Defaults to True.

    Returns:
        torch.Tensor: ``[B, nperseg // 2 + 1, (N - noverlap) // (nperseg -
        noverlap)]`` float32 (``[B, 257, 1004]`` for 10 s at 16 kHz).
    """
    if waves.ndim != 2:
        raise ValueError(f'waves must be [B, N], got {tuple(waves.shape)}')
    waves = waves.to(torch.float32)
    window = _window(nperseg, str(waves.device))
    hop = nperseg - noverlap
    # [B, N] -> [B, num_segments, nperseg], a strided view (no copy).
    segments = waves.unfold(-1, nperseg, hop)
    # (x - mean(x)) * w in one pass over the segments: x * w, then minus
    # mean * w in place (scipy's constant detrend happens before the window).
    frames = segments * window
    frames.addcmul_(segments.mean(dim=-1, keepdim=True), window, value=-1)
    spec = torch.fft.rfft(frames, dim=-1)  # [B, num_segments, F] complex
    power = spec.real.square().add_(spec.imag.square())
    scale = 1.0 / (sample_rate * float(window.square().sum()))
    # One-sided PSD: every bin but DC (and Nyquist for an even nfft) counts
    # twice.
    weights = torch.full((power.shape[-1], ), 2 * scale, device=power.device)
    weights[0] = scale
    if nperseg % 2 == 0:
        weights[-1] = scale
    power.mul_(weights).add_(eps).log_()
    if normalize:
        # Whole-spectrogram statistics do not depend on the layout: take them
        # on the contiguous [B, T, F] array (reductions over a transposed view
        # are several times slower on CPU).
        mean = power.mean(dim=(1, 2), keepdim=True)
        std = power.std(dim=(1, 2), keepdim=True, unbiased=False)
        power.sub_(mean).div_(std + 1e-9)
    # [B, num_segments, F] -> [B, F, num_segments], scipy's (freq, time) order.
    return power.transpose(1, 2).contiguous()


def _wants_audio(results: dict) -> bool:
    """False when the sample's ``modalities`` exclude audio.

    Lets one pipeline serve every modality subset: the audio transforms pass
    a sample without audio through untouched.
    """
    return 'audios' in results.get('modalities', ('audios', ))


def _zscore(spec: torch.Tensor) -> torch.Tensor:
    mean = spec.mean()
    return (spec - mean) / (spec.std(unbiased=False) + 1e-9)


@TRANSFORMS.register_module()
class LoadAudioWindow(BaseTransform):
    """Read the sample's audio window as a fixed-length mono waveform.

    The window ``[audio_start, audio_stop)`` (seconds) is read from the wav,
    downmixed to mono, resampled to ``sample_rate`` if the file differs, then
    cropped to ``clip_seconds`` or tiled until it is that long, and clipped to
    ``[-1, 1]``, as in SimMMDG's EPIC and HAC loaders.

    A sample whose ``modalities`` exclude ``'audios'`` passes through (as in
    every audio transform here), so one pipeline serves every modality subset.

    Required Keys:

        - audio_path
        - audio_start (optional, seconds; absent: from the file start)
        - audio_stop (optional, seconds; absent: to the file end)

    Added Keys:

        - audio_wave (``[clip_seconds * sample_rate]`` float32)
        - audio_sample_rate

    Args:
        sample_rate (int): Output rate in Hz. Defaults to 16000.
        clip_seconds (float): Output length in seconds. Defaults to 10.0.
        short_audio (str): A wav that ends more than 0.05 s before the
            window does: ``'error'`` raises (default: such a file is
            incomplete), ``'pad'`` pads the window with silence, ``'tile'``
            tiles the part read (the prior code's silent behaviour).

    Raises:
        MediaReadError: The wav is missing, unreadable, holds no sample of
            the window, or (``short_audio='error'``) ends inside it.
    """

    def __init__(self, sample_rate: int = 16000,
                 clip_seconds: float = 10.0,
                 short_audio: str = 'error') -> None:
        self.short_audio = check_audio_policy(short_audio)
        self.sample_rate = sample_rate
        self.clip_seconds = clip_seconds
        self.clip_samples = int(round(sample_rate * clip_seconds))

    def transform(self, results: dict) -> dict:
        """Read, fit and clip the window of ``results['audio_path']``."""
        if not _wants_audio(results):
            return results
        wave = read_wav_window(results['audio_path'], self.sample_rate,
                               results.get('audio_start'),
                               results.get('audio_stop'), self.short_audio)
        wave = fit_to_length(wave, self.clip_samples)
        results['audio_wave'] = np.clip(wave, -1.0, 1.0)
        results['audio_sample_rate'] = self.sample_rate
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(sample_rate={self.sample_rate}, '
                f'clip_seconds={self.clip_seconds}, '
                f'short_audio={self.short_audio!r})')


@TRANSFORMS.register_module()
class AudioLogSpectrogram(BaseTransform):
    """The prior recipe's log power spectrogram, z-scored per clip, on torch.

    See :func:`log_spectrogram`. With the defaults and a 10 s, 16 kHz window
    the output is ``[1, 1, 257, 1004]`` (``[num_clips, 1, F, T]``), the input of
    the VGGSound ResNet-18 (:class:`AudioResNet18`).

    Required Keys:

        - audio_wave
        - audio_sample_rate

    Added Keys:

        - audios (``[1, 1, F, T]`` float32)

    Args:
        nperseg (int): Samples per FFT segment. Defaults to 512.
        noverlap (int): Overlap between segments. Defaults to 353 (hop 159).
        eps (float): Added to the power before the log. Defaults to 1e-7.
        normalize (bool): Z-score each clip. Defaults to True.
    """

    def __init__(self, nperseg: int = 512, noverlap: int = 353,
                 eps: float = 1e-7, normalize: bool = True) -> None:
        if not 0 <= noverlap < nperseg:
            raise ValueError(f'noverlap must be in [0, nperseg={nperseg}), '
                             f'got {noverlap}')
        self.nperseg = nperseg
        self.noverlap = noverlap
        self.eps = eps
        self.normalize = normalize

    def transform(self, results: dict) -> dict:
        """Compute ``results['audios']`` from ``results['audio_wave']``."""
        if not _wants_audio(results):
            return results
        wave = torch.from_numpy(np.asarray(results['audio_wave'],
                                           dtype=np.float32))
        spec = log_spectrogram(wave[None], results['audio_sample_rate'],
                               self.nperseg, self.noverlap, self.eps,
                               self.normalize)
        results['audios'] = spec[:, None].numpy()  # [1, F, T] -> [1, 1, F, T]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(nperseg={self.nperseg}, '
                f'noverlap={self.noverlap}, eps={self.eps}, '
                f'normalize={self.normalize})')


@TRANSFORMS.register_module()
class AudioLogMelSpectrogram(BaseTransform):
    """A torchaudio log-mel spectrogram, z-scored per clip.

    An alternative input for audio encoders trained on mel features (not the
    input the VGGSound ResNet-18 checkpoint was trained on).

    Required Keys:

        - audio_wave
        - audio_sample_rate

    Added Keys:

        - audios (``[1, 1, n_mels, T]`` float32)

    Args:
        n_fft (int): FFT size. Defaults to 512.
        hop_length (int): Hop in samples. Defaults to 160 (10 ms at 16 kHz).
        n_mels (int): Mel bands. Defaults to 128.
        f_min (float): Lowest band edge in Hz. Defaults to 0.
        f_max (float, optional): Highest band edge in Hz. Defaults to Nyquist.
        eps (float): Added before the log. Defaults to 1e-7.
        normalize (bool): Z-score each clip. Defaults to True.
    """

    def __init__(self, n_fft: int = 512, hop_length: int = 160,
                 n_mels: int = 128, f_min: float = 0.0,
                 f_max: Optional[float] = None, eps: float = 1e-7,
                 normalize: bool = True) -> None:
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.n_mels = n_mels
        self.f_min = f_min
        self.f_max = f_max
        self.eps = eps
        self.normalize = normalize
        self._mel = {}  # one torchaudio module per sample rate

    def _get_mel(self, sample_rate: int):
        if sample_rate not in self._mel:
            from torchaudio.transforms import MelSpectrogram
            self._mel[sample_rate] = MelSpectrogram(
                sample_rate=sample_rate, n_fft=self.n_fft,
                hop_length=self.hop_length, n_mels=self.n_mels,
                f_min=self.f_min, f_max=self.f_max, power=2.0)
        return self._mel[sample_rate]

    def transform(self, results: dict) -> dict:
        """Compute ``results['audios']`` from ``results['audio_wave']``."""
        if not _wants_audio(results):
            return results
        wave = torch.from_numpy(np.asarray(results['audio_wave'],
                                           dtype=np.float32))
        with torch.no_grad():
            mel = self._get_mel(results['audio_sample_rate'])(wave)
        spec = torch.log(mel + self.eps)
        if self.normalize:
            spec = _zscore(spec)
        results['audios'] = spec[None, None].numpy()  # [F, T] -> [1, 1, F, T]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(n_fft={self.n_fft}, '
                f'hop_length={self.hop_length}, n_mels={self.n_mels})')


@TRANSFORMS.register_module()
class AudioSpectrogramAugment(BaseTransform):
    """Train-time spectrogram augmentation of the prior code.

    Adds uniform noise in ``[-noise_amplitude, noise_amplitude)`` to every bin,
    then zeroes ``mask_rows`` consecutive frequency rows starting at a row drawn
    uniformly from ``[0, F - mask_rows - 1)`` (``randint(0, 247)`` for 257 rows
    and 9 masked rows, as in SimMMDG).

    Required Keys:

        - audios (``[..., F, T]``)

    Modified Keys:

        - audios

    Args:
        noise_amplitude (float): Half-width of the uniform noise. Defaults to
            0.05; 0 disables it.
        mask_rows (int): Consecutive frequency rows set to 0. Defaults to 9;
            0 disables masking.
        seed (int, optional): Seed of a generator owned by this transform.
            In a dataloader worker the generator is seeded with ``seed`` and
            the worker's own torch seed (different per worker and per epoch,
            reproducible under the run's ``randomness`` seed), so workers do
            not repeat each other's draws; in the main process with ``seed``
            alone. Defaults to None: draw from numpy's global generator, which
            mmengine seeds per dataloader worker.
    """

    def __init__(self, noise_amplitude: float = 0.05, mask_rows: int = 9,
                 seed: Optional[int] = None) -> None:
        self.noise_amplitude = noise_amplitude
        self.mask_rows = mask_rows
        self.seed = seed
        self._rng = None
        self._rng_owner = None  # (pid, worker seed) the generator was made for

    def transform(self, results: dict) -> dict:
        """Augment ``results['audios']`` in a copy."""
        if not _wants_audio(results):
            return results
        rng = self._generator() if self.seed is not None else np.random
        spec = np.array(results['audios'], dtype=np.float32, copy=True)
        if self.noise_amplitude > 0:
            spec += rng.uniform(-self.noise_amplitude, self.noise_amplitude,
                                size=spec.shape).astype(np.float32)
        if self.mask_rows > 0:
            num_rows = spec.shape[-2]
            if num_rows - self.mask_rows - 1 <= 0:
                raise ValueError(
                    f'cannot mask {self.mask_rows} of {num_rows} frequency '
                    'rows')
            row = rng.randint(0, num_rows - self.mask_rows - 1)
            spec[..., row:row + self.mask_rows, :] = 0
        results['audios'] = spec
        return results

    def _generator(self) -> np.random.RandomState:
        """This process's generator; made on first use in each worker.

        The transform is copied into every dataloader worker; a generator made
        in ``__init__`` would give every worker the same stream.
        """
        info = torch.utils.data.get_worker_info()
        owner = (os.getpid(), None if info is None else info.seed)
        if self._rng is None or self._rng_owner != owner:
            if info is None:
                self._rng = np.random.RandomState(self.seed)
            else:
                entropy = np.random.SeedSequence([self.seed, info.seed % 2**63])
                self._rng = np.random.RandomState(entropy.generate_state(1)[0])
            self._rng_owner = owner
        return self._rng

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(noise_amplitude='
                f'{self.noise_amplitude}, mask_rows={self.mask_rows}, '
                f'seed={self.seed})')
