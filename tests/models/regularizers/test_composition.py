"""Regularizers compose: MER-DG with every method, on the tensors the official code uses.

No golden float32 value: every reference is computed here in float64 from the
step's own tensors (MKL/oneDNN round float32 differently on AVX2 and AVX-512).
"""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmaction_merdg.models.necks import MERProjector, MERProjectorBank, SupConProjector

from ...conftest import REPO

MODS = ('imgs', 'flow_imgs', 'audios')
# float32 loss vs float64 reference from the same float32 projections: the
# largest relative difference measured over the tests below was 5.6e-6 (the
# log-det of a 16-sample, 128-d correlation with ridge 1e-4); 1e-4 leaves room.
REL = 1e-4


def ref_terms(z):
    """The official ``marginal_entropy_loss`` and ``spectral_entropy_loss`` in float64."""
    z = z.double()
    n, d = z.shape
    marg = torch.relu(1 - torch.sqrt(z.var(dim=0) + 1e-4)).mean()
    x = z - z.mean(0, keepdim=True)
    x = x / (x.std(0, unbiased=False) + 1e-4).clamp_min(1e-4)
    c = x.T @ x / (n - 1) + 1e-4 * torch.eye(d, dtype=torch.float64)
    return dict(marg=marg.item(), spec=-(torch.linalg.slogdet(c)[1] / d).item())


def _batch(n=16):
    g = torch.Generator().manual_seed(3)
    inputs = {m: torch.randn(n, 1, 32, generator=g) for m in MODS}
    samples = []
    for i in range(n):
        ds = ActionDataSample().set_gt_label(i % 4)
        ds.set_field('source0' if i % 2 else 'source1', 'domain')
        samples.append(ds)
    return inputs, samples


def _cfg(name):
    cfg = Config.fromfile(osp.join(REPO, 'configs', name)).model
    for reg in ('cmrf', 'mbcd'):  # no teacher outside a Runner
        if reg in (cfg.get('regularizers') or {}) and cfg.regularizers[reg]:
            cfg.regularizers[reg].require_teacher = False
    return cfg


def _build(cfg):
    torch.manual_seed(0)
    model = MODELS.build(copy.deepcopy(cfg))
    model.init_weights()
    return model.train()


def _losses(model):
    torch.manual_seed(1)
    return model(*_batch(), mode='loss')


def test_merdg_loss_equals_a_float64_reference_on_its_own_projections():
    model = _build(_cfg('merdg_synthetic_vector.py'))
    losses = _losses(model)
    mer = model.regularizers.mer
    assert isinstance(mer.projectors, MERProjectorBank)
    z = mer.last_tensors()
    assert list(z) == list(MODS) and all(v.shape == (16, 128) for v in z.values())
    total = 0.
    for m in MODS:
        ref = ref_terms(z[m])
        for term in ('marg', 'spec'):
            assert losses[f'mer/{m}/{term}'].item() == pytest.approx(ref[term], rel=REL)
        total += ref['marg'] + ref['spec']
    assert losses['loss_mer'].item() == pytest.approx(3.0 * total, rel=REL)


def test_merdg_with_simmmdg_reads_simmmdgs_projections_as_the_official_code():
    """train_video_flow_audio_EPIC_MERDG.py: the entropy loss on SimMMDG's own
    L2-normalised projection of the shared half and on a second BN head on
    the specific half, summed."""
    model = _build(_cfg('simmmdg_merdg_synthetic_vector.py'))
    sim, mer = model.regularizers.simmmdg, model.regularizers.mer
    assert list(model.regularizers) == ['simmmdg', 'mer'] and mer.simmmdg_key == 'simmmdg'
    assert all(isinstance(mer.projectors[m], SupConProjector) for m in MODS)
    feats = {}
    sim.register_forward_pre_hook(
        lambda _, args: feats.update({m: f.detach() for m, f in args[0].feats.items()}))
    losses = _losses(model)
    z = mer.last_tensors()
    assert sorted(z) == sorted(f'{m}/{p}' for m in MODS for p in ('shared', 'specific'))
    total = 0.
    with torch.no_grad():
        for m in MODS:
            d = feats[m].shape[1] // 2
            torch.testing.assert_close(z[f'{m}/shared'], sim.projectors[m](feats[m][:, :d]))
            torch.testing.assert_close(z[f'{m}/specific'], mer.projectors[m](feats[m][:, d:]))
            for part in ('shared', 'specific'):
                norms = z[f'{m}/{part}'].norm(dim=1)
                torch.testing.assert_close(norms, torch.ones_like(norms))  # L2-normalised
                ref = ref_terms(z[f'{m}/{part}'])
                total += ref['marg'] + ref['spec']
    assert losses['loss_mer'].item() == pytest.approx(3.0 * total, rel=REL)
    # targets='embeddings': MER-DG's own heads on the whole embedding instead
    cfg = _cfg('simmmdg_merdg_synthetic_vector.py')
    cfg.regularizers.mer.targets = 'embeddings'
    own = _build(cfg)
    assert own.regularizers.mer.simmmdg_key is None
    assert isinstance(own.regularizers.mer.projectors, MERProjectorBank)


@pytest.mark.parametrize('method,reg', [('rnanet', 'rna'), ('cmrf', 'cmrf'),
                                        ('simmmdg', 'simmmdg')])
def test_adding_merdg_changes_only_loss_mer(method, reg):
    alone = _build(_cfg(f'{method}_synthetic_vector.py'))
    with_mer = _build(_cfg(f'{method}_merdg_synthetic_vector.py'))
    assert reg in alone.regularizers and 'mer' not in alone.regularizers
    missing, unexpected = with_mer.load_state_dict(alone.state_dict(), strict=False)
    assert not unexpected and missing and all(k.startswith('regularizers.mer.') for k in missing)
    a, b = _losses(alone), _losses(with_mer)
    added = set(b) - set(a)
    assert not set(a) - set(b)
    assert 'loss_mer' in added and all(k == 'loss_mer' or k.startswith('mer/') for k in added)
    assert len([k for k in a if k.startswith('loss_')]) >= 2  # the method adds its own losses
    for k in a:  # same dropout draws: MER-DG runs last and draws nothing
        assert b[k].item() == pytest.approx(a[k].item(), rel=1e-6, abs=1e-7), k
    sum(v for k, v in b.items() if 'loss' in k).backward()
    grads = [p.grad for p in with_mer.regularizers[reg].parameters()]
    assert not grads or any(g is not None and g.abs().sum() > 0 for g in grads)


def test_the_entry_config_follows_the_official_recipe():
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'merdg_epic_d1d2_d3.py'))
    assert cfg.model.regularizers.mer.projector.hidden_channels == 2048
    assert cfg.optim_wrapper.optimizer.type == 'LARS' and cfg.param_scheduler == []
    assert cfg.optim_wrapper.paramwise_cfg.trainable == ['backbones.*.layer4', 'cls_head',
                                                         'regularizers']
    assert cfg.train_cfg.max_epochs == 20 and cfg.train_dataloader.batch_size == 16
    frag = Config.fromfile(osp.join(REPO, 'configs', '_base_', 'methods', 'merdg.py'))
    assert frag.mer_regularizer.projector.hidden_channels == 2048
    mer = MODELS.build(dict(type='MERRegularizer', feat_dims=dict(imgs=8, audios=4),
                            num_classes=3))
    assert mer.projectors.hidden_channels == 2048  # the class default is the official one


def test_composition_errors():
    cfg = _cfg('merdg_synthetic_vector.py')
    clash = dict(copy.deepcopy(cfg), regularizers=dict(mer=cfg.regularizers.mer,
                                                       mer2=cfg.regularizers.mer))
    with pytest.raises(KeyError, match='already produced'):
        _losses(MODELS.build(clash))
    alone = copy.deepcopy(cfg)
    alone.regularizers.mer.targets = 'simmmdg'
    with pytest.raises(ValueError, match="targets='simmmdg' needs a SimMMDGRegularizer"):
        MODELS.build(alone)
    bad = copy.deepcopy(cfg)
    bad.regularizers.mer.targets = 'shared'
    with pytest.raises(ValueError, match='targets must be one of'):
        MODELS.build(bad)
    one = copy.deepcopy(cfg)
    one.backbones = dict(audios=one.backbones.audios)
    one.input_layouts = dict(audios='NC')
    one.regularizers = dict(rna=dict(type='RNARegularizer'))
    with pytest.raises(ValueError, match='at least 2 modalities'):
        MODELS.build(one)
    cmrf = Config.fromfile(osp.join(REPO, 'configs', 'cmrf_synthetic_vector.py')).model
    with pytest.raises(RuntimeError, match='AveragedTeacherHook'):
        _losses(MODELS.build(cmrf))
    odd = copy.deepcopy(_cfg('simmmdg_synthetic_vector.py'))
    odd.backbones.audios.out_channels = 63  # feat_dims inferred: 63
    with pytest.raises(ValueError, match='odd'):
        MODELS.build(odd)


def test_model_deepcopies_after_a_training_step():
    """Averaged teachers (CMRF, MBCD: mmengine's EMAHook) deepcopy the model
    after training steps: MER-DG must keep no tensor of the autograd graph."""
    for name in ('merdg_synthetic_vector.py', 'simmmdg_merdg_synthetic_vector.py'):
        model = _build(_cfg(name))
        sum(v for k, v in _losses(model).items() if 'loss' in k).backward()
        z = model.regularizers.mer.last_tensors()
        assert z and not any(v.requires_grad for v in z.values())
        twin = copy.deepcopy(model)
        for (k, p), q in zip(model.state_dict().items(), twin.state_dict().values()):
            assert torch.equal(p, q), k


def test_per_modality_heads_are_merprojectors_of_the_fragment_width():
    model = _build(_cfg('merdg_synthetic_vector.py'))
    bank = model.regularizers.mer.projectors
    assert bank.hidden_channels == 128 and bank.out_channels == 128  # CPU-sized fragment
    assert isinstance(MERProjector(4), torch.nn.Module)
