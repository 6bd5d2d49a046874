import math

import pytest
import torch

from mmaction_merdg.evaluation.analysis import (logdet_entropy, marginal_hinge,
                                                rankme)


def _orthonormal(n, k, seed):
    q, _ = torch.linalg.qr(torch.randn(n, k, generator=torch.Generator().manual_seed(seed),
                                       dtype=torch.float64))
    return q


@pytest.mark.parametrize('k', [1, 3, 10])
def test_rankme_of_rank_k_with_equal_singular_values_is_k(k):
    z = 2.5 * _orthonormal(100, k, 0) @ _orthonormal(32, k, 1).T  # [100, 32], rank k
    assert rankme(z) == pytest.approx(k, rel=1e-4)


def test_rankme_of_random_rank_k_matrix_about_k():
    g = torch.Generator().manual_seed(2)
    k = 8
    z = torch.randn(500, k, generator=g, dtype=torch.float64) @ torch.randn(
        k, 64, generator=g, dtype=torch.float64)
    r = rankme(z)
    assert 0.7 * k < r <= k + 1e-6


def test_rankme_of_full_rank_isotropic_close_to_min_dim():
    z = torch.randn(4000, 16, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    assert rankme(z) == pytest.approx(16, rel=0.02)
    assert rankme(torch.zeros(4, 3)) == 0.0


def test_rankme_center_removes_offset():
    z = _orthonormal(50, 2, 4) @ _orthonormal(10, 2, 5).T + 100.0
    assert rankme(z) < 1.5  # the offset dominates
    assert rankme(z, center=True) == pytest.approx(2.0, rel=0.05)


def test_entropy_terms_known_values():
    g = torch.Generator().manual_seed(6)
    z = torch.randn(20000, 4, generator=g, dtype=torch.float64)
    # Decorrelated features: logdet of ~identity is ~0.
    assert logdet_entropy(z) == pytest.approx(0.0, abs=0.01)
    # Two perfectly correlated dims out of 2: logdet(C) ~ log(eps) level.
    pair = torch.stack([z[:, 0], z[:, 0]], 1)
    assert logdet_entropy(pair) < 0.5 * math.log(1e-3)
    # Marginal hinge: std 1 -> ~0, std 0.5 -> 0.5, constant -> ~1.
    assert marginal_hinge(z) == pytest.approx(0.0, abs=0.02)
    assert marginal_hinge(0.5 * z) == pytest.approx(0.5, abs=0.02)
    assert marginal_hinge(torch.ones(10, 3)) == pytest.approx(1 - math.sqrt(1e-4))


def test_entropy_terms_match_modality_entropy_loss_when_available():
    import mmaction_merdg  # noqa: F401,F811
    from mmaction.registry import MODELS
    if 'ModalityEntropyLoss' not in MODELS.module_dict:
        pytest.skip('ModalityEntropyLoss not registered yet')
    loss = MODELS.build(dict(type='ModalityEntropyLoss', eps=1e-4))
    z = torch.randn(32, 16, generator=torch.Generator().manual_seed(7))
    z[:, 1] = 2 * z[:, 0]
    terms = loss.terms(z)
    assert float(terms['marg']) == pytest.approx(marginal_hinge(z), abs=1e-4)
    assert float(terms['spec']) == pytest.approx(-logdet_entropy(z), rel=1e-3, abs=1e-3)
