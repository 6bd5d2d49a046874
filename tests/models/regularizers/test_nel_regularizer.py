"""NEL's loss terms against plain float64 re-derivations; MER-DG composes with NEL."""
import copy
import math
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample

from mmaction_merdg.models.losses import supcon_loss
from mmaction_merdg.models.regularizers import NELRegularizer, RegularizerInputs
from mmaction_merdg.models.regularizers.nel_regularizer import (
    mean_shift_contrast, mean_shift_embeddings, nonpolarized_entropy_loss)

from ...conftest import REPO

MODS = ('imgs', 'audios')


def _unit(v):
    n = math.sqrt(sum(a * a for a in v))
    return [a / n for a in v]


def ref_mean_shift(emb, k):
    """Loops: 0.5 e_i + 0.5/k * the k most cosine-similar other rows, normalised."""
    rows = emb.tolist()
    units = [_unit(r) for r in rows]
    out = []
    for i, r in enumerate(rows):
        sims = sorted(((sum(a * b for a, b in zip(units[i], units[j])), j)
                       for j in range(len(rows)) if j != i), reverse=True)[:k]
        acc = [0.5 * a for a in r]
        for _, j in sims:
            acc = [a + 0.5 / k * b for a, b in zip(acc, rows[j])]
        out.append(_unit(acc))
    return torch.tensor(out, dtype=torch.float64)


def ref_contrast(anchor, positive, t):
    """The benchmark's ConMeanShiftLoss, written out per anchor."""
    a = [_unit(r) for r in anchor.tolist()]
    p = [_unit(r) for r in positive.tolist()]
    total = 0.
    for i in range(len(a)):
        s = [sum(x * y for x, y in zip(a[i], p[j])) / t for j in range(len(p))]
        total += -(s[i] - math.log(sum(math.exp(v) for v in s)))
    return total / len(a)


def ref_nee(emb):
    """Eigenvalues of E^T E / N (D x D), kept above 1e-6, normalised, sum l log l."""
    e = emb.numpy()
    lam = np.linalg.eigvalsh(e.T @ e / e.shape[0])
    lam = lam[lam > 1e-6]
    lam = lam / (lam.sum() + 1e-10)
    return float((lam * np.log(lam + 1e-10)).sum())


def _g(seed=0):
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize('n,k', [(7, 3), (5, 8), (1, 8)])
def test_mean_shift_matches_loops(n, k):
    emb = torch.randn(n, 4, generator=_g(), dtype=torch.float64)
    out = mean_shift_embeddings(emb, k)
    ref = ref_mean_shift(emb, min(k, n - 1)) if n > 1 else torch.nn.functional.normalize(emb)
    assert torch.allclose(out, ref, atol=1e-12)


def test_mean_shift_contrast_matches_the_reference_form():
    a = torch.randn(6, 5, generator=_g(1), dtype=torch.float64)
    p = a + 0.3 * torch.randn(6, 5, generator=_g(2), dtype=torch.float64)
    assert mean_shift_contrast(a, p, 0.25).item() == pytest.approx(ref_contrast(a, p, 0.25),
                                                                   rel=1e-12)
    # Matching views give a lower loss than shuffled ones.
    assert mean_shift_contrast(a, p).item() < mean_shift_contrast(a, p.roll(1, 0)).item()


@pytest.mark.parametrize('n,d', [(12, 5), (6, 20)])  # both the covariance and the Gram path
def test_nee_matches_the_autocorrelation_spectrum(n, d):
    emb = torch.randn(n, d, generator=_g(3), dtype=torch.float64)
    assert nonpolarized_entropy_loss(emb).item() == pytest.approx(ref_nee(emb), rel=1e-9)
    # Bounds: 0 for rank one, -log(rank) for a flat spectrum.
    assert nonpolarized_entropy_loss(emb[:, :1].repeat(1, d)).item() == pytest.approx(0, abs=1e-9)
    flat = torch.eye(4, dtype=torch.float64).repeat(3, 1)  # [12, 4], C = I / 3
    assert nonpolarized_entropy_loss(flat).item() == pytest.approx(-math.log(4), rel=1e-9)


def test_regularizer_assembles_the_weighted_terms():
    dims = dict(imgs=6, audios=4)
    torch.manual_seed(0)
    reg = NELRegularizer(dims, num_classes=3, k=2,
                         projector=dict(type='SupConProjector', hidden_channels=8,
                                        out_channels=5)).double().eval()
    n = 5
    # The recognizer's view-major features: view 1 of the 5 samples, then view 2.
    feats = {m: torch.randn(2 * n, d, generator=_g(5), dtype=torch.float64)
             for m, d in dims.items()}
    labels = torch.tensor([0, 1, 2, 0, 1]).repeat(2)
    batch = RegularizerInputs(feats=feats, logits=torch.zeros(2 * n, 3), labels=labels,
                              domains=[None] * 2 * n, inputs={}, model=None, num_views=2)
    out = reg(batch)
    proj = torch.stack([reg.projectors[m](feats[m][:, :dims[m] // 2]) for m in MODS], 1)
    assert out['loss_supcon'].item() == pytest.approx(
        0.3 * supcon_loss(proj, labels, 0.1, 0.07).item(), rel=1e-12)
    shifted = [ref_mean_shift(proj[:, i].detach(), 2) for i in range(2)]
    view = [torch.cat([s[v * n:(v + 1) * n] for s in shifted], 1) for v in range(2)]
    assert out['loss_unc'].item() == pytest.approx(0.7 * ref_contrast(*view, 0.25), rel=1e-10)
    fused = torch.cat([feats[m] for m in MODS], 1)
    assert out['loss_nee'].item() == pytest.approx(ref_nee(fused.detach()) / 16, rel=1e-9)
    sum(out.values()).backward()
    assert all(p.grad is not None for p in reg.projectors.parameters())


def test_errors():
    with pytest.raises(ValueError, match='odd'):
        NELRegularizer(dict(imgs=5), num_classes=3)
    reg = NELRegularizer(dict(imgs=4), num_classes=3)
    batch = RegularizerInputs(feats=dict(imgs=torch.zeros(2, 4)), logits=torch.zeros(2, 3),
                              labels=torch.tensor([0, 1]), domains=[None] * 2,
                              inputs=dict(imgs=torch.zeros(2, 1, 3)), model=None)
    with pytest.raises(ValueError, match='views_as_samples'):
        reg(batch)


def test_adding_merdg_changes_only_loss_mer():
    """On the vector model with two views per sample, each a sample of its own."""
    nel = Config.fromfile(osp.join(REPO, 'configs', '_base_', 'methods', 'nel.py'))
    reg = dict(nel.nel_regularizer, projector=dict(type='SupConProjector', hidden_channels=32,
                                                   out_channels=16))
    models = []
    for name in ('fusion_synthetic_vector.py', 'merdg_synthetic_vector.py'):
        cfg = Config.fromfile(osp.join(REPO, 'configs', name)).model
        cfg.regularizers = dict(cfg.get('regularizers') or {}, nel=copy.deepcopy(reg))
        cfg.train_cfg = dict(views_as_samples=True)
        torch.manual_seed(0)
        models.append(MODELS.build(cfg).train())
    models[1].load_state_dict(models[0].state_dict(), strict=False)  # the shared parts
    inputs = {m: torch.randn(8, 2, 32, generator=_g(6)) for m in ('imgs', 'flow_imgs', 'audios')}
    samples = [ActionDataSample().set_gt_label(i % 4) for i in range(8)]
    losses = []
    for model in models:
        torch.manual_seed(1)
        losses.append(model(inputs, samples, mode='loss'))
    a, b = losses
    assert {'loss_supcon', 'loss_unc', 'loss_nee'} <= set(a) and 'loss_mer' not in a
    added = set(b) - set(a)
    assert not set(a) - set(b)
    assert 'loss_mer' in added and all(k == 'loss_mer' or k.startswith('mer/') for k in added)
    for k in a:
        assert b[k].item() == pytest.approx(a[k].item(), rel=1e-5, abs=1e-6), k
