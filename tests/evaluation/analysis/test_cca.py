import pytest
import torch

from mmaction_merdg.evaluation.analysis import (canonical_correlations,
                                                heldout_canonical_correlations)


def _gen(seed):
    return torch.Generator().manual_seed(seed)


def test_cca_of_identical_and_linearly_mixed_features_is_one():
    x = torch.randn(200, 6, generator=_gen(0), dtype=torch.float64)
    mix = torch.randn(6, 6, generator=_gen(1), dtype=torch.float64)
    corrs = canonical_correlations(x, x @ mix, reg=0.0)
    assert torch.allclose(corrs, torch.ones(6, dtype=torch.float64), atol=1e-8)


def test_cca_of_independent_features_near_zero():
    g = _gen(2)
    x = torch.randn(4000, 5, generator=g, dtype=torch.float64)
    y = torch.randn(4000, 4, generator=g, dtype=torch.float64)
    corrs = canonical_correlations(x, y, reg=0.0)
    assert corrs.shape == (4,)
    assert corrs.max() < 0.08  # ~ sqrt(Dx*Dy/N) scale
    assert (corrs[:-1] >= corrs[1:]).all()


def test_cca_recovers_known_shared_latent():
    # x_0 = z + noise, y_0 = z + noise with unit variances: corr = 1/2.
    g = _gen(3)
    n = 20000
    z = torch.randn(n, generator=g, dtype=torch.float64)
    x = torch.randn(n, 3, generator=g, dtype=torch.float64)
    y = torch.randn(n, 3, generator=g, dtype=torch.float64)
    x[:, 0] += z
    y[:, 0] += z
    corrs = canonical_correlations(x, y, reg=0.0)
    assert corrs[0] == pytest.approx(0.5, abs=0.02)
    assert corrs[1] < 0.05
    held = heldout_canonical_correlations(x, y, reg=0.0, num_components=1)
    assert held[0] == pytest.approx(0.5, abs=0.03)


def test_n_close_to_d_insample_overfits_heldout_does_not():
    g = _gen(4)
    x = torch.randn(120, 50, generator=g, dtype=torch.float64)
    y = torch.randn(120, 50, generator=g, dtype=torch.float64)
    assert canonical_correlations(x, y, reg=0.0)[0] > 0.9  # spurious
    # Shrinkage lowers the spurious in-sample value...
    assert canonical_correlations(x, y, reg=0.5)[0] < canonical_correlations(x, y, reg=0.0)[0]
    # ...and held-out correlations of independent features stay near zero.
    held = heldout_canonical_correlations(x, y, reg=0.1, num_components=5, seed=0)
    assert held.abs().max() < 0.4
    assert held.mean().abs() < 0.15


def test_cca_bad_reg():
    with pytest.raises(ValueError, match='reg'):
        canonical_correlations(torch.zeros(5, 2), torch.zeros(5, 2), reg=1.0)


def test_unregularised_cca_matches_scikit_learn():
    """reg=0 is classical CCA: scikit-learn's CCA (NIPALS) gives the same correlations.

    scikit-learn has no covariance shrinkage, so the default reg=0.1 (the
    regularised problem the probes report) stays closed-form here.
    """
    import warnings

    import numpy as np
    from sklearn.cross_decomposition import CCA
    rng = np.random.default_rng(0)
    n = 200
    z = rng.normal(size=(n, 2))
    x = np.c_[z, rng.normal(size=(n, 4))] @ rng.normal(size=(6, 6))
    y = np.c_[z + 0.5 * rng.normal(size=(n, 2)), rng.normal(size=(n, 3))] @ rng.normal(size=(5, 5))
    ours = canonical_correlations(x, y, reg=0.0, num_components=3).numpy()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # convergence chatter of NIPALS
        u, v = CCA(n_components=3, scale=False, max_iter=10000, tol=1e-14).fit(x, y).transform(x, y)
    theirs = [np.corrcoef(u[:, i], v[:, i])[0, 1] for i in range(3)]
    np.testing.assert_allclose(ours, theirs, atol=1e-9)
