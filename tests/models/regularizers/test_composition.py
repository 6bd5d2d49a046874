"""Regularizers: old configs keep their losses; MER-DG composes with every method."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample

from ...conftest import REPO

# Loss values of the unchanged code on main (commit a99d0b2, before regularizers
# existed), computed once with exactly `_build` and `_batch(8, big=True)` below:
# Config.fromfile -> torch.manual_seed(0) -> MODELS.build -> init_weights() ->
# train() -> torch.manual_seed(1) -> model(inputs, samples, mode='loss').
FUSION_REF = dict(loss_cls=1.3040189743041992)
MERDG_REF = {
    'loss_cls': 1.3109732866287231,
    'mer/imgs/marg': 0.8344188928604126, 'mer/imgs/spec': 8.544211387634277,
    'mer/flow_imgs/marg': 0.8718480467796326, 'mer/flow_imgs/spec': 8.550095558166504,
    'mer/audios/marg': 0.9334042072296143, 'mer/audios/spec': 8.551183700561523,
    'loss_mer': 84.85548400878906}


def _batch(n=8, big=False):
    g = torch.Generator().manual_seed(123)
    t, s, a = ((16, 32, 32), (8, 32, 32), (64, 64)) if big else ((8, 16, 16), (4, 16, 16),
                                                                  (32, 32))
    inputs = dict(imgs=torch.randn(n, 1, 3, *t, generator=g),
                  flow_imgs=torch.randn(n, 1, 2, *s, generator=g),
                  audios=torch.randn(n, 1, 1, *a, generator=g))
    samples = []
    for i in range(n):
        ds = ActionDataSample().set_gt_label(i % 4)
        ds.set_field('source0' if i % 2 else 'source1', 'domain')
        samples.append(ds)
    return inputs, samples


def _build(model_cfg):
    torch.manual_seed(0)
    model = MODELS.build(copy.deepcopy(model_cfg))
    model.init_weights()
    return model.train()


def _losses(model, big=False):
    torch.manual_seed(1)
    inputs, samples = _batch(big=big)
    return model(inputs, samples, mode='loss')


def _cfg(name):
    return Config.fromfile(osp.join(REPO, 'configs', name)).model


@pytest.mark.parametrize('name,ref', [('fusion_synthetic.py', FUSION_REF),
                                      ('merdg_synthetic.py', MERDG_REF)])
def test_fusion_and_merdg_configs_keep_their_losses(name, ref):
    losses = _losses(_build(_cfg(name)), big=True)
    assert list(losses) == list(ref)
    for k, v in ref.items():
        assert losses[k].item() == pytest.approx(v, rel=1e-5, abs=1e-6), k


def test_regularizers_dict_form_of_merdg_equals_the_legacy_keys():
    cfg = _cfg('merdg_synthetic.py')
    cfg.regularizers = dict(mer=dict(type='MERRegularizer', projector=cfg.pop('projector'),
                                     loss=cfg.pop('mer_loss')))
    model = _build(cfg)
    losses = _losses(model, big=True)
    for k, v in MERDG_REF.items():
        assert losses[k].item() == pytest.approx(v, rel=1e-5, abs=1e-6), k
    assert model.with_mer and set(model.last_projections) == set(model.modalities)
    assert model.last_projections['audios'].shape == (8, 128)
    assert model.mer_loss.loss_weight == 3.0 and len(model.projectors) == 3


@pytest.mark.parametrize('method,reg', [('simmmdg', 'simmmdg'), ('rnanet', 'rna'),
                                        ('cmrf', 'cmrf')])
def test_adding_merdg_changes_only_loss_mer(method, reg):
    alone_cfg, mer_cfg = _cfg(f'{method}_synthetic.py'), _cfg(f'{method}_merdg_synthetic.py')
    for cfg in (alone_cfg, mer_cfg):  # no teacher outside a Runner
        if method == 'cmrf':
            cfg.regularizers.cmrf.require_teacher = False
    alone, with_mer = _build(alone_cfg), _build(mer_cfg)
    assert reg in alone.regularizers and not alone.with_mer and with_mer.with_mer
    missing, unexpected = with_mer.load_state_dict(alone.state_dict(), strict=False)
    assert not unexpected and missing and all(k.startswith('regularizers.mer.') for k in missing)
    a, b = _losses(alone), _losses(with_mer)
    added = set(b) - set(a)
    assert not set(a) - set(b)
    assert 'loss_mer' in added and all(k == 'loss_mer' or k.startswith('mer/') for k in added)
    assert len([k for k in a if k.startswith('loss_')]) >= 2  # the method adds its own losses
    for k in a:
        assert b[k].item() == pytest.approx(a[k].item(), rel=1e-5, abs=1e-6), k
    sum(v for k, v in b.items() if 'loss' in k).backward()
    grads = [p.grad for p in with_mer.regularizers[reg].parameters()]
    assert not grads or any(g is not None and g.abs().sum() > 0 for g in grads)


def test_legacy_checkpoint_keys_load_into_the_mer_regularizer():
    model = _build(_cfg('merdg_synthetic.py'))
    old = {k.replace('regularizers.mer.projectors.', 'projectors.'): v
           for k, v in model.state_dict().items()}
    assert any(k.startswith('projectors.fc1_weight.') for k in old)
    fresh = _build(_cfg('merdg_synthetic.py'))
    torch.nn.init.zeros_(fresh.projectors.fc1_weight['imgs'])
    torch.nn.init.zeros_(fresh.projectors.fc2_weight)
    fresh.load_state_dict(old, strict=True)
    assert torch.equal(fresh.projectors.fc1_weight['imgs'], model.projectors.fc1_weight['imgs'])
    assert torch.equal(fresh.projectors.fc2_weight, model.projectors.fc2_weight)


def test_per_modality_projector_checkpoints_load_into_the_stacked_heads():
    """Checkpoints saved before MERProjectorBank (one MERProjector per modality,
    ``regularizers.mer.projectors.<m>.layers.<i>.*``, and the older
    ``projectors.<m>.layers.<i>.*``) load with strict=True."""
    from mmaction_merdg.models.necks import MERProjector
    model = _build(_cfg('merdg_synthetic.py'))
    bank = model.projectors
    torch.manual_seed(5)
    heads = {m: MERProjector(bank.fc1_weight[m].shape[0], bank.hidden_channels,
                             bank.out_channels) for m in bank}
    state = {k: v for k, v in model.state_dict().items()
             if not k.startswith('regularizers.mer.projectors.')}
    for prefix in ('regularizers.mer.projectors.', 'projectors.'):
        old = dict(state, **{f'{prefix}{m}.{k}': v for m, h in heads.items()
                             for k, v in h.state_dict().items()})
        fresh = _build(_cfg('merdg_synthetic.py'))
        fresh.load_state_dict(old, strict=True)
        feats = {m: torch.randn(4, bank.fc1_weight[m].shape[0]) for m in bank}
        with torch.no_grad():
            for m in bank:
                torch.testing.assert_close(fresh.projectors[m](feats[m]), heads[m](feats[m]))


def test_composition_errors():
    cfg = _cfg('merdg_synthetic.py')
    twice = dict(copy.deepcopy(cfg), regularizers=dict(mer=dict(type='MERRegularizer')))
    with pytest.raises(ValueError, match='twice'):
        MODELS.build(twice)
    clash = dict(copy.deepcopy(cfg), regularizers=dict(mer2=dict(type='MERRegularizer')))
    model = MODELS.build(clash)
    with pytest.raises(KeyError, match='already produced'):
        _losses(model)
    one = copy.deepcopy(cfg)
    one.backbones = dict(audios=one.backbones.audios)
    one.regularizers = dict(rna=dict(type='RNARegularizer'))
    with pytest.raises(ValueError, match='at least 2 modalities'):
        MODELS.build(one)
    cmrf = _cfg('cmrf_synthetic.py')
    with pytest.raises(RuntimeError, match='AveragedTeacherHook'):
        _losses(MODELS.build(cmrf))
    odd = copy.deepcopy(_cfg('simmmdg_synthetic.py'))
    odd.feat_dims.audios = 127
    with pytest.raises(ValueError, match='odd'):
        MODELS.build(odd)


def test_model_deepcopies_after_a_training_step():
    """Averaged teachers (CMRF, MBCD: mmengine's EMAHook) deepcopy the model
    after training steps: MER-DG must keep no tensor of the autograd graph."""
    model = _build(_cfg('merdg_synthetic.py'))
    sum(v for k, v in _losses(model).items() if 'loss' in k).backward()
    assert model.last_projections and not any(
        z.requires_grad for z in model.last_projections.values())
    twin = copy.deepcopy(model)
    assert torch.equal(twin.projectors.fc2_weight, model.projectors.fc2_weight)
