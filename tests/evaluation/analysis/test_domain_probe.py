import pytest
import torch

from mmaction_merdg.evaluation.analysis import domain_probe


def test_probe_finds_linearly_separable_domains():
    g = torch.Generator().manual_seed(0)
    n = 150
    domains = ['s0'] * n + ['s1'] * n + ['t'] * n
    x = torch.randn(3 * n, 10, generator=g)
    x[:n, 0] += 4
    x[n:2 * n, 1] += 4
    res = domain_probe(x, domains)
    assert res['num_domains'] == 3
    assert res['chance'] == pytest.approx(1 / 3)
    assert res['accuracy'] > 0.95
    assert res['balanced_accuracy'] > 0.95


def test_probe_is_at_chance_without_domain_information():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(300, 20, generator=g)
    domains = [0] * 200 + [1] * 100  # unbalanced: chance is 2/3, balanced chance 1/2
    res = domain_probe(x, domains, seed=3)
    assert res['chance'] == pytest.approx(2 / 3)
    assert abs(res['balanced_accuracy'] - 0.5) < 0.1
    assert res['accuracy'] < res['chance'] + 0.05


def test_probe_is_deterministic_and_checks_inputs():
    x = torch.randn(40, 3, generator=torch.Generator().manual_seed(2))
    d = ['a', 'b'] * 20
    assert domain_probe(x, d, seed=1) == domain_probe(x, d, seed=1)
    with pytest.raises(ValueError, match='two distinct'):
        domain_probe(x, ['a'] * 40)
    with pytest.raises(ValueError, match='domain labels'):
        domain_probe(x, d[:-1])
