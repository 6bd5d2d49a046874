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


def _old_torch_fit(x, y, num_classes, l2=1e-2, max_iter=200):
    """The hand-written probe classifier (before scikit-learn): softmax + L2, L-BFGS, float64."""
    clf = torch.nn.Linear(x.shape[1], num_classes).to(torch.float64)
    torch.nn.init.zeros_(clf.weight)
    torch.nn.init.zeros_(clf.bias)
    opt = torch.optim.LBFGS(clf.parameters(), max_iter=max_iter, line_search_fn='strong_wolfe',
                            tolerance_grad=1e-12, tolerance_change=1e-14)

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(clf(x), y) + l2 * clf.weight.pow(2).sum()
        loss.backward()
        return loss

    with torch.enable_grad():
        opt.step(closure)
    return clf


@pytest.mark.parametrize('num_classes', [2, 3])
def test_sklearn_classifier_matches_the_hand_written_one_in_float64(num_classes):
    """Same objective (mean CE + l2 ||W||^2), same standardised data: same probabilities."""
    import numpy as np

    from mmaction_merdg.evaluation.analysis.domain_probe import logistic_regression
    g = torch.Generator().manual_seed(4)
    n = 90
    x = torch.randn(n, 6, generator=g, dtype=torch.float64)
    y = torch.arange(n) % num_classes
    x[:, 0] += y.double()  # some domain signal, not separable
    pipe = logistic_regression(n, num_classes).fit(x.numpy(), y.numpy())
    xs = (x - x.mean(0)) / x.std(0, unbiased=False)  # StandardScaler's ddof=0
    old = torch.softmax(_old_torch_fit(xs, y, num_classes)(xs), 1).detach().numpy()
    new = pipe.predict_proba(x.numpy())
    assert np.abs(new - old).max() < 1e-5
    assert (new.argmax(1) == old.argmax(1)).all()
