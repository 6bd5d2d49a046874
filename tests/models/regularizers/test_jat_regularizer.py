"""JAT's loss terms against a plain float64 re-derivation; MER-DG composes with it."""
import math

import pytest
import torch

from mmaction_merdg.models.regularizers import JATRegularizer, RegularizerInputs
from mmaction_merdg.models.regularizers.jat_regularizer import mean_entropy, stability_weights

from .test_composition import _build, _cfg, _losses

DIMS = dict(imgs=6, flow_imgs=4, audios=5)


def ref_ce(logits, targets):
    """Mean over rows of ``log sum_c exp(z_c) - z_y``, in Python floats."""
    rows = logits.tolist()
    return sum(math.log(sum(math.exp(v) for v in r)) - r[int(y)]
               for r, y in zip(rows, targets)) / len(rows)


def ref_entropy(logits):
    out = []
    for r in logits.tolist():
        z = sum(math.exp(v) for v in r)
        out.append(-sum(math.exp(v) / z * math.log(math.exp(v) / z + 1e-10) for v in r))
    return sum(out) / len(out)


def linear(layer, x):
    return x @ layer.weight.T + layer.bias


def project(seq, x):
    """Linear-ReLU-Dropout in eval mode."""
    return linear(seq[0], x).clamp(min=0)


def discriminate(seq, x):
    """Linear-BN-ReLU-Linear in eval mode (BN with its running statistics)."""
    h = linear(seq[0], x)
    bn = seq[1]
    h = (h - bn.running_mean) / (bn.running_var + bn.eps).sqrt() * bn.weight + bn.bias
    return linear(seq[3], h.clamp(min=0))


def _inputs(domains, n=6, seed=0):
    g = torch.Generator().manual_seed(seed)
    feats = {m: torch.randn(n, d, generator=g, dtype=torch.float64, requires_grad=True)
             for m, d in DIMS.items()}
    labels = torch.tensor([0, 1, 2, 0, 1, 2])[:n]
    return RegularizerInputs(feats=feats, logits=None, labels=labels, domains=domains,
                             inputs={}, model=None)


def _reg(domains=('D2', 'D3'), **kw):
    torch.manual_seed(0)
    reg = JATRegularizer(DIMS, num_classes=3, domains=list(domains), project_channels=7,
                         domain_hidden_channels=5, global_hidden_channels=9, **kw).double()
    for mod in reg.modules():  # non-trivial BN statistics
        if isinstance(mod, torch.nn.BatchNorm1d):
            mod.running_mean.uniform_(-1, 1), mod.running_var.uniform_(0.5, 2)
    return reg.eval()


def test_entropy_and_stability_weights_match_plain_formulas():
    z = torch.tensor([[1., 2., 0.5], [0., 0., 0.], [3., -1., 2.]], dtype=torch.float64)
    assert mean_entropy(z).item() == pytest.approx(ref_entropy(z), rel=1e-12)
    assert mean_entropy(z[1:2]).item() == pytest.approx(math.log(3), rel=1e-9)
    h = dict(imgs=torch.tensor(0.2, dtype=torch.float64), audios=torch.tensor(1.1,
                                                                           dtype=torch.float64))
    w = stability_weights(h, temperature=0.5)
    e = [math.exp(0.2 / 0.5), math.exp(1.1 / 0.5)]
    assert w['imgs'].item() == pytest.approx(e[0] / sum(e), rel=1e-12)
    assert w['audios'].item() == pytest.approx(e[1] / sum(e), rel=1e-12)


def test_every_term_matches_a_plain_re_derivation():
    reg = _reg()
    domains = ['D3', 'D2', 'D2', 'D3', 'D3', 'D2']
    batch = _inputs(domains)
    out = reg(batch)
    f, y, d = batch.feats, batch.labels, [1, 0, 0, 1, 1, 0]
    mods = ['imgs', 'flow_imgs', 'audios']
    modal = sum(ref_ce(linear(reg.modality_discriminator, project(reg.modality_projectors[m],
                                                                  f[m])), [i] * 6)
                for i, m in enumerate(mods)) / 3
    dom_logits = {m: discriminate(reg.domain_discriminator,
                                  project(reg.domain_projectors[m], f[m])) for m in mods}
    local = sum(ref_ce(dom_logits[m], d) for m in mods) / 3
    g = reg.global_discriminator
    glob = ref_ce(linear(g[3], linear(g[0], torch.cat([f[m] for m in mods], 1)).clamp(min=0)), d)
    ent = [ref_entropy(dom_logits[m]) for m in mods]
    w = [math.exp(e) / sum(math.exp(x) for x in ent) for e in ent]
    uni = sum(wi * ref_ce(linear(reg.unimodal_heads[m][1], f[m]), y.tolist())
              for wi, m in zip(w, mods))
    assert out['loss_modality_adv'].item() == pytest.approx(0.1 * modal, rel=1e-10)
    assert out['loss_domain_adv_local'].item() == pytest.approx(0.5 * local, rel=1e-10)
    assert out['loss_domain_adv_global'].item() == pytest.approx(0.5 * glob, rel=1e-10)
    assert out['loss_unimodal'].item() == pytest.approx(3.0 * uni, rel=1e-10)
    for wi, m in zip(w, mods):
        assert out[f'jat/{m}/weight'].item() == pytest.approx(wi, rel=1e-10)


@pytest.mark.parametrize('term,alpha', [('loss_modality_adv', 0.1),
                                        ('loss_domain_adv_local', 0.3),
                                        ('loss_domain_adv_global', 0.3)])
def test_adversarial_terms_reach_the_features_reversed(term, alpha):
    reg = _reg()
    batch = _inputs(['D3', 'D2'] * 3)
    f, mods, d = batch.feats, ['imgs', 'flow_imgs', 'audios'], torch.tensor([1, 0] * 3)
    ce = torch.nn.functional.cross_entropy
    # The same term without reversal.
    if term == 'loss_modality_adv':
        disc = reg.modality_discriminator
        plain = 0.1 * sum(ce(disc(reg.modality_projectors[m](f[m])), torch.full((6, ), i))
                          for i, m in enumerate(mods)) / 3
    elif term == 'loss_domain_adv_local':
        disc = reg.domain_discriminator
        plain = 0.5 * sum(ce(disc(reg.domain_projectors[m](f[m])), d) for m in mods) / 3
    else:
        disc = reg.global_discriminator
        plain = 0.5 * ce(disc(torch.cat([f[m] for m in mods], 1)), d)
    params = list(disc.parameters())
    got = torch.autograd.grad(reg(batch)[term], [f['imgs']] + params)
    want = torch.autograd.grad(plain, [f['imgs']] + params)
    # The features get the gradient times -alpha; the discriminator descends its loss.
    assert torch.allclose(got[0], -alpha * want[0], rtol=1e-12, atol=1e-15)
    assert all(torch.allclose(x, y, rtol=1e-12, atol=1e-15) for x, y in zip(got[1:], want[1:]))


def test_single_source_drops_the_domain_terms_and_weights_by_class_entropy():
    reg = _reg(domains=('D1', ))
    assert not hasattr(reg, 'domain_discriminator')
    batch = _inputs([None] * 6)  # domains are not needed then
    out = reg(batch)
    assert set(k for k in out if k.startswith('loss_')) == {'loss_unimodal', 'loss_modality_adv'}
    mods = ['imgs', 'flow_imgs', 'audios']
    ent = [ref_entropy(linear(reg.unimodal_heads[m][1], batch.feats[m])) for m in mods]
    for e, m in zip(ent, mods):
        w = math.exp(e) / sum(math.exp(x) for x in ent)
        assert out[f'jat/{m}/weight'].item() == pytest.approx(w, rel=1e-10)


def test_errors_name_the_missing_piece():
    with pytest.raises(ValueError, match='needs `domains`'):
        JATRegularizer(DIMS, num_classes=3)
    reg = _reg()
    with pytest.raises(ValueError, match='no `domain` field'):
        reg(_inputs(['D2', None] * 3))
    with pytest.raises(ValueError, match='not among'):
        reg(_inputs(['D2', 'D1'] * 3))
    with pytest.raises(ValueError, match='at least 2 modalities'):
        JATRegularizer(dict(imgs=4), num_classes=3, domains=['a', 'b'])


def test_adding_merdg_changes_only_loss_mer():
    alone, with_mer = _build(_cfg('jat_synthetic_vector.py')), _build(_cfg('jat_merdg_synthetic_vector.py'))
    assert 'jat' in alone.regularizers and 'mer' not in alone.regularizers and 'mer' in with_mer.regularizers
    missing, unexpected = with_mer.load_state_dict(alone.state_dict(), strict=False)
    assert not unexpected and missing and all(k.startswith('regularizers.mer.') for k in missing)
    a, b = _losses(alone), _losses(with_mer)
    added = set(b) - set(a)
    assert not set(a) - set(b)
    assert 'loss_mer' in added and all(k == 'loss_mer' or k.startswith('mer/') for k in added)
    assert {'loss_unimodal', 'loss_modality_adv', 'loss_domain_adv_local',
            'loss_domain_adv_global'} <= set(a)
    for k in a:
        assert b[k].item() == pytest.approx(a[k].item(), rel=1e-5, abs=1e-6), k
