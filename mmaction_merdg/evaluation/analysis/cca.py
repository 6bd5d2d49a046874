"""Canonical correlations between two representations, regularised.

Canonical correlation analysis (Hotelling, "Relations between two sets of
variates", Biometrika 1936) finds paired directions of ``x`` and ``y`` whose
projections are maximally correlated. In-sample CCA overfits badly when the
number of samples N is close to the feature widths: with N = D + 1 any two
independent sets reach correlations of 1. Two remedies are offered here:

* shrinkage of each covariance towards a multiple of the identity (regularised
  CCA, Vinod 1976; ``reg`` below), which keeps the problem well posed;
* held-out evaluation (:func:`heldout_canonical_correlations`): directions are
  fitted on one half of the samples and the correlations are measured on the
  other half, so independent features give values near 0 at any N/D.

The probes of ``tools/analysis/probe_features.py`` report the held-out values.

scikit-learn's ``CCA`` (NIPALS) solves the classical problem only, with no
covariance shrinkage, so the closed form stays here; at ``reg=0`` the two
agree to 1e-11 (``tests/evaluation/analysis/test_cca.py``).
"""
from typing import Dict, Optional, Tuple

import torch

from ._utils import ArrayLike, as_features, check_paired


def _shrunk_cov(x: torch.Tensor, reg: float) -> torch.Tensor:
    """(1 - reg) * Cov(x) + reg * mean_var * I for centered x of shape [N, D]."""
    n, d = x.shape
    cov = x.T @ x / (n - 1)  # [D, D]
    scale = cov.diagonal().mean().clamp_min(1e-12)
    return (1 - reg) * cov + reg * scale * torch.eye(d, dtype=x.dtype)


def _inv_sqrt(c: torch.Tensor) -> torch.Tensor:
    evals, evecs = torch.linalg.eigh(c)
    evals = evals.clamp_min(evals.max() * 1e-12)
    return evecs @ torch.diag(evals.rsqrt()) @ evecs.T


def fit_cca(x: ArrayLike, y: ArrayLike, reg: float = 0.1,
            num_components: Optional[int] = None) -> Dict[str, torch.Tensor]:
    """Fit regularised CCA.

    Args:
        x (Tensor | ndarray): Features of shape [N, Dx].
        y (Tensor | ndarray): Features of shape [N, Dy].
        reg (float): Shrinkage in [0, 1) of each covariance towards
            ``mean variance * I``. 0 is classical CCA. Defaults to 0.1.
        num_components (int, optional): Number of canonical pairs to keep.
            Defaults to ``min(Dx, Dy, N - 1)``.

    Returns:
        dict: ``corrs`` [K] (canonical correlations of the regularised problem,
        descending), ``wx`` [Dx, K], ``wy`` [Dy, K] (projection directions),
        ``mean_x`` [Dx], ``mean_y`` [Dy].
    """
    if not 0 <= reg < 1:
        raise ValueError(f'reg must be in [0, 1), got {reg}')
    x = as_features(x, 'x')
    y = as_features(y, 'y')
    check_paired(x, y)
    mean_x, mean_y = x.mean(0), y.mean(0)
    xc, yc = x - mean_x, y - mean_y
    n = x.shape[0]
    k_max = min(x.shape[1], y.shape[1], n - 1)
    k = k_max if num_components is None else min(num_components, k_max)
    cxx_is = _inv_sqrt(_shrunk_cov(xc, reg))  # [Dx, Dx]
    cyy_is = _inv_sqrt(_shrunk_cov(yc, reg))  # [Dy, Dy]
    cxy = xc.T @ yc / (n - 1)  # [Dx, Dy]
    if reg > 0:
        cxy = (1 - reg) * cxy
    u, s, vh = torch.linalg.svd(cxx_is @ cxy @ cyy_is)
    return dict(
        corrs=s[:k].clamp(0, 1),
        wx=cxx_is @ u[:, :k],
        wy=cyy_is @ vh.T[:, :k],
        mean_x=mean_x,
        mean_y=mean_y)


def canonical_correlations(x: ArrayLike, y: ArrayLike, reg: float = 0.1,
                           num_components: Optional[int] = None) -> torch.Tensor:
    """In-sample canonical correlations of the regularised problem.

    Args:
        x (Tensor | ndarray): Features of shape [N, Dx].
        y (Tensor | ndarray): Features of shape [N, Dy].
        reg (float): Covariance shrinkage, see :func:`fit_cca`. Defaults to 0.1.
        num_components (int, optional): Number of pairs. Defaults to all.

    Returns:
        Tensor: [K] float64 correlations in [0, 1], descending.
    """
    return fit_cca(x, y, reg, num_components)['corrs']


def _pearson_columns(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    a = a - a.mean(0)
    b = b - b.mean(0)
    denom = (a.norm(dim=0) * b.norm(dim=0)).clamp_min(1e-12)
    return (a * b).sum(0) / denom


def split_indices(n: int, train_fraction: float, seed: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """A seeded random split of ``range(n)`` into train and held-out indices."""
    g = torch.Generator().manual_seed(seed)
    perm = torch.randperm(n, generator=g)
    n_train = int(round(n * train_fraction))
    if n_train < 2 or n - n_train < 2:
        raise ValueError(f'cannot split {n} samples with train_fraction={train_fraction}')
    return perm[:n_train], perm[n_train:]


def heldout_canonical_correlations(x: ArrayLike, y: ArrayLike, reg: float = 0.1,
                                   num_components: Optional[int] = 10,
                                   train_fraction: float = 0.5,
                                   seed: int = 0) -> torch.Tensor:
    """Canonical correlations measured on samples not used to fit the directions.

    Args:
        x (Tensor | ndarray): Features of shape [N, Dx].
        y (Tensor | ndarray): Features of shape [N, Dy].
        reg (float): Covariance shrinkage, see :func:`fit_cca`. Defaults to 0.1.
        num_components (int, optional): Number of pairs. Defaults to 10.
        train_fraction (float): Share of samples used for fitting. Defaults to 0.5.
        seed (int): Seed of the random split. Defaults to 0.

    Returns:
        Tensor: [K] Pearson correlations of the held-out projections, in the
        order of the fitted pairs (they need not be sorted; values near 0, even
        slightly negative, mean no shared linear signal).
    """
    x = as_features(x, 'x', min_rows=4)
    y = as_features(y, 'y', min_rows=4)
    check_paired(x, y)
    tr, te = split_indices(x.shape[0], train_fraction, seed)
    fit = fit_cca(x[tr], y[tr], reg, num_components)
    u = (x[te] - fit['mean_x']) @ fit['wx']  # [N_te, K]
    v = (y[te] - fit['mean_y']) @ fit['wy']  # [N_te, K]
    return _pearson_columns(u, v)
