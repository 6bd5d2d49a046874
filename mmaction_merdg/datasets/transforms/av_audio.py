"""The audio track of a video container, decoded with PyAV.

``LoadAudioWindow`` reads wav files with libsndfile; a video given to
``inference_recognizer`` (``VideoFileSample``) carries its audio in the
container instead (AAC in an mp4, Opus in a webm, ...), which libsndfile does
not read. PyAV (an MMAction2 video backend, ``PyAVInit``) decodes it.
"""
from typing import Tuple

import numpy as np

from .errors import MediaReadError


def read_av_audio(path: str) -> Tuple[np.ndarray, int]:
    """All samples of the first audio stream of ``path``.

    Args:
        path (str): A video or audio container PyAV opens.

    Returns:
        tuple: ``[num_samples, channels]`` float32 samples (each decoded
        format converted to float: integer PCM scaled to ``[-1, 1]``) and
        the stream's sample rate in Hz.

    Raises:
        MediaReadError: PyAV is missing, the file does not open, or it has
            no audio stream.
    """
    try:
        import av
    except ImportError as err:
        raise MediaReadError(f"reading the audio of '{path}' needs PyAV (pip install av)") \
            from err
    try:
        with av.open(path) as container:
            if not container.streams.audio:
                raise MediaReadError(
                    f"'{path}' has no audio track: give a wav (audio_path) for the audios "
                    'modality, or use a config without audio')
            stream = container.streams.audio[0]
            chunks = [_as_float(frame) for frame in container.decode(stream)]
            rate = int(stream.rate or stream.codec_context.sample_rate)
    except MediaReadError:
        raise
    except Exception as err:  # av.error.FFmpegError and its subclasses
        raise MediaReadError(f"cannot read the audio track of '{path}': {err}") from err
    if not chunks:
        raise MediaReadError(f"the audio track of '{path}' decodes to no samples")
    return np.concatenate(chunks, axis=0), rate


def _as_float(frame) -> np.ndarray:
    """``[samples, channels]`` float32 of one decoded ``av.AudioFrame``."""
    x = frame.to_ndarray()  # planar: [channels, samples]; packed: [1, samples * channels]
    channels = len(frame.layout.channels)
    if frame.format.is_planar:
        x = x.T  # [channels, samples] -> [samples, channels]
    else:
        x = x.reshape(-1, channels)  # interleaved -> [samples, channels]
    if np.issubdtype(x.dtype, np.integer):
        x = x.astype(np.float32) / float(np.iinfo(x.dtype).max)
    return np.ascontiguousarray(x, dtype=np.float32)
