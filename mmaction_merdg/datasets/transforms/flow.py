"""Horizontal flip of optical-flow frames.

Mirroring a frame left-right reverses the horizontal motion, so the x (u)
channel must change sign while the y (v) channel keeps it. MMAction2 1.2's
``Flip`` only negates flow when ``modality == 'Flow'`` and then indexes the
``imgs`` list as if x and y frames alternated, which is wrong for its own
``(H, W, 2)`` flow frames; this module does it per frame.

Flow stored as uint8 (TV-L1 flow clipped to ``[-bound, bound]`` and mapped to
``[0, 255]``, MMAction2's and EPIC-Kitchens' coding) is negated as
``x -> 255 - x``: the code is mirrored about 127.5, which is exact negation of
the linear coding; the data preprocessor subtracts 128, so zero motion (128)
becomes 127, an error of 1/128 in normalised units. Float flow (already
zero-centred) is negated as ``x -> -x``.
"""
from typing import List, Sequence

import numpy as np


def flip_flow_frame(frame: np.ndarray) -> np.ndarray:
    """Mirror one ``(H, W, 2)`` flow frame left-right and negate its x channel.

    Args:
        frame (np.ndarray): Channel 0 is x (u), channel 1 is y (v).

    Returns:
        np.ndarray: A new ``(H, W, 2)`` array of the same dtype.
    """
    if frame.ndim != 3 or frame.shape[-1] != 2:
        raise ValueError('a flow frame must be (H, W, 2) with x then y, got '
                         f'{frame.shape}')
    out = np.ascontiguousarray(frame[:, ::-1])
    if out.dtype == np.uint8:
        out[..., 0] = 255 - out[..., 0]
    elif np.issubdtype(out.dtype, np.floating):
        out[..., 0] = -out[..., 0]
    else:
        raise TypeError(f'flow frames must be uint8 or float, got {out.dtype}')
    return out


def flip_flow_frames(frames: Sequence[np.ndarray]) -> List[np.ndarray]:
    """:func:`flip_flow_frame` on every frame of a clip."""
    return [flip_flow_frame(f) for f in frames]
