"""VectorMLPEncoder: shapes, depth, input check, gradients."""
import pytest
import torch

from mmaction.registry import MODELS


def test_shapes_and_gradients():
    # Seeded: with the global random state left by earlier tests, a 4-wide
    # final ReLU can be dead on all 5 samples (zero gradient) by chance.
    torch.manual_seed(0)
    enc = MODELS.build(dict(type='VectorMLPEncoder', in_channels=8, hidden_channels=16,
                            out_channels=4, num_layers=3))
    assert sum(isinstance(m, torch.nn.Linear) for m in enc.modules()) == 3
    x = torch.randn(5, 8, requires_grad=True)
    y = enc(x)
    assert y.shape == (5, 4) and (y >= 0).all()  # ends with a ReLU, as pooled CNN features
    y.sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_errors():
    with pytest.raises(ValueError, match='num_layers'):
        MODELS.build(dict(type='VectorMLPEncoder', in_channels=8, num_layers=0))
    enc = MODELS.build(dict(type='VectorMLPEncoder', in_channels=8))
    with pytest.raises(ValueError, match=r'\[B, 8\]'):
        enc(torch.randn(2, 1, 8))
