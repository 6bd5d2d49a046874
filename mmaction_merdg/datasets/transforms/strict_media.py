"""Strict checks of media files: a partly readable file is an unreadable one.

Decoders are lenient: OpenCV decodes a JPEG cut to half its bytes (the bottom
rows come out grey, libjpeg prints a warning without the file name), and
libsndfile reads a wav that ends inside the requested window short, which the
audio loader would then tile silently. These small functions turn both into a
:class:`MediaReadError` naming the file. The decode paths
(:mod:`.loading`, :mod:`.audio`) and the tree checker
(:mod:`mmaction_merdg.datasets.media_check`) call them.
"""
import os
import stat
from typing import Optional, Tuple

from .errors import MediaReadError

_JPEG_SOI = b'\xff\xd8'
_JPEG_EOI = b'\xff\xd9'
_PNG_MAGIC = b'\x89PNG\r\n\x1a\n'
_PNG_IEND = b'IEND\xaeB`\x82'
# Trailing bytes some writers leave after the end marker.
_PADDING = b'\x00\r\n '
_TAIL_BYTES = 64

#: How far (seconds) a wav may end before the requested window ends and still
#: count as covering it: rounding of the 2-decimal EPIC timestamps and the
#: few milliseconds by which an extracted audio track can be shorter than its
#: video.
AUDIO_END_TOLERANCE_S = 0.05

#: What :func:`audio_window_frames` does with a window the wav does not cover.
SHORT_AUDIO_POLICIES = ('error', 'pad', 'tile')


def non_regular_kind(path: str) -> Optional[str]:
    """What ``path`` is when it exists but is not a regular file, else None.

    A FIFO in place of a frame blocks ``open`` forever (measured: training
    hung, ``check_tree`` reported the tree complete); a folder or a device
    is no frame either. One ``stat``, no open.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return None
    for test, kind in ((stat.S_ISFIFO, 'a FIFO (named pipe)'),
                       (stat.S_ISDIR, 'a folder'), (stat.S_ISSOCK, 'a socket'),
                       (stat.S_ISCHR, 'a character device'),
                       (stat.S_ISBLK, 'a block device')):
        if test(mode):
            return kind
    return 'not a regular file'


def check_regular_file(path: str, what: str = 'media file') -> None:
    """Refuse a path that exists but is not a regular file, before opening it.

    Raises:
        MediaReadError: Naming the file and what it is.
    """
    kind = non_regular_kind(path)
    if kind is not None:
        raise MediaReadError(
            f"{what} '{path}' is {kind}, not a regular file: opening it could "
            'block forever; replace it with the real file.')


def check_image_complete(path: str) -> None:
    """Refuse a truncated JPEG or PNG frame.

    A JPEG must end with its end-of-image marker (``FFD9``), a PNG with its
    ``IEND`` chunk (trailing zero/blank padding is allowed). Other formats
    pass (the decoder's own error applies). Reads only the first and last
    bytes of the file.

    Raises:
        MediaReadError: The file is truncated (or empty), naming it.
    """
    size = os.path.getsize(path)
    with open(path, 'rb') as f:
        head = f.read(8)
        f.seek(max(size - _TAIL_BYTES, 0))
        tail = f.read()
    check_image_ends(path, head, tail, size)


def check_image_bytes(path: str, data: bytes) -> None:
    """:func:`check_image_complete` on a file's bytes already in memory.

    The decoder reads each frame file once and decodes from memory
    (:mod:`.loading`), so the check costs no second open of the file.

    Raises:
        MediaReadError: The bytes are a truncated (or empty) image, naming
            ``path``.
    """
    check_image_ends(path, data[:8], data[-_TAIL_BYTES:], len(data))


def check_image_ends(path: str, head: bytes, tail: bytes, size: int) -> None:
    """The rule shared by the two checks above: ``head`` is the file's first
    bytes, ``tail`` (up to) its last :data:`_TAIL_BYTES`, ``size`` its length.
    """
    tail = tail.rstrip(_PADDING)
    if size == 0:
        raise MediaReadError(f"frame file '{path}' is empty (0 bytes)")
    if head.startswith(_JPEG_SOI) and not tail.endswith(_JPEG_EOI):
        raise MediaReadError(
            f"frame file '{path}' is a truncated JPEG ({size} bytes, no "
            'end-of-image marker FFD9): the decoder would fill the missing '
            'rows with grey')
    if head.startswith(_PNG_MAGIC) and not tail.endswith(_PNG_IEND):
        raise MediaReadError(
            f"frame file '{path}' is a truncated PNG ({size} bytes, no IEND "
            'chunk)')


def check_audio_policy(short_audio: str) -> str:
    """Validate a ``short_audio`` policy name."""
    if short_audio not in SHORT_AUDIO_POLICIES:
        raise ValueError(f'short_audio must be one of {SHORT_AUDIO_POLICIES}, '
                         f'got {short_audio!r}')
    return short_audio


def audio_window_frames(path: str,
                        num_frames: int,
                        sample_rate: int,
                        start: Optional[float],
                        stop: Optional[float],
                        short_audio: str = 'error',
                        tolerance: float = AUDIO_END_TOLERANCE_S
                        ) -> Tuple[int, int, int]:
    """The samples ``[first, last)`` to read, and how many to pad after them.

    Args:
        path (str): The wav (for messages).
        num_frames (int): Samples per channel in the file.
        sample_rate (int): The file's rate.
        start (float, optional): Window start in seconds (None: 0).
        stop (float, optional): Window end in seconds (None: file end).
        short_audio (str): For a window that ends more than ``tolerance``
            after the file: ``'error'`` (default) raises, ``'pad'`` appends
            silence up to the window end, ``'tile'`` returns what there is
            (the loader then tiles it, the prior code's behaviour).
        tolerance (float): Seconds. Defaults to
            :data:`AUDIO_END_TOLERANCE_S`.

    Returns:
        tuple[int, int, int]: ``first``, ``last`` (within the file) and the
        number of zero samples to append.

    Raises:
        MediaReadError: The window holds no sample of the file, or (policy
            ``'error'``) the file ends inside the window.
    """
    want_first = 0 if start is None else int(round(start * sample_rate))
    want_last = num_frames if stop is None else int(round(stop * sample_rate))
    first, last = max(want_first, 0), min(want_last, num_frames)
    duration = f'{num_frames} samples ({num_frames / sample_rate:.3f} s at ' \
               f'{sample_rate} Hz)'
    if last <= first:
        raise MediaReadError(
            f"audio file '{path}' is too short: it holds {duration} but the "
            f'sample needs the window [{start}, {stop}) s')
    missing = want_last - last
    if missing > tolerance * sample_rate:
        if short_audio == 'error':
            raise MediaReadError(
                f"audio file '{path}' does not cover the window [{start}, "
                f'{stop}) s: it ends at {num_frames / sample_rate:.3f} s '
                f'({duration}), {missing / sample_rate:.3f} s early. Set '
                "LoadAudioWindow(short_audio='pad') to pad with silence or "
                "'tile' to repeat the part read.")
        if short_audio == 'pad':
            return first, last, missing
    return first, last, 0
