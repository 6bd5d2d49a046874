"""Input handling shared by the analysis functions (not a public API)."""
from typing import Union

import numpy as np
import torch

ArrayLike = Union[torch.Tensor, np.ndarray]


def as_features(x: ArrayLike, name: str = 'x', min_rows: int = 2) -> torch.Tensor:
    """Return ``x`` as a finite float64 CPU tensor of shape [N, D].

    Analysis statistics are computed in float64: they are run once per probe on
    a few thousand rows at most, and log-determinants and small canonical
    correlations lose digits in float32.

    Args:
        x (Tensor | ndarray): Features of shape [N, D].
        name (str): Name used in error messages. Defaults to ``'x'``.
        min_rows (int): Smallest accepted N. Defaults to 2.

    Returns:
        Tensor: [N, D] float64 tensor, detached, on the CPU.
    """
    t = torch.as_tensor(x).detach().to('cpu', torch.float64)
    if t.dim() != 2:
        raise ValueError(f'{name} must be 2-D [N, D], got shape {tuple(t.shape)}')
    if t.shape[0] < min_rows:
        raise ValueError(f'{name} needs at least {min_rows} rows, got {t.shape[0]}')
    if not torch.isfinite(t).all():
        raise ValueError(f'{name} contains non-finite values')
    return t


def check_paired(x: torch.Tensor, y: torch.Tensor) -> None:
    """Raise unless ``x`` and ``y`` describe the same N samples."""
    if x.shape[0] != y.shape[0]:
        raise ValueError('x and y must have the same number of rows (samples), '
                         f'got {x.shape[0]} and {y.shape[0]}')
