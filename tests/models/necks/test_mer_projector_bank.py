"""MERProjectorBank: the M MER-DG heads stored stacked and run as one batch.

The same initial values as the per-modality MERProjectors it replaces, the
same outputs and gradients (to float64 rounding; in float32 the matrix
products may round differently, ~1e-7 relative), loads their checkpoints and
dispatches fewer ops.
"""
import pytest
import torch

from mmaction_merdg.models.necks import MERProjector, MERProjectorBank

from ...conftest import load_tool

OpCounter = load_tool('analysis/count_ops.py').OpCounter

DIMS = dict(imgs=40, flow_imgs=8, audios=24)


def _pair(seed=0, randomise=True, dtype=torch.float64):
    """A bank and the per-modality heads it stands for, with equal parameters."""
    torch.manual_seed(seed)
    heads = {m: MERProjector(d, 32, 16).to(dtype) for m, d in DIMS.items()}
    if randomise:
        for head in heads.values():
            for p in head.parameters():  # non-trivial LayerNorm affine too
                torch.nn.init.normal_(p, std=0.5)
    bank = MERProjectorBank(DIMS, 32, 16).to(dtype)
    bank.load_state_dict({f'{m}.{k}': v for m, h in heads.items()
                          for k, v in h.state_dict().items()})
    return bank, heads


def _feats(n=6, dtype=torch.float64):
    g = torch.Generator().manual_seed(1)
    return {m: torch.randn(n, d, generator=g, dtype=dtype, requires_grad=True)
            for m, d in DIMS.items()}


def _same(a, b, dtype=torch.float64):
    tol = dict(rtol=1e-12, atol=1e-12) if dtype == torch.float64 else dict(rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(a, b, **tol)


def test_initial_values_are_those_of_the_heads_built_in_order():
    torch.manual_seed(3)
    heads = {m: MERProjector(d, 32, 16) for m, d in DIMS.items()}
    torch.manual_seed(3)
    bank = MERProjectorBank(DIMS, 32, 16)
    assert len(list(bank.parameters())) == 8 + 2 * len(DIMS)
    for i, (m, h) in enumerate(heads.items()):
        assert torch.equal(bank.fc1_weight[m], h.layers[0].weight.t())
        assert torch.equal(bank.fc1_bias[m], h.layers[0].bias)
        assert torch.equal(bank.fc2_weight[i], h.layers[3].weight.t())
        assert torch.equal(bank.fc3_weight[i], h.layers[6].weight.t())
        assert torch.equal(bank.fc3_bias[i, 0], h.layers[6].bias)
        assert torch.equal(bank.norm2_weight[i, 0], h.layers[4].weight)
    # the random stream after construction is the same too (later modules keep their init)
    torch.manual_seed(3)
    [MERProjector(d, 32, 16) for d in DIMS.values()]
    after_heads = torch.rand(3)
    torch.manual_seed(3)
    MERProjectorBank(DIMS, 32, 16)
    assert torch.equal(torch.rand(3), after_heads)


@pytest.mark.parametrize('dtype', [torch.float64, torch.float32])
def test_outputs_and_gradients_equal_those_of_the_heads(dtype):
    bank, heads = _pair(dtype=dtype)
    feats = _feats(dtype=dtype)
    z = bank(feats)
    assert z.shape == (3, 6, 16) and z.dtype == dtype
    loop = torch.stack([heads[m](feats[m]) for m in DIMS])
    _same(z, loop, dtype)
    weights = torch.arange(1., 4., dtype=dtype)[:, None, None]
    g_bank = torch.autograd.grad((z.pow(2) * weights).sum(), list(feats.values()) +
                                 [bank.fc2_weight, bank.norm1_weight, bank.fc1_weight['imgs']])
    g_loop = torch.autograd.grad(
        (loop.pow(2) * weights).sum(), list(feats.values()) +
        [h.layers[3].weight for h in heads.values()] + [h.layers[1].weight for h in heads.values()]
        + [heads['imgs'].layers[0].weight])
    for a, b in zip(g_bank[:3], g_loop[:3]):  # inputs
        _same(a, b, dtype)
    _same(g_bank[3], torch.stack(g_loop[3:6]).transpose(1, 2), dtype)
    _same(g_bank[4], torch.stack(g_loop[6:9]).unsqueeze(1), dtype)
    _same(g_bank[5], g_loop[9].t(), dtype)


def test_view_of_one_modality_is_its_head():
    bank, heads = _pair()
    feats = _feats()
    assert list(bank) == list(DIMS) and len(bank) == 3 and 'audios' in bank
    for m in DIMS:
        _same(bank[m](feats[m]), heads[m](feats[m]))
    with pytest.raises(KeyError, match='no head for'):
        bank['depth']


def test_per_modality_checkpoint_round_trip_and_errors():
    bank, heads = _pair()
    state = bank.state_dict()
    assert 'fc2_weight' in state and 'fc1_weight.imgs' in state
    fresh = MERProjectorBank(DIMS, 32, 16).double()
    fresh.load_state_dict(state)
    feats = _feats()
    assert torch.equal(fresh(feats), bank(feats))
    # an incomplete per-modality checkpoint is reported, not half-loaded silently
    partial = {f'{m}.{k}': v for m, h in heads.items() for k, v in h.state_dict().items()
               if m != 'audios'}
    missing, unexpected = MERProjectorBank(DIMS, 32, 16).load_state_dict(partial, strict=False)
    assert 'fc2_weight' in missing and 'fc1_weight.audios' in missing
    assert any(k.startswith('imgs.layers.3') for k in unexpected)
    with pytest.raises(KeyError, match='no features for'):
        bank({'imgs': feats['imgs']})
    with pytest.raises(ValueError, match='at least one modality'):
        MERProjectorBank({})


def test_bank_dispatches_fewer_ops_than_the_heads():
    bank, heads = _pair()
    counts = []
    for fn in (lambda f: torch.stack([heads[m](f[m]) for m in DIMS]), bank):
        feats = _feats()
        with OpCounter() as c:
            fn(feats).sum().backward()
        counts.append(c.total)
    assert counts[1] < 0.7 * counts[0], counts
