"""Each method's loss terms against a plain float64 re-derivation on known inputs."""
import itertools
import math

import pytest
import torch

from mmaction_merdg.models.losses import supcon_loss
from mmaction_merdg.models.regularizers.cmrf_regularizer import (
    distillation_loss, flattening_distillation, sample_mix_coefficients)
from mmaction_merdg.models.regularizers.rna_regularizer import relative_norm_loss
from mmaction_merdg.models.regularizers.simmmdg_regularizer import (split_distance_loss,
                                                                     translation_loss)


def _rows(x):
    return [[float(v) for v in row] for row in x]


def _norm(v):
    return math.sqrt(sum(a * a for a in v))


def ref_supcon(features, labels, t, tb):
    """Loops over anchors: the definition of Khosla et al. (contrast_mode='all')."""
    n, v, _ = features.shape
    vecs = [(features[i, j].tolist(), int(labels[i])) for j in range(v) for i in range(n)]
    losses = []
    for a, (xa, ya) in enumerate(vecs):
        sims = [sum(p * q for p, q in zip(xa, xb)) / t for xb, _ in vecs]
        denom = math.log(sum(math.exp(s) for b, s in enumerate(sims) if b != a))
        pos = [sims[b] - denom for b, (_, yb) in enumerate(vecs) if b != a and yb == ya]
        mean_pos = sum(pos) / len(pos) if pos else 0.0
        losses.append(-(t / tb) * mean_pos)
    return sum(losses) / len(losses)


@pytest.mark.parametrize('views', [2, 3])
def test_supcon_matches_loops(views):
    g = torch.Generator().manual_seed(0)
    f = torch.nn.functional.normalize(torch.randn(6, views, 5, generator=g, dtype=torch.float64),
                                      dim=2)
    y = torch.tensor([0, 1, 0, 2, 1, 3])  # class 3 has one sample: positives = its other views
    got = supcon_loss(f, y, 0.1, 0.07)
    assert got.dtype == torch.float64
    assert got.item() == pytest.approx(ref_supcon(f, y, 0.1, 0.07), rel=1e-10)


def test_supcon_anchor_without_positive_contributes_zero_and_errors():
    f = torch.nn.functional.normalize(torch.randn(2, 1, 4, dtype=torch.float64), dim=2)
    assert supcon_loss(f, torch.tensor([0, 1])).item() == 0.0
    with pytest.raises(ValueError, match='N, V, D'):
        supcon_loss(f[:, 0], torch.tensor([0, 1]))
    with pytest.raises(ValueError, match='labels'):
        supcon_loss(f, torch.tensor([0, 1, 2]))


def test_relative_norm_loss_known_values():
    # imgs rows have norm 3 and 5 (mean 4), flow 2, audio 1 and 3 (mean 2).
    feats = dict(imgs=torch.tensor([[3., 0.], [3., 4.]], dtype=torch.float64),
                 flow_imgs=torch.tensor([[2., 0., 0.], [0., 0., 2.]], dtype=torch.float64),
                 audios=torch.tensor([[1.], [3.]], dtype=torch.float64))
    expected = ((4 / 2 - 1)**2 + (4 / 2 - 1)**2 + (2 / 2 - 1)**2) / 3  # v/f, v/a, f/a
    assert relative_norm_loss(feats).item() == pytest.approx(expected, rel=1e-12)
    two = {k: feats[k] for k in ('imgs', 'audios')}
    assert relative_norm_loss(two).item() == pytest.approx(1.0)
    with pytest.raises(ValueError, match='two modalities'):
        relative_norm_loss(dict(imgs=feats['imgs']))


def test_split_distance_and_translation_match_plain_formulas():
    g = torch.Generator().manual_seed(1)
    f = torch.randn(4, 6, generator=g, dtype=torch.float64)
    ref = -sum((f[i, j].item() - f[i, j + 3].item())**2 for i in range(4) for j in range(3)) / 12
    assert split_distance_loss(f).item() == pytest.approx(ref, rel=1e-12)
    p, q = (torch.randn(5, 3, generator=g, dtype=torch.float64) for _ in range(2))
    ref = sum(_norm([a / _norm(pr) - b / _norm(qr) for a, b in zip(pr, qr)])
              for pr, qr in zip(_rows(p), _rows(q))) / 5
    assert translation_loss(p, q).item() == pytest.approx(ref, rel=1e-12)
    assert distillation_loss(p, q).item() == pytest.approx(ref, rel=1e-12)


def test_flattening_distillation_matches_per_pair_sum():
    g = torch.Generator().manual_seed(2)
    mods = ('imgs', 'flow_imgs', 'audios')
    s = {m: torch.randn(3, 4, generator=g, dtype=torch.float64) for m in mods}
    t = {m: torch.randn(3, 4, generator=g, dtype=torch.float64) for m in mods}
    lam = {pair: (torch.tensor([[0.9], [0.6], [0.99]], dtype=torch.float64),
                  torch.tensor([[0.1], [0.4], [0.0]], dtype=torch.float64))
           for pair in itertools.combinations(mods, 2)}
    w = dict(imgs=1.0, flow_imgs=1.0, audios=0.5)

    def d(stu, tea):  # mean over rows of ||s/|s| - t/|t|||
        return sum(_norm([a / _norm(sr) - b / _norm(tr) for a, b in zip(sr, tr)])
                   for sr, tr in zip(_rows(stu), _rows(tea))) / len(stu)

    ref = 0.
    for a, b in itertools.combinations(mods, 2):
        hi, lo = lam[(a, b)]
        ref += w[a] * d(s[a], hi * t[a] + (1 - hi) * t[b])
        ref += w[b] * d(s[b], lo * t[a] + (1 - lo) * t[b])
    assert flattening_distillation(s, t, lam, w).item() == pytest.approx(ref, rel=1e-12)


def test_mix_coefficients_follow_the_conditioned_beta():
    torch.manual_seed(0)
    hi, lo = sample_mix_coefficients(20000, 0.1)
    assert hi.shape == lo.shape == (20000, 1)
    assert bool((hi >= 0.5).all()) and bool((lo <= 0.5).all())
    # Beta(0.1, 0.1) puts most mass near 0 and 1: E[max(l, 1-l)] = 1 - E[min] ~ 0.93.
    assert hi.mean().item() == pytest.approx(1 - lo.mean().item(), abs=0.01)
    assert 0.9 < hi.mean().item() < 0.96
