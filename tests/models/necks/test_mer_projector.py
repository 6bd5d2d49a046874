"""MERProjector (the official projection head, Linear-LN-ReLU x2 -> Linear) and
project_all (the grouped projection equals the projectors applied one by one)."""
import pytest
import torch
import torch.nn.functional as F

from mmaction.registry import MODELS
from mmaction_merdg.apis.op_count import OpCounter
from mmaction_merdg.models.necks import MERProjector, project_all


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


DIMS = dict(imgs=40, flow_imgs=8, audios=24)


def _setup(hidden=(32, 32, 32), out=(16, 16, 16), seed=0):
    torch.manual_seed(seed)
    heads = {m: MERProjector(d, h, o) for (m, d), h, o in zip(DIMS.items(), hidden, out)}
    for head in heads.values():
        for p in head.parameters():  # non-trivial LayerNorm affine too
            torch.nn.init.normal_(p, std=0.5)
    feats = {m: torch.randn(6, d, requires_grad=True) for m, d in DIMS.items()}
    return heads, feats


def _grads(heads, feats, out):
    loss = sum((v ** 2).sum() * (i + 1) for i, v in enumerate(out.values()))
    params = [p for h in heads.values() for p in h.parameters()]
    return torch.autograd.grad(loss, list(feats.values()) + params)


def test_grouped_equals_one_by_one():
    heads, feats = _setup()
    grouped = project_all(heads, feats)
    loop = {m: heads[m](feats[m]) for m in DIMS}
    assert list(grouped) == list(DIMS)
    for m in DIMS:
        assert grouped[m].shape == (6, 16)
        assert torch.allclose(grouped[m], loop[m], rtol=1e-5, atol=1e-5)
    for g, r in zip(_grads(heads, feats, grouped), _grads(heads, feats, loop)):
        assert torch.allclose(g, r, rtol=1e-4, atol=1e-5 * r.abs().max())


def test_grouped_dispatches_fewer_ops():
    heads, feats = _setup()
    counts = []
    for fn in (lambda: {m: heads[m](feats[m]) for m in DIMS}, lambda: project_all(heads, feats)):
        for t in [p for h in heads.values() for p in h.parameters()] + list(feats.values()):
            t.grad = None  # else gradient accumulation adds an op per tensor
        with OpCounter() as c:
            out = fn()
            sum(v.sum() for v in out.values()).backward()
        counts.append(c.compute)
    assert counts[1] < counts[0]


@pytest.mark.parametrize('hidden,out', [((32, 32, 16), (16, 16, 16)),
                                        ((32, 32, 32), (16, 8, 16))])
def test_falls_back_when_widths_differ(hidden, out):
    heads, feats = _setup(hidden, out)
    res = project_all(heads, feats)
    for m in DIMS:
        assert torch.equal(res[m], heads[m](feats[m]))


def test_single_modality_is_the_projector_itself():
    heads, feats = _setup()
    res = project_all({'audios': heads['audios']}, {'audios': feats['audios']})
    assert torch.equal(res['audios'], heads['audios'](feats['audios']))
