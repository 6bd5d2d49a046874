"""Effective rank (RankMe) and the entropy terms of a representation.

* :func:`rankme`: Garrido, Balestriero, Najman and LeCun, "RankMe: Assessing the
  Downstream Performance of Pretrained Self-Supervised Representations by Their
  Rank", ICML 2023. The exponential of the Shannon entropy of the normalised
  singular values; equals k for a matrix with k equal non-zero singular values
  and is at most ``min(N, D)``. It measures dimensional collapse.
* :func:`logdet_entropy` and :func:`marginal_hinge`: the two quantities that the
  MER-DG estimator (``ModalityEntropyLoss`` with ``estimator='logdet'``)
  regularises, computed by the loss's own functions, so that a Fusion model, which does not
  optimise them, can be measured on the same scale:
  ``logdet_entropy = -spec`` and ``marginal_hinge = marg`` of that loss.
  ``logdet_entropy`` is, up to constants, the differential entropy of a Gaussian
  with the features' correlation matrix: 0 for decorrelated features, very
  negative for collapsed ones.
"""
import torch

from mmaction_merdg.models.losses.modality_entropy_loss import (logdet_term,
                                                                marginal_term)
from ._utils import ArrayLike, as_features


def singular_values(z: ArrayLike) -> torch.Tensor:
    """Singular values of ``z`` of shape [N, D] (not centered), descending."""
    return torch.linalg.svdvals(as_features(z, 'z', min_rows=1))


def rankme(z: ArrayLike, eps: float = 1e-7, center: bool = False) -> float:
    """RankMe effective rank of a representation.

    ``exp(-sum_k p_k log p_k)`` with ``p_k = sigma_k / ||sigma||_1 + eps``.

    Args:
        z (Tensor | ndarray): Features of shape [N, D].
        eps (float): Smoothing of ``p`` as in the paper. Defaults to 1e-7.
        center (bool): Subtract the feature mean first. The paper uses raw
            embeddings (False); centering removes a constant offset that would
            otherwise count as one dimension. Defaults to False.

    Returns:
        float: Effective rank in [1, min(N, D)] (0.0 for an all-zero input).
    """
    z = as_features(z, 'z', min_rows=1)
    if center:
        z = z - z.mean(0, keepdim=True)
    s = torch.linalg.svdvals(z)
    total = s.sum()
    if total <= 0:
        return 0.0
    p = s / total + eps
    return float(torch.exp(-(p * p.log()).sum()))


def logdet_entropy(z: ArrayLike, eps: float = 1e-4) -> float:
    """Per-dimension log-determinant of the standardised feature covariance.

    ``x = (z - mean) / (std + eps)`` (population std), ``C = x^T x / (N - 1) + eps I``,
    result ``logdet(C) / D``. This is ``-spec`` of ``ModalityEntropyLoss``.

    Args:
        z (Tensor | ndarray): Features of shape [N, D], N >= 2.
        eps (float): Numerical floor, as in the loss. Defaults to 1e-4.

    Returns:
        float: At most about 0 (decorrelated features); lower means more
        correlated, i.e. lower-entropy, features.
    """
    return float(-logdet_term(as_features(z, 'z'), eps))


def marginal_hinge(z: ArrayLike, eps: float = 1e-4) -> float:
    """Mean hinge on the per-dimension standard deviation.

    ``mean_d relu(1 - sqrt(var_d(z) + eps))`` with the unbiased variance: the
    ``marg`` term of ``ModalityEntropyLoss`` (VICReg's variance term, Bardes et
    al. ICLR 2022). 0 when every dimension has std >= 1, 1 for constant features.

    Args:
        z (Tensor | ndarray): Features of shape [N, D], N >= 2.
        eps (float): Numerical floor, as in the loss. Defaults to 1e-4.

    Returns:
        float: Value in [0, 1].
    """
    return float(marginal_term(as_features(z, 'z'), eps))
