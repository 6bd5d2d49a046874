"""Linear centered kernel alignment (CKA) between two representations.

Kornblith, Norouzi, Lee and Hinton, "Similarity of Neural Network
Representations Revisited", ICML 2019 (reference code:
``google-research/google-research/representation_similarity``). The debiased
variant uses the unbiased HSIC estimator of Song et al., "Feature Selection via
Dependence Maximization", JMLR 2012, which removes the upward bias that plain CKA
has when the number of samples is not much larger than the feature width.

Linear CKA is 1 for identical representations and is invariant to orthogonal
transforms and isotropic scaling of either input (not to arbitrary invertible
linear maps; that is what CCA measures, see :mod:`.cca`).
"""
import torch

from ._utils import ArrayLike, as_features, check_paired


def _centered(x: torch.Tensor) -> torch.Tensor:
    return x - x.mean(dim=0, keepdim=True)


def _unbiased_hsic(k: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
    """Unbiased HSIC (Song et al. 2012, eq. 5) of two [N, N] Gram matrices."""
    n = k.shape[0]
    k = k.clone()
    m = m.clone()
    k.fill_diagonal_(0)
    m.fill_diagonal_(0)
    ones = torch.ones(n, dtype=k.dtype)
    km_trace = (k * m).sum()  # tr(K M) for symmetric K, M
    sum_k, sum_m = k.sum(), m.sum()
    cross = ones @ k @ (m @ ones)
    return (km_trace + sum_k * sum_m / ((n - 1) * (n - 2)) -
            2.0 / (n - 2) * cross) / (n * (n - 3))


def linear_cka(x: ArrayLike, y: ArrayLike, debiased: bool = False) -> float:
    """Linear CKA between two representations of the same samples.

    Args:
        x (Tensor | ndarray): Features of shape [N, D1].
        y (Tensor | ndarray): Features of shape [N, D2] (same N samples, same order).
        debiased (bool): Use the unbiased HSIC estimator, which makes CKA of
            independent features close to 0 even when N is near D (needs
            N >= 4). Defaults to False (the estimator of Kornblith et al.).

    Returns:
        float: CKA in [0, 1] (the debiased estimate can be slightly negative).
            0.0 when either input has zero variance.
    """
    x = as_features(x, 'x', min_rows=4 if debiased else 2)
    y = as_features(y, 'y', min_rows=4 if debiased else 2)
    check_paired(x, y)
    x, y = _centered(x), _centered(y)
    if debiased:
        gx, gy = x @ x.T, y @ y.T  # [N, N] Gram matrices
        xy, xx, yy = _unbiased_hsic(gx, gy), _unbiased_hsic(gx, gx), _unbiased_hsic(gy, gy)
    else:
        # ||Y^T X||_F^2 / (||X^T X||_F ||Y^T Y||_F); feature-space form, O(N D^2).
        xy = (y.T @ x).pow(2).sum()
        xx = (x.T @ x).pow(2).sum().sqrt()
        yy = (y.T @ y).pow(2).sum().sqrt()
        denom = xx * yy
        return float(xy / denom) if denom > 0 else 0.0
    denom = (xx * yy).clamp_min(0).sqrt()
    return float(xy / denom) if denom > 0 else 0.0
