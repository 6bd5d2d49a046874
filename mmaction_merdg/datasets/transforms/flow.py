"""Horizontal flip of optical-flow frames.

Mirroring a frame left-right reverses the horizontal motion, so the x (u)
channel must change sign while the y (v) channel keeps it. MMAction2 1.2's
``Flip`` only negates flow when ``modality == 'Flow'`` and then indexes the
``imgs`` list as if x and y frames alternated, which is wrong for its own
``(H, W, 2)`` flow frames; this module negates the x channel.

Flow stored as uint8 (TV-L1 flow clipped to ``[-bound, bound]`` and mapped to
``[0, 255]``, MMAction2's and EPIC-Kitchens' coding) is negated as
``x -> 255 - x``: the code is mirrored about 127.5, which is exact negation of
the linear coding; the data preprocessor subtracts 128, so zero motion (128)
becomes 127, an error of 1/128 in normalised units. Float flow (already
zero-centred) is negated as ``x -> -x``.
"""
import numpy as np


def negate_flow_x(flow: np.ndarray) -> None:
    """Negate the x channel of flow frames in place, in their coding.

    Args:
        flow (np.ndarray): ``[..., 2]`` flow, channel 0 x (u), uint8 or float:
            one ``(H, W, 2)`` frame or a ``[T, H, W, 2]`` clip.
    """
    if flow.ndim < 3 or flow.shape[-1] != 2:
        raise ValueError('flow frames must be (H, W, 2) with x then y, got '
                         f'{flow.shape[-3:]}')
    x = flow[..., 0]
    if flow.dtype == np.uint8:
        np.subtract(255, x, out=x)
    elif np.issubdtype(flow.dtype, np.floating):
        np.negative(x, out=x)
    else:
        raise TypeError(f'flow frames must be uint8 or float, got {flow.dtype}')


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
    negate_flow_x(out)
    return out
