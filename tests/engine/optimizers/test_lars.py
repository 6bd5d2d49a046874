"""LARS against a float64 re-derivation of You et al. (2017) written with loops."""
import math

import pytest
import torch
from torch import nn

import mmaction_merdg  # noqa: F401  (registers LARS)
from mmaction.registry import OPTIMIZERS
from mmaction_merdg.engine.optimizers import LARS


def ref_lars(weights, grads_per_step, lr, wd, momentum, eta):
    """Per tensor: d = g + wd w, q = eta |w| / |d| (1 if a norm is 0), mu = m mu + q d,
    w -= lr mu; 1-d tensors (bias, norm) plain momentum SGD. Python floats."""
    ws = [[float(v) for v in w.flatten()] for w in weights]
    mus = [[0.0] * len(w) for w in ws]
    for grads in grads_per_step:
        for i, (w, g) in enumerate(zip(ws, grads)):
            g = [float(v) for v in g.flatten()]
            if weights[i].ndim > 1:
                d = [gj + wd * wj for gj, wj in zip(g, w)]
                wn = math.sqrt(sum(v * v for v in w))
                dn = math.sqrt(sum(v * v for v in d))
                q = eta * wn / dn if wn > 0 and dn > 0 else 1.0
                d = [q * v for v in d]
            else:
                d = g
            mus[i] = [momentum * m + v for m, v in zip(mus[i], d)]
            ws[i] = [wj - lr * m for wj, m in zip(w, mus[i])]
    return [torch.tensor(w, dtype=torch.float64).view(t.shape) for w, t in zip(ws, weights)]


def test_lars_matches_the_float64_reference_over_three_steps():
    g = torch.Generator().manual_seed(0)
    weight = torch.randn(4, 3, generator=g, dtype=torch.float64)
    zero = torch.zeros(2, 2, dtype=torch.float64)  # |w| = 0: trust ratio 1
    bias = torch.randn(4, generator=g, dtype=torch.float64)  # excluded: plain momentum
    params = [nn.Parameter(t.clone()) for t in (weight, zero, bias)]
    grads = [[torch.randn(p.shape, generator=g, dtype=torch.float64) for p in params]
             for _ in range(3)]
    opt = OPTIMIZERS.build(dict(type='LARS', params=params, lr=0.5, weight_decay=1e-2,
                                momentum=0.9, eta=1e-3))
    assert isinstance(opt, LARS)
    for step in grads:
        for p, gr in zip(params, step):
            p.grad = gr.clone()
        opt.step()
    ref = ref_lars([weight, zero, bias], grads, lr=0.5, wd=1e-2, momentum=0.9, eta=1e-3)
    for p, r in zip(params, ref):
        torch.testing.assert_close(p.detach(), r, rtol=1e-12, atol=1e-14)


def test_without_exclusion_biases_are_adapted_and_bad_arguments_fail():
    bias = nn.Parameter(torch.tensor([1.0, -2.0], dtype=torch.float64))
    opt = LARS([bias], lr=1.0, momentum=0.0, eta=0.1, exclude_bias_and_norm=False)
    bias.grad = torch.tensor([3.0, 4.0], dtype=torch.float64)
    opt.step()  # q = 0.1 * sqrt(5) / 5
    q = 0.1 * math.sqrt(5) / 5
    torch.testing.assert_close(bias.detach(), torch.tensor([1 - 3 * q, -2 - 4 * q],
                                                           dtype=torch.float64))
    with pytest.raises(ValueError, match='eta must be >= 0'):
        LARS([bias], lr=1.0, eta=-1)
