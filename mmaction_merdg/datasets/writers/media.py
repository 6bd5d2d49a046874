"""Small media writers and the audio extraction of the data-preparation tools.

Used by the synthetic-to-disk writers (tests, CI) and by
``tools/data/{epic_kitchens,hac}/extract_audio.py``.
"""
import os
import os.path as osp
from typing import Sequence

import cv2
import numpy as np
import soundfile as sf


def write_jpeg(path: str, image: np.ndarray, quality: int = 95) -> None:
    """Write an ``(H, W, 3)`` RGB or ``(H, W)`` grey uint8 image as JPEG."""
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    if image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    if not cv2.imwrite(path, image, [cv2.IMWRITE_JPEG_QUALITY, quality]):
        raise OSError(f'cannot write {path!r}')


def write_video(path: str, frames: Sequence[np.ndarray], fps: float = 24.0,
                codec: str = 'mpeg4') -> None:
    """Write ``(H, W, 3)`` RGB uint8 frames (even H and W) to a video file."""
    import av
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    height, width = frames[0].shape[:2]
    with av.open(path, 'w') as container:
        stream = container.add_stream(codec, rate=int(round(fps)))
        stream.width, stream.height = width, height
        stream.pix_fmt = 'yuv420p'
        # Near-lossless: tests compare decoded frames with what was written.
        stream.options = {'qscale': '1'} if codec == 'mpeg4' else {}
        for frame in frames:
            packet = stream.encode(
                av.VideoFrame.from_ndarray(np.ascontiguousarray(frame),
                                           format='rgb24'))
            container.mux(packet)
        container.mux(stream.encode())


def write_wav(path: str, wave: np.ndarray, sample_rate: int = 16000) -> None:
    """Write mono float audio in ``[-1, 1]`` as 16-bit PCM, as EPIC's wavs."""
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    sf.write(path, np.clip(wave, -1, 1), sample_rate, subtype='PCM_16')


def extract_wav(video_path: str, wav_path: str,
                sample_rate: int = 16000) -> int:
    """Decode a file's first audio stream to a 16-bit mono wav with PyAV.

    Equivalent to ``ffmpeg -i VIDEO -acodec pcm_s16le -ac 1 -ar 16000 WAV``,
    the command of SimMMDG's ``generate_sound_files.py``.

    Returns:
        int: The number of samples written.

    Raises:
        ValueError: The file has no audio stream.
    """
    import av
    chunks = []
    with av.open(video_path) as container:
        if not container.streams.audio:
            raise ValueError(f'{video_path!r} has no audio stream')
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format='s16', layout='mono',
                                      rate=sample_rate)
        for frame in container.decode(stream):
            chunks.extend(r.to_ndarray().reshape(-1)
                          for r in resampler.resample(frame))
        chunks.extend(r.to_ndarray().reshape(-1)
                      for r in resampler.resample(None))
    samples = np.concatenate(chunks) if chunks else np.zeros(0, np.int16)
    os.makedirs(osp.dirname(wav_path) or '.', exist_ok=True)
    sf.write(wav_path, samples.astype(np.int16), sample_rate,
             subtype='PCM_16')
    return int(samples.size)


def tone_mixture(envelope: np.ndarray, num_samples: int, sample_rate: int,
                 rng: np.random.Generator) -> np.ndarray:
    """A stationary waveform whose spectrum follows ``envelope``.

    Row ``r`` of an ``F``-row envelope becomes a sinusoid at
    ``(r + 0.5) / F`` of the Nyquist frequency with amplitude
    ``envelope[r]`` (clipped at 0) and a random phase; the sum is scaled to a
    peak of 0.5.
    """
    t = np.arange(num_samples) / sample_rate
    freqs = (np.arange(envelope.size) + 0.5) / envelope.size * sample_rate / 2
    amps = np.clip(envelope, 0, None)
    phases = rng.uniform(0, 2 * np.pi, envelope.size)
    wave = (amps[:, None] *
            np.sin(2 * np.pi * freqs[:, None] * t[None] + phases[:, None])
            ).sum(0)
    return (0.5 * wave / (np.abs(wave).max() + 1e-8)).astype(np.float32)


def to_uint8(x: np.ndarray, scale: float = 48.0) -> np.ndarray:
    """Map zero-centred float data to uint8 around 128 (flow's coding)."""
    return np.clip(np.round(128 + scale * x), 0, 255).astype(np.uint8)

