"""GMP's gradient modulation and projection against a plain float64 re-derivation."""
import math

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from mmaction_merdg.models.regularizers import GMPRegularizer, RegularizerInputs
from mmaction_merdg.models.regularizers.gmp_regularizer import (
    confidence_ratios, modulation_coefficient, project_conflict, true_class_confidence)

from .test_composition import _build, _cfg, _losses

DIMS = dict(imgs=6, flow_imgs=4, audios=5)
MODS = list(DIMS)
LABELS = torch.tensor([0, 1, 2, 0, 1, 2])


class _Encoders(nn.Module):
    """What GMP needs of the recognizer: ``backbones[m]``."""

    def __init__(self):
        super().__init__()
        self.backbones = nn.ModuleDict({m: nn.Linear(3, d) for m, d in DIMS.items()})


def _setup(seed, domains=('a', 'b'), **kw):
    torch.manual_seed(seed)
    model = _Encoders().double()
    reg = GMPRegularizer(DIMS, 3, domains=list(domains), project_channels=7,
                         domain_hidden_channels=5, **kw).double().eval()
    g = torch.Generator().manual_seed(seed)
    x = {m: torch.randn(6, 3, generator=g, dtype=torch.float64) for m in DIMS}
    return model, reg, x


def _batch(model, x, domains):
    feats = {m: model.backbones[m](x[m]) for m in DIMS}
    return RegularizerInputs(feats=feats, logits=None, labels=LABELS, domains=domains,
                             inputs=x, model=model)


def ref_confidence(logits, targets):
    out = []
    for r, y in zip(logits.tolist(), targets):
        z = sum(math.exp(v) for v in r)
        out.append(math.exp(r[int(y)]) / z)
    return sum(out) / len(out)


def ref_coeff(r, alpha):
    return min(max(1 - math.tanh(alpha * r), 0.0), 1.0) if r > 1 else 1.0


def test_confidence_ratio_and_coefficient_match_plain_formulas():
    z = torch.tensor([[2., 0., 1.], [0., 1., 0.]], dtype=torch.float64)
    y = torch.tensor([0, 2])
    assert true_class_confidence(z, y).item() == pytest.approx(ref_confidence(z, y), rel=1e-12)
    c = {m: torch.tensor(v, dtype=torch.float64) for m, v in zip(MODS, (0.9, 0.6, 0.3))}
    r = confidence_ratios(c)
    assert r['imgs'].item() == pytest.approx(0.9 / (0.45 + 1e-6), rel=1e-12)
    assert r['audios'].item() == pytest.approx(0.3 / (0.75 + 1e-6), rel=1e-12)
    inv = confidence_ratios(c, inverse=True)
    assert inv['imgs'].item() == pytest.approx(0.45 / (0.9 + 1e-6), rel=1e-12)
    assert confidence_ratios({'imgs': c['imgs']})['imgs'].item() == 1.0
    for ratio in (0.5, 1.0, 1.0001, 2.0, 9.0):
        got = modulation_coefficient(torch.tensor(ratio, dtype=torch.float64), 0.5).item()
        assert got == pytest.approx(ref_coeff(ratio, 0.5), rel=1e-12)


def test_project_conflict_on_known_vectors():
    g = [torch.tensor([1., 2.], dtype=torch.float64), torch.tensor([3.], dtype=torch.float64)]
    o = [torch.tensor([-1., 0.], dtype=torch.float64), None]
    # <g, o> = -1, |o|^2 = 1: g + o on the first parameter; the second is not in o.
    got = project_conflict(g, o, eps=0.0)
    assert got[0].tolist() == [0., 2.] and got[1].tolist() == [3.]
    # Projecting o against g: only o's parameters change; |g|^2 = 14 counts all of g.
    got = project_conflict(o, g, eps=0.0)
    assert got[1] is None
    assert torch.allclose(got[0], torch.tensor([-1 + 1 / 14, 2 / 14], dtype=torch.float64))


def _reference_grads(model, reg, x, d):
    """Modulated gradients per parameter, written out on flattened vectors."""
    ce = F.cross_entropy
    expected, branches = {}, {}
    class_logits = {m: reg.unimodal_heads[m](model.backbones[m](x[m])) for m in MODS}
    dom_logits = {m: reg.domain_discriminator(reg.domain_projectors[m](model.backbones[m](x[m])))
                  for m in MODS}
    sem = {m: ref_confidence(class_logits[m], LABELS) for m in MODS}
    dom = {m: ref_confidence(dom_logits[m], d) for m in MODS}
    for m in MODS:
        others = [j for j in MODS if j != m]
        sr = sem[m] / (sum(sem[j] for j in others) / 2 + 1e-6)
        dr = (sum(dom[j] for j in others) / 2) / (dom[m] + 1e-6)
        bb = list(model.backbones[m].parameters())
        head = list(reg.unimodal_heads[m].parameters())
        raw_cls = torch.autograd.grad(3.0 * ce(class_logits[m], LABELS), bb + head,
                                      retain_graph=True)
        # The reversal multiplies the gradient reaching the features by -0.3.
        raw_dom = [-0.3 * t for t in torch.autograd.grad(0.5 * ce(dom_logits[m], d), bb,
                                                         retain_graph=True)]
        n_bb = sum(p.numel() for p in bb)
        gc = torch.cat([t.flatten() for t in raw_cls]) * ref_coeff(sr, 0.5)
        gd = torch.cat([t.flatten() for t in raw_dom] + [torch.zeros(gc.numel() - n_bb,
                                                                     dtype=gc.dtype)])
        gd = gd * ref_coeff(dr, 0.5)
        dot = float((gc * gd).sum())
        branch = 'none'
        if dot < 0 and sr >= dr:
            gc, branch = gc - dot / (float((gd * gd).sum()) + 1e-12) * gd, 'cls'
        elif dot < 0:
            step = dot / (float((gc * gc).sum()) + 1e-12) * gc
            gd, branch = gd - torch.cat([step[:n_bb], torch.zeros_like(step[n_bb:])]), 'dom'
        expected[m], branches[m] = gc + gd, branch
    return expected, branches


def test_modulated_and_projected_gradients_match_a_plain_re_derivation():
    seen = set()
    for seed in range(4):
        model, reg, x = _setup(seed)
        d = torch.tensor([0, 1] * 3)
        out = reg(_batch(model, x, ['a', 'b'] * 3))
        out['loss_gmp'].backward()
        expected, branches = _reference_grads(model, reg, x, d)
        for m in MODS:
            params = list(model.backbones[m].parameters()) + \
                list(reg.unimodal_heads[m].parameters())
            got = torch.cat([p.grad.flatten() for p in params])
            assert torch.allclose(got, expected[m], rtol=1e-10, atol=1e-14), (seed, m)
            assert out[f'gmp/{m}/conflict'].item() == float(branches[m] != 'none')
        seen |= set(branches.values())
        # No loss reaches the discriminator (as the reference); the value is the
        # reference's logged loss.
        assert all(p.grad is None for p in reg.domain_discriminator.parameters())
    assert seen == {'none', 'cls', 'dom'}  # every branch was exercised


def test_loss_value_and_the_trainable_discriminator_variant():
    model, reg, x = _setup(0, train_discriminator=True)
    d = torch.tensor([0, 1] * 3)
    out = reg(_batch(model, x, ['a', 'b'] * 3))
    feats = {m: model.backbones[m](x[m]) for m in MODS}
    cls = sum(3.0 * F.cross_entropy(reg.unimodal_heads[m](feats[m]), LABELS) for m in MODS) / 3
    dom = sum(0.5 * F.cross_entropy(reg.domain_discriminator(reg.domain_projectors[m](feats[m])),
                                    d) for m in MODS) / 3
    assert out['loss_gmp'].item() == pytest.approx((cls + dom).item(), rel=1e-12)
    assert out['loss_domain_disc'].item() == pytest.approx(dom.item(), rel=1e-12)
    # The discriminator's loss trains the discriminator only, not the encoders.
    out['loss_domain_disc'].backward()
    assert all(p.grad is None for p in model.backbones.parameters())
    assert all(p.grad is not None for p in reg.domain_discriminator.parameters())


def test_single_source_modulates_the_classification_gradient_only():
    model, reg, x = _setup(1, domains=('a', ))
    assert not hasattr(reg, 'domain_discriminator')
    out = reg(_batch(model, x, [None] * 6))  # domains are not needed then
    out['loss_gmp'].backward()
    logits = {m: reg.unimodal_heads[m](model.backbones[m](x[m])) for m in MODS}
    conf = {m: ref_confidence(logits[m], LABELS) for m in MODS}
    for m in MODS:
        r = conf[m] / (sum(conf[j] for j in MODS if j != m) / 2 + 1e-6)
        params = list(model.backbones[m].parameters()) + list(reg.unimodal_heads[m].parameters())
        raw = torch.autograd.grad(3.0 * F.cross_entropy(logits[m], LABELS), params)
        for p, g in zip(params, raw):
            assert torch.allclose(p.grad, ref_coeff(r, 0.5) * g, rtol=1e-10, atol=1e-14)
        assert out[f'gmp/{m}/dom_coeff'].item() == 1.0


def test_errors_name_the_missing_piece():
    with pytest.raises(ValueError, match='needs `domains`'):
        GMPRegularizer(DIMS, num_classes=3)
    model, reg, x = _setup(0)
    with pytest.raises(ValueError, match='no `domain` field'):
        reg(_batch(model, x, ['a', None] * 3))
    batch = _batch(model, x, ['a', 'b'] * 3)
    batch.model = nn.Linear(2, 2)
    with pytest.raises(TypeError, match='backbones'):
        reg(batch)


def test_adding_merdg_changes_only_loss_mer():
    alone, with_mer = _build(_cfg('gmp_synthetic_vector.py')), _build(_cfg('gmp_merdg_synthetic_vector.py'))
    assert 'gmp' in alone.regularizers and 'mer' not in alone.regularizers and 'mer' in with_mer.regularizers
    missing, unexpected = with_mer.load_state_dict(alone.state_dict(), strict=False)
    assert not unexpected and missing and all(k.startswith('regularizers.mer.') for k in missing)
    a, b = _losses(alone), _losses(with_mer)
    added = set(b) - set(a)
    assert not set(a) - set(b) and 'loss_gmp' in a
    assert 'loss_mer' in added and all(k == 'loss_mer' or k.startswith('mer/') for k in added)
    for k in a:
        assert b[k].item() == pytest.approx(a[k].item(), rel=1e-5, abs=1e-6), k
