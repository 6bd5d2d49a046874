"""Gradient reversal and the domain-name mapping shared by JAT and GMP."""
import pytest
import torch

from mmaction_merdg.models.regularizers.domain_adversarial import (
    domain_discriminator, domain_indices, grad_reverse, num_domain_classes, source_domain_names)


def test_grad_reverse_is_identity_forward_and_scaled_negation_backward():
    x = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    c = torch.randn(4, 3, dtype=torch.float64)
    y = grad_reverse(x, 0.3)
    assert torch.equal(y, x)
    (y * c).sum().backward()
    assert torch.allclose(x.grad, -0.3 * c, rtol=0, atol=1e-15)


def test_domain_indices_follow_the_source_order_and_reject_bad_samples():
    names = source_domain_names(['D2', 'D3'], 'M')
    got = domain_indices(['D3', 'D2', 'D3'], names, 'M')
    assert got.tolist() == [1, 0, 1] and got.dtype == torch.long
    with pytest.raises(ValueError, match="no `domain` field"):
        domain_indices(['D2', None], names, 'M')
    with pytest.raises(ValueError, match=r"\['D1'\].*not among"):
        domain_indices(['D1', 'D2'], names, 'M')
    with pytest.raises(ValueError, match='needs `domains`'):
        source_domain_names(None, 'M')
    with pytest.raises(ValueError, match='non-empty list'):
        source_domain_names('D1', 'M')
    with pytest.raises(ValueError, match='repeats'):
        source_domain_names(['D1', 'D1'], 'M')


def test_discriminator_sizes_follow_the_benchmark():
    assert num_domain_classes(['a']) == 2 and num_domain_classes(['a', 'b', 'c']) == 3
    disc = domain_discriminator(8, 3)
    assert [type(m).__name__ for m in disc] == ['Linear', 'BatchNorm1d', 'ReLU', 'Linear']
    assert disc(torch.randn(5, 8)).shape == (5, 3)
