"""MBCD's loss terms against plain float64 re-derivations; MER-DG composes with MBCD."""
import inspect
import math
import os.path as osp
from types import SimpleNamespace

import pytest
import torch
from mmengine.config import Config
from torch import nn

from mmaction.registry import HOOKS, MODELS
from mmaction.structures import ActionDataSample

from mmaction_merdg.models.regularizers import MBCDRegularizer, RegularizerInputs
from mmaction_merdg.models.regularizers.mbcd_regularizer import (
    confidence_ratios, drop_probabilities, modality_drop_masks, teacher_kl)

from ...conftest import REPO
from .test_composition import _build, _cfg

MODS = ('imgs', 'flow_imgs', 'audios')


def _softmax(row):
    e = [math.exp(v - max(row)) for v in row]
    return [v / sum(e) for v in e]


def ref_ratio(logits, m):
    """s_m = sum_i max softmax; r_m = mean over the other modalities of s_m / s_o."""
    score = {k: sum(max(_softmax(row)) for row in z.tolist()) for k, z in logits.items()}
    others = [k for k in logits if k != m]
    return sum(score[m] / score[o] for o in others) / len(others)


def ref_kl(student, teacher_probs):
    """mean_i sum_k p_ik (log p_ik - log q_ik), q = softmax(student)."""
    total = 0.
    for z, p in zip(student.tolist(), teacher_probs.tolist()):
        q = _softmax(z)
        total += sum(pk * (math.log(max(pk, 1e-12)) - math.log(qk)) for pk, qk in zip(p, q))
    return total / student.shape[0]


def _logits(n=6, k=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    return {m: torch.randn(n, k, generator=g, dtype=torch.float64) * (1 + i)
            for i, m in enumerate(MODS)}


@pytest.mark.parametrize('mods', [MODS, ('imgs', 'audios')])
def test_confidence_ratios_and_drop_probabilities(mods):
    logits = {m: z for m, z in _logits().items() if m in mods}
    ratios = confidence_ratios(logits)
    for m in mods:
        assert ratios[m].item() == pytest.approx(ref_ratio(logits, m), rel=1e-12)
    if len(mods) == 2:  # two modalities: plain s_a / s_b and its inverse
        assert ratios['imgs'].item() * ratios['audios'].item() == pytest.approx(1, rel=1e-12)
    for base in (0.0, 0.3):
        probs = drop_probabilities(ratios, base)
        for m in mods:
            r = ratios[m].item()
            expected = base + (1 - base) * math.tanh(r - 1) if r > 1 else 0.0
            assert probs[m].item() == pytest.approx(expected, abs=1e-12)
    # The most confident modality is dropped, the least confident never.
    probs = drop_probabilities(ratios, 0.0)
    assert max(probs, key=lambda m: ratios[m]) == max(probs, key=lambda m: probs[m])
    assert probs[min(ratios, key=lambda m: ratios[m])].item() == 0
    with pytest.raises(ValueError, match='two modalities'):
        confidence_ratios({'imgs': logits['imgs']})


def test_modality_drop_masks_are_bernoulli_keep():
    like = torch.zeros(20000, 3, dtype=torch.float64)
    probs = {'imgs': torch.tensor(0.), 'flow_imgs': torch.tensor(1.),
             'audios': torch.tensor(0.25, dtype=torch.float64)}
    masks = modality_drop_masks(probs, like, generator=torch.Generator().manual_seed(0))
    assert all(v.shape == (20000, 1) and v.dtype == torch.float64 for v in masks.values())
    assert masks['imgs'].eq(1).all() and masks['flow_imgs'].eq(0).all()
    assert set(masks['audios'].unique().tolist()) == {0., 1.}
    assert masks['audios'].mean().item() == pytest.approx(0.75, abs=0.01)


def test_teacher_kl_matches_the_sum():
    z = _logits()['imgs']
    p = torch.softmax(_logits(seed=1)['flow_imgs'], dim=1)
    p[0] = torch.tensor([1., 0., 0., 0.], dtype=torch.float64)  # a zero is clamped, not NaN
    assert teacher_kl(z, p).item() == pytest.approx(ref_kl(z, p), rel=1e-10)
    assert teacher_kl(torch.log(p[1:]), p[1:]).item() == pytest.approx(0, abs=1e-12)


class _Teacher(nn.Module):
    """An averaged model stand-in: fixed fused logits, one averaging step taken."""

    def __init__(self, logits):
        super().__init__()
        self.logits = logits
        self.modes = []

    def forward(self, inputs, mode):
        self.modes.append((mode, self.training))
        return self.logits


def _regularizer(n=6, k=4):
    torch.manual_seed(0)
    reg = MBCDRegularizer(dict(imgs=5, flow_imgs=3, audios=4), num_classes=k,
                          hidden_channels=7, distill_fused_weight=0.5,
                          distill_unimodal_weight=2.0, unimodal_weight=3.0).double()
    g = torch.Generator().manual_seed(2)
    feats = {m: torch.randn(n, d, generator=g, dtype=torch.float64)
             for m, d in reg.feat_dims.items()}
    batch = RegularizerInputs(
        feats=feats, logits=torch.randn(n, k, generator=g, dtype=torch.float64),
        labels=torch.tensor([0, 1, 2, 3, 0, 1]), domains=[None] * n, inputs={}, model=None)
    return reg, batch


def test_regularizer_terms_match_plain_formulas():
    reg, batch = _regularizer()
    teacher = _Teacher(torch.randn(6, 4, dtype=torch.float64)).train()
    reg.set_teacher(SimpleNamespace(module=teacher, steps=torch.tensor(1)), None)
    reg.eval()  # no dropout: the unimodal logits are a plain function of the feats
    out = reg(batch)
    uni = {m: reg.unimodal_heads[m](batch.feats[m]) for m in MODS}
    p_t = torch.softmax(teacher.logits, dim=1)
    ce = sum(-torch.log_softmax(uni[m], 1)[range(6), batch.labels].mean().item() for m in MODS)
    assert out['loss_unimodal'].item() == pytest.approx(3.0 * ce, rel=1e-10)
    assert out['loss_distill_fused'].item() == pytest.approx(
        0.5 * ref_kl(batch.logits, p_t), rel=1e-10)
    assert out['loss_distill_unimodal'].item() == pytest.approx(
        2.0 * sum(ref_kl(uni[m], p_t) for m in MODS), rel=1e-10)
    assert out['mbcd/teacher_active'].item() == 1
    # The teacher runs in eval mode and is left as it was.
    assert teacher.modes == [('tensor', False)] and teacher.training


def test_regularizer_reuses_the_step_logits_and_needs_its_teacher():
    reg, batch = _regularizer()
    reg.train()
    with pytest.raises(RuntimeError, match='AveragedTeacherHook'):
        reg(batch)
    reg.require_teacher = False
    logits = reg.unimodal_logits(batch.feats)  # one dropout draw, as the recognizer asks
    out = reg(batch)
    ce = sum(torch.nn.functional.cross_entropy(z, batch.labels) for z in logits.values())
    assert out['loss_unimodal'].item() == pytest.approx(3.0 * ce.item(), rel=1e-12)
    assert out['loss_distill_fused'].item() == 0 and out['mbcd/teacher_active'].item() == 0
    # Other feats (or a second call) recompute: the kept logits serve one forward only.
    assert not reg._step


def _vector_losses(model):
    torch.manual_seed(1)
    g = torch.Generator().manual_seed(3)
    inputs = {m: torch.randn(8, 1, 32, generator=g) for m in MODS}
    return model(inputs, [ActionDataSample().set_gt_label(i % 4) for i in range(8)],
                 mode='loss')


def test_adding_merdg_changes_only_loss_mer():
    # The vector pair (the clip pair builds the same way, 20x slower on CPU).
    alone_cfg = _cfg('mbcd_synthetic_vector.py')
    mer_cfg = _cfg('mbcd_merdg_synthetic_vector.py')
    for cfg in (alone_cfg, mer_cfg):  # no teacher outside a Runner
        cfg.regularizers.mbcd.require_teacher = False
    alone, with_mer = _build(alone_cfg), _build(mer_cfg)
    assert type(alone).__name__ == 'MBCDRecognizer' and 'mer' not in alone.regularizers and 'mer' in with_mer.regularizers
    missing, unexpected = with_mer.load_state_dict(alone.state_dict(), strict=False)
    assert not unexpected and missing and all(k.startswith('regularizers.mer.') for k in missing)
    a, b = _vector_losses(alone), _vector_losses(with_mer)
    added = set(b) - set(a)
    assert not set(a) - set(b)
    assert 'loss_mer' in added and all(k == 'loss_mer' or k.startswith('mer/') for k in added)
    assert {'loss_cls', 'loss_unimodal', 'loss_distill_fused',
            'loss_distill_unimodal'} <= set(a)
    for k in a:
        assert b[k].item() == pytest.approx(a[k].item(), rel=1e-5, abs=1e-6), k
    sum(v for k, v in b.items() if 'loss' in k).backward()
    assert any(p.grad is not None and p.grad.abs().sum() > 0
               for p in with_mer.regularizers.mbcd.parameters())


def test_fragment_states_the_benchmark_defaults():
    frag = Config.fromfile(osp.join(REPO, 'configs', '_base_', 'methods', 'mbcd.py'))
    model = dict(frag.mbcd_model)
    cls = MODELS.get(model.pop('type'))
    defaults = {k: p.default for k, p in inspect.signature(cls).parameters.items()}
    assert model == {k: defaults[k] for k in model}  # the class defaults are the official ones
    assert (model['inner_lr'], model['dsu_prob'], model['modality_drop_base']) == (1e-4, 0.5, 0)
    reg = frag.mbcd_regularizer
    assert (reg.hidden_channels, reg.dropout_ratio, reg.distill_fused_weight,
            reg.distill_unimodal_weight) == (512, 0.5, 1.0, 1.0)
    hook = frag.mbcd_hooks[0]
    # EMA decay 0.999 (mmengine's momentum is 1 - decay), from the first step, with buffers.
    assert (hook.ema_type, hook.momentum, hook.begin_iter, hook.update_buffers) == \
        ('ExponentialMovingAverage', 0.001, 0, True)
    assert HOOKS.get(hook.type) is not None
