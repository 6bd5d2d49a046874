"""MERProjector (the official projection head, Linear-LN-ReLU x2 -> Linear)."""
import torch
import torch.nn.functional as F

from mmaction.registry import MODELS


def test_shape_and_reference_computation():
    proj = MODELS.build(dict(type='MERProjector', in_channels=10, hidden_channels=16,
                             out_channels=4))
    x = torch.randn(7, 10, generator=torch.Generator().manual_seed(0))
    out = proj(x)
    assert out.shape == (7, 4)
    l1, n1, _, l2, n2, _, l3 = proj.layers
    h = F.relu(F.layer_norm(l1(x), (16, ), n1.weight, n1.bias))
    h = F.relu(F.layer_norm(l2(h), (16, ), n2.weight, n2.bias))
    torch.testing.assert_close(out, l3(h))


def test_gradients_reach_the_input():
    proj = MODELS.build(dict(type='MERProjector', in_channels=5, hidden_channels=8, out_channels=3))
    x = torch.randn(4, 5, requires_grad=True)
    proj(x).pow(2).sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0
