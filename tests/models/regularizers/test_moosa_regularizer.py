"""MOOSA's loss terms against plain float64 re-derivations, and its composition with MER-DG."""
import itertools
import math
import random

import pytest
import torch
from torch.nn import functional as F

from mmaction.registry import MODELS
from mmaction_merdg.models.regularizers import MOOSARegularizer, RegularizerInputs
from mmaction_merdg.models.regularizers.moosa_regularizer import (
    entropy_minimization_loss, entropy_weighted_cross_entropy, jigsaw_batch, jigsaw_columns,
    lexicographic_permutation, masked_translation_loss, prediction_entropy, random_feature_mask,
    sample_jigsaw_permutations)

from .test_composition import _build, _cfg, _losses
from .test_method_losses import ref_supcon

MODS = ('imgs', 'flow_imgs', 'audios')


def _softmax(row):
    m = max(row)
    e = [math.exp(v - m) for v in row]
    return [v / sum(e) for v in e]


def _ce(row, y):
    m = max(row)
    return -(row[y] - m - math.log(sum(math.exp(v - m) for v in row)))


def _unit(v):
    n = math.sqrt(sum(a * a for a in v))
    return [a / n for a in v]


def ref_weighted_ce(logits, labels, temp):
    """``mean_i sum_k w_ik CE_k`` with ``w_i = softmax(-H_i / temp)`` and batch-mean ``CE_k``."""
    names, n = list(logits), len(labels)
    ce = {k: sum(_ce(logits[k][i], labels[i]) for i in range(n)) / n for k in names}
    total = 0.
    for i in range(n):
        ent = [-sum(p * math.log(p) for p in _softmax(logits[k][i])) for k in names]
        w = _softmax([-h / temp for h in ent])
        total += sum(wk * ce[k] for wk, k in zip(w, names))
    return total / n


def ref_entropy_min(rows, eps=1e-5):
    return sum(-sum(p * math.log(p + eps) for p in _softmax(r)) for r in rows) / len(rows)


def ref_translation(pred, target):
    return sum(math.sqrt(sum((a - b)**2 for a, b in zip(_unit(p), _unit(t))))
               for p, t in zip(pred, target)) / len(pred)


def _randn(*shape, seed):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


@pytest.mark.parametrize('temp', [1.0, 2.5])
def test_entropy_weighted_cross_entropy_matches_loops(temp):
    logits = {k: _randn(5, 4, seed=i) * 3 for i, k in enumerate(MODS + ('fused', ))}
    labels = torch.tensor([0, 3, 1, 1, 2])
    got, weights = entropy_weighted_cross_entropy(logits, labels, temp)
    assert got.dtype == torch.float64 and weights.shape == (5, 4)
    assert torch.allclose(weights.sum(1), torch.ones(5, dtype=torch.float64))
    ref = ref_weighted_ce({k: v.tolist() for k, v in logits.items()}, labels.tolist(), temp)
    assert got.item() == pytest.approx(ref, rel=1e-10)
    # The exact entropy (the reference's Categorical(probs).entropy()).
    ent = prediction_entropy(logits['imgs'])
    assert ent[0].item() == pytest.approx(
        torch.distributions.Categorical(logits=logits['imgs'][0]).entropy().item(), rel=1e-10)


def test_entropy_minimization_matches_loops():
    x = _randn(6, 5, seed=3) * 4
    assert entropy_minimization_loss(x).item() == pytest.approx(ref_entropy_min(x.tolist()),
                                                                rel=1e-10)


def test_lexicographic_permutation_is_itertools_order():
    for n in (1, 4, 5):
        perms = list(itertools.permutations(range(n)))
        assert [tuple(lexicographic_permutation(i, n)) for i in range(len(perms))] == perms
    with pytest.raises(ValueError, match='permutation index'):
        lexicographic_permutation(24, 4)


@pytest.mark.parametrize('seed', [0, 7])
def test_jigsaw_permutations_are_the_reference_draw(seed):
    # train_MOOSA.py: random.seed(seed); random.sample(range(factorial(P)), samples), then
    # the permutations at those indices of itertools.permutations(parts).
    random.seed(seed)
    indices = random.sample(range(math.factorial(8)), 128)
    perms = list(itertools.permutations(range(8)))
    got = sample_jigsaw_permutations(8, 128, seed)
    assert got.shape == (128, 8) and got.dtype == torch.long
    assert [tuple(r) for r in got.tolist()] == [perms[i] for i in indices]
    with pytest.raises(ValueError, match='jigsaw_samples=7 exceeds the 6'):
        sample_jigsaw_permutations(3, 7, seed)


def test_jigsaw_batch_concatenates_the_permuted_chunks():
    # Two modalities of width 8 and 4, two chunks each: chunk widths 4, 4, 2, 2.
    a, b = _randn(3, 8, seed=4), _randn(3, 4, seed=5)
    parts = [a[:, :4], a[:, 4:], b[:, :2], b[:, 2:]]
    perms = torch.tensor([[0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1]])
    x, y = jigsaw_batch(torch.cat([a, b], 1), jigsaw_columns(perms, [4, 4, 2, 2]))
    ref = torch.cat([torch.cat([parts[p] for p in perm], 1) for perm in perms.tolist()], 0)
    assert torch.equal(x, ref)  # permutation-major, as the reference
    assert y.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    with pytest.raises(ValueError, match='4 chunks'):
        jigsaw_columns(perms[:, :3], [4, 4, 2, 2])


def test_masked_translation_matches_loops():
    feats = dict(imgs=_randn(4, 6, seed=6), audios=_randn(4, 3, seed=7))
    masks = dict(imgs=torch.tensor([[1., 0, 1, 1, 0, 1]] * 4, dtype=torch.float64),
                 audios=torch.tensor([[0., 1, 1]] * 4, dtype=torch.float64))
    masked = {m: f * masks[m] for m, f in feats.items()}
    w = dict(imgs=_randn(6, 3, seed=8), audios=_randn(3, 6, seed=9))
    trans = {('imgs', 'audios'): lambda x: x @ w['imgs'],
             ('audios', 'imgs'): lambda x: x @ w['audios']}
    got = masked_translation_loss(feats, masked, trans)
    ref = (ref_translation((masked['imgs'] @ w['imgs']).tolist(), feats['audios'].tolist()) +
           ref_translation((masked['audios'] @ w['audios']).tolist(), feats['imgs'].tolist())) / 2
    assert got.item() == pytest.approx(ref, rel=1e-10)


def test_random_feature_mask_zeroes_the_ratio_and_keeps_the_rest():
    f = torch.rand(200, 500, dtype=torch.float64) + 1  # no zeros of its own
    g = torch.Generator().manual_seed(0)
    out = random_feature_mask(f.requires_grad_(), 0.3, generator=g)
    zero = out == 0
    assert zero.double().mean().item() == pytest.approx(0.3, abs=0.005)
    assert torch.equal(out[~zero], f[~zero])
    out.sum().backward()
    assert torch.equal(f.grad, (~zero).double())


def _regularizer(**kw):
    torch.manual_seed(0)
    cfg = dict(type='MOOSARegularizer', feat_dims=dict(imgs=8, flow_imgs=4, audios=4),
               num_classes=3, projector=dict(type='SupConProjector', hidden_channels=6,
                                             out_channels=5),
               translator_hidden_channels=6, jigsaw_num_splits=2, jigsaw_samples=10,
               jigsaw_hidden_channels=7, jigsaw_seed=1)
    cfg.update(kw)
    return MODELS.build(cfg).double().train()


def test_every_term_of_the_regularizer_matches_its_re_derivation():
    # No dropout and no masking, so every term is deterministic given the modules.
    reg = _regularizer(unimodal_dropout=0.0, translator_dropout=0.0, mask_ratio=0.0)
    n = 6
    feats = {m: _randn(n, d, seed=10 + i).requires_grad_()
             for i, (m, d) in enumerate(reg.feat_dims.items())}
    fused = _randn(n, 3, seed=20).requires_grad_()
    labels = torch.tensor([0, 1, 2, 0, 1, 1])
    out = reg(RegularizerInputs(feats=feats, logits=fused, labels=labels, domains=[None] * n,
                                inputs={}, model=None))
    assert {k for k in out if k.startswith('loss_')} == {
        'loss_entropy_weighting', 'loss_entropy_min', 'loss_jigsaw', 'loss_translation',
        'loss_supcon', 'loss_distance'}
    with torch.no_grad():
        logits = {m: reg.unimodal_heads[m](f).tolist() for m, f in feats.items()}
        logits['fused'] = fused.tolist()
        # Entropy weighting: with the head's loss_cls (fused CE) it is the reference's loss.
        fused_ce = sum(_ce(r, y) for r, y in zip(fused.tolist(), labels.tolist())) / n
        assert out['loss_entropy_weighting'].item() + fused_ce == pytest.approx(
            ref_weighted_ce(logits, labels.tolist(), 1.0), rel=1e-10)
        assert out['loss_entropy_min'].item() == pytest.approx(
            0.001 * sum(ref_entropy_min(v) for v in logits.values()) / 4, rel=1e-10)
        # Jigsaw: chunk widths 4, 4 | 2, 2 | 2, 2 reordered by each drawn permutation.
        parts = [c for f in feats.values() for c in f.chunk(2, dim=1)]
        perms = sample_jigsaw_permutations(6, 10, seed=1)
        assert torch.equal(reg.jigsaw_permutations, perms)
        jig_in = torch.cat([torch.cat([parts[p] for p in perm], 1) for perm in perms.tolist()])
        jig_logits = reg.jigsaw_head(jig_in).tolist()
        jig_ce = sum(_ce(r, i // n) for i, r in enumerate(jig_logits)) / len(jig_logits)
        assert out['loss_jigsaw'].item() == pytest.approx(jig_ce, rel=1e-10)
        assert out['moosa/jigsaw_acc'].item() == pytest.approx(
            sum(max(range(10), key=r.__getitem__) == i // n for i, r in enumerate(jig_logits))
            / len(jig_logits))
        trans = [ref_translation(reg.translators[f'{a}_to_{b}'](feats[a]).tolist(),
                                 feats[b].tolist()) for a, b in itertools.permutations(MODS, 2)]
        assert out['loss_translation'].item() == pytest.approx(0.1 * sum(trans) / 6, rel=1e-10)
        proj = torch.stack([reg.projectors[m](f[:, :f.shape[1] // 2]) for m, f in feats.items()],
                           dim=1)
        assert out['loss_supcon'].item() == pytest.approx(
            3.0 * ref_supcon(proj, labels, 0.1, 0.07), rel=1e-10)
        dist = [-sum((r[j] - r[j + len(r) // 2])**2 for r in f.tolist() for j in range(len(r) // 2))
                / (n * f.shape[1] // 2) for f in feats.values()]
        assert out['loss_distance'].item() == pytest.approx(0.7 * sum(dist) / 3, rel=1e-10)
    # Same gradient as the reference's weighted loss (weights not detached).
    (out['loss_entropy_weighting'] + F.cross_entropy(fused, labels)).backward()
    got = [feats['imgs'].grad.clone(), fused.grad.clone()]
    for t in (feats['imgs'], fused):
        t.grad = None
    uni = {m: reg.unimodal_heads[m](f) for m, f in feats.items()}
    entropy_weighted_cross_entropy(dict(uni, fused=fused), labels)[0].backward()
    assert torch.allclose(got[0], feats['imgs'].grad, rtol=1e-10, atol=1e-12)
    assert torch.allclose(got[1], fused.grad, rtol=1e-10, atol=1e-12)


def test_permutations_follow_the_run_seed_and_are_saved():
    torch.manual_seed(3)
    reg = MODELS.build(dict(type='MOOSARegularizer', feat_dims=dict(imgs=8, audios=8),
                            num_classes=3, translator_hidden_channels=4,
                            projector=dict(type='SupConProjector', hidden_channels=4)))
    assert isinstance(reg, MOOSARegularizer)
    assert torch.equal(reg.jigsaw_permutations, sample_jigsaw_permutations(8, 128, 3))
    assert 'jigsaw_permutations' in reg.state_dict()
    assert reg.jigsaw_head[-1].out_features == 128


def test_construction_errors():
    with pytest.raises(ValueError, match='not divisible'):
        _regularizer(feat_dims=dict(imgs=8, audios=6), jigsaw_num_splits=4)
    with pytest.raises(ValueError, match='mask_ratio'):
        _regularizer(mask_ratio=1.0)
    with pytest.raises(ValueError, match='jigsaw_num_splits'):
        _regularizer(jigsaw_num_splits=0)
    with pytest.raises(ValueError, match='exceeds'):
        _regularizer(feat_dims=dict(imgs=4, audios=4), jigsaw_num_splits=1, jigsaw_samples=3)
    with pytest.raises(ValueError, match='at least 2 modalities'):
        _regularizer(feat_dims=dict(imgs=8))


def test_adding_merdg_changes_only_loss_mer():
    alone, with_mer = _build(_cfg('moosa_synthetic_vector.py')), _build(_cfg('moosa_merdg_synthetic_vector.py'))
    assert 'moosa' in alone.regularizers and 'mer' not in alone.regularizers and 'mer' in with_mer.regularizers
    missing, unexpected = with_mer.load_state_dict(alone.state_dict(), strict=False)
    assert not unexpected and missing and all(k.startswith('regularizers.mer.') for k in missing)
    a, b = _losses(alone), _losses(with_mer)
    added = set(b) - set(a)
    assert not set(a) - set(b)
    assert 'loss_mer' in added and all(k == 'loss_mer' or k.startswith('mer/') for k in added)
    assert len([k for k in a if k.startswith('loss_')]) == 7  # loss_cls + MOOSA's six
    for k in a:
        assert b[k].item() == pytest.approx(a[k].item(), rel=1e-5, abs=1e-6), k
    sum(v for k, v in b.items() if 'loss' in k).backward()
    for name, p in with_mer.regularizers['moosa'].named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name
