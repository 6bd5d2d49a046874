"""MBCDRecognizer: DSU, the first-order meta step and the modality dropout, in float64."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from torch.nn import functional as F

from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample

from mmaction_merdg.models.recognizers import MultiModalRecognizer
from mmaction_merdg.models.recognizers.mbcd_recognizer import _Features, dsu_perturb

from ...conftest import REPO

MODS = ('imgs', 'flow_imgs', 'audios')


def ref_dsu(x, e1, e2, eps=1e-6):
    """Loops over samples and channels (Li et al., ICLR 2022, as the benchmark's patch)."""
    n, c = x.shape[:2]
    flat = x.reshape(n, c, -1)
    mu = [[flat[i, j].mean().item() for j in range(c)] for i in range(n)]
    sd = [[(flat[i, j].var().item() + eps) ** 0.5 for j in range(c)] for i in range(n)]

    def spread(stat, j):
        col = [stat[i][j] for i in range(n)]
        mean = sum(col) / n
        return (sum((v - mean) ** 2 for v in col) / (n - 1) + eps) ** 0.5

    out = torch.empty_like(flat)
    for i in range(n):
        for j in range(c):
            beta = mu[i][j] + e1[i, j].item() * spread(mu, j)
            gamma = sd[i][j] + e2[i, j].item() * spread(sd, j)
            out[i, j] = (flat[i, j] - mu[i][j]) / sd[i][j] * gamma + beta
    return out.reshape(x.shape)


def test_dsu_matches_loops_and_is_identity_without_noise():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(4, 3, 2, 5, 5, generator=g, dtype=torch.float64) * 2 + 1
    e1, e2 = (torch.randn(4, 3, generator=g, dtype=torch.float64) for _ in range(2))
    assert torch.allclose(dsu_perturb(x, noise=(e1, e2)), ref_dsu(x, e1, e2), atol=1e-12)
    zero = torch.zeros(4, 3, dtype=torch.float64)
    assert torch.allclose(dsu_perturb(x, noise=(zero, zero)), x, atol=1e-5)
    with pytest.raises(ValueError, match='N >= 2'):
        dsu_perturb(x[:1])


def _vector_model(**overrides):
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'mbcd_synthetic_vector.py')).model
    cfg.regularizers.mbcd.require_teacher = False
    cfg.update(overrides)
    torch.manual_seed(0)
    model = MODELS.build(cfg).double()
    model.init_weights()
    return model.train()


def _vector_batch(n=8):
    g = torch.Generator().manual_seed(3)
    inputs = {m: torch.randn(n, 1, 32, generator=g, dtype=torch.float64) for m in MODS}
    samples = [ActionDataSample().set_gt_label(i % 4) for i in range(n)]
    return inputs, samples


def test_features_are_layer_normalised():
    model = _vector_model()
    inputs, _ = _vector_batch()
    feats = model.extract_feat(inputs)
    raw = MultiModalRecognizer.extract_feat(model, inputs)
    for m, f in feats.items():
        mean, var = raw[m].mean(1, keepdim=True), raw[m].var(1, unbiased=False, keepdim=True)
        assert torch.allclose(f, (raw[m] - mean) / (var + 1e-5).sqrt(), atol=1e-12)
    model.feature_norm = False
    assert all(torch.equal(raw[m], f) for m, f in model.extract_feat(inputs).items())


def test_meta_step_is_first_order_sgd_on_the_meta_stage():
    model = _vector_model()
    stepped = copy.deepcopy(model)
    inputs, samples = _vector_batch()
    labels = torch.tensor([ds.gt_label.item() for ds in samples])
    feats = model.extract_feat(inputs)
    uni = model.regularizers.mbcd.eval().unimodal_logits(feats)
    ce = {m: F.cross_entropy(z, labels) for m, z in uni.items()}
    updated = model.meta_parameters(ce)
    assert set(updated) == {f'backbones.{m}.layers.2.{p}' for m in MODS
                            for p in ('weight', 'bias')}
    for m in MODS:
        w = model.backbones[m].layers[2].weight
        (grad, ) = torch.autograd.grad(ce[m], [w], retain_graph=True)
        new = updated[f'backbones.{m}.layers.2.weight']
        assert torch.allclose(new, w - 1e-4 * grad, atol=1e-15)
        # First order: d new / d w is the identity (the gradient is a constant).
        (jvp, ) = torch.autograd.grad(new.sum(), [w], retain_graph=True)
        assert torch.equal(jvp, torch.ones_like(w))
    # The fused path sees the encoders at the updated point.
    with torch.no_grad():
        for name, value in updated.items():
            stepped.get_parameter(name).copy_(value)
    post = torch.func.functional_call(
        _Features(model), {'model.' + k: v for k, v in updated.items()}, (inputs, ))
    expected = stepped.extract_feat(inputs)
    for m in MODS:
        assert torch.allclose(post[m], expected[m], atol=1e-12)
        assert not torch.allclose(post[m], feats[m], atol=1e-12)


def test_loss_uses_the_stepped_encoders_and_drops_the_dominant_modality():
    model = _vector_model(modality_drop_base=1.0)  # a dominant modality is always dropped
    inputs, samples = _vector_batch()
    torch.manual_seed(5)
    out = model(inputs, samples, mode='loss')
    probs = {m: out[f'mbcd/{m}/drop_prob'].item() for m in MODS}
    assert sorted(probs.values())[0] == 0 and max(probs.values()) == 1
    assert {'loss_cls', 'loss_unimodal', 'loss_distill_fused'} <= set(out)
    # Reproduce loss_cls by hand: same draws (dropout of the unimodal heads, then of the
    # fusion head after the masks), encoders moved by the meta step, dominant modalities zeroed.
    ref = copy.deepcopy(model)
    torch.manual_seed(5)
    labels = torch.tensor([ds.gt_label.item() for ds in samples])
    pre = ref.extract_feat(inputs)
    uni = ref.regularizers.mbcd.unimodal_logits(pre)
    updated = ref.meta_parameters({m: F.cross_entropy(z, labels) for m, z in uni.items()})
    with torch.no_grad():
        for name, value in updated.items():
            ref.get_parameter(name).copy_(value)
    post = ref.extract_feat(inputs)
    keep = {m: torch.bernoulli(torch.full((8, ), 1 - probs[m], dtype=torch.float64))
            .unsqueeze(1) for m in MODS}
    logits = ref.cls_head({m: post[m] * keep[m] for m in MODS})
    assert out['loss_cls'].item() == pytest.approx(F.cross_entropy(logits, labels).item(),
                                                   rel=1e-10)
    out_sum = sum(v for k, v in out.items() if 'loss' in k)
    out_sum.backward()
    assert model.backbones.imgs.layers[2].weight.grad.abs().sum() > 0
    # DSU hooks are removed after the step.
    assert not model.backbones.imgs.layers[2]._forward_hooks


def test_dsu_runs_on_clip_features_in_the_pre_step_pass():
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'mbcd_synthetic.py')).model
    cfg.regularizers.mbcd.require_teacher = False
    cfg.dsu_prob = 1.0
    model = MODELS.build(cfg).train()
    assert [len(v) for v in model.stage_modules.values()] == [2, 1, 1]  # slow, fast; flow; audio
    seen = []
    for mods in model.stage_modules.values():
        for mod in mods:
            mod.register_forward_hook(lambda mod, a, out: seen.append(out.shape[0]))
    g = torch.Generator().manual_seed(123)
    inputs = dict(imgs=torch.randn(4, 1, 3, 8, 16, 16, generator=g),
                  flow_imgs=torch.randn(4, 1, 2, 4, 16, 16, generator=g),
                  audios=torch.randn(4, 1, 1, 32, 32, generator=g))
    samples = [ActionDataSample().set_gt_label(i % 4) for i in range(4)]
    model(inputs, samples, mode='loss')
    assert len(seen) == 8  # each stage module runs twice: pre-step (with DSU) and post-step


def test_errors_name_the_field():
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'mbcd_synthetic_vector.py')).model
    with pytest.raises(ValueError, match='exactly one MBCDRegularizer'):
        MODELS.build(dict(copy.deepcopy(cfg), regularizers=None))
    with pytest.raises(ValueError, match="no module named 'layer4'"):
        MODELS.build(dict(copy.deepcopy(cfg), meta_stage='layer4'))
    with pytest.raises(ValueError, match=r'\[0, 1\]'):
        MODELS.build(dict(copy.deepcopy(cfg), dsu_prob=2.0))
