import numpy as np
import pytest
import torch

from mmaction_merdg.evaluation.analysis import linear_cka


def _random_orthogonal(d, seed):
    q, _ = torch.linalg.qr(torch.randn(d, d, generator=torch.Generator().manual_seed(seed),
                                       dtype=torch.float64))
    return q


@pytest.fixture
def x():
    return torch.randn(64, 16, generator=torch.Generator().manual_seed(0), dtype=torch.float64)


@pytest.mark.parametrize('debiased', [False, True])
def test_cka_with_itself_is_one(x, debiased):
    assert linear_cka(x, x, debiased=debiased) == pytest.approx(1.0, abs=1e-10)


@pytest.mark.parametrize('debiased', [False, True])
def test_cka_invariant_to_rotation_and_isotropic_scaling(x, debiased):
    y = torch.randn(64, 8, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    y = y + x[:, :8]  # share some signal so the value is not trivially 0
    ref = linear_cka(x, y, debiased=debiased)
    assert 0.2 < ref < 0.95
    x_rot = 3.7 * x @ _random_orthogonal(16, 2)
    y_rot = 0.01 * y @ _random_orthogonal(8, 3)
    assert linear_cka(x_rot, y_rot, debiased=debiased) == pytest.approx(ref, abs=1e-10)
    # ...and invariant to a common translation of all samples (centering).
    assert linear_cka(x + 5.0, y, debiased=debiased) == pytest.approx(ref, abs=1e-10)


def test_cka_not_invariant_to_anisotropic_scaling(x):
    y = x[:, :8] + 0.5 * torch.randn(64, 8, generator=torch.Generator().manual_seed(4),
                                     dtype=torch.float64)
    scale = torch.ones(16, dtype=torch.float64)
    scale[0] = 20.0
    assert abs(linear_cka(x * scale, y) - linear_cka(x, y)) > 0.05


def test_cka_matches_gram_form_and_accepts_numpy(x):
    y = torch.tanh(x[:, :5] @ torch.randn(5, 7, generator=torch.Generator().manual_seed(5),
                                          dtype=torch.float64))
    xc, yc = x - x.mean(0), y - y.mean(0)
    gx, gy = xc @ xc.T, yc @ yc.T
    ref = (gx * gy).sum() / (gx.norm() * gy.norm())  # HSIC with centered linear kernels
    assert linear_cka(x.numpy(), y.numpy()) == pytest.approx(float(ref), rel=1e-10)


def test_debiased_cka_of_independent_features_near_zero():
    g = torch.Generator().manual_seed(6)
    a = torch.randn(80, 60, generator=g, dtype=torch.float64)
    b = torch.randn(80, 60, generator=g, dtype=torch.float64)
    assert linear_cka(a, b) > 0.3  # the plain estimator is biased up when N ~ D
    assert abs(linear_cka(a, b, debiased=True)) < 0.05


def test_cka_errors():
    with pytest.raises(ValueError, match='same number of rows'):
        linear_cka(np.zeros((5, 3)), np.zeros((6, 3)))
    with pytest.raises(ValueError, match='2-D'):
        linear_cka(np.zeros(5), np.zeros(5))
    with pytest.raises(ValueError, match='non-finite'):
        linear_cka(np.full((5, 2), np.nan), np.zeros((5, 2)))
    assert linear_cka(np.ones((5, 3)), np.random.rand(5, 3)) == 0.0
