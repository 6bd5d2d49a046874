"""MultiModalRecognizer: every modality subset, Fusion vs MER-DG, embedding
dropout (which tensor each loss reads), zoo checkpoints."""
import copy
import itertools
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample

from ...conftest import REPO

RGB = dict(
    type='ResNet3dSlowFast', pretrained=None, resample_rate=4, speed_ratio=4,
    channel_ratio=8,
    slow_pathway=dict(type='resnet3d', depth=50, pretrained=None, lateral=True,
                      base_channels=8, conv1_kernel=(1, 7, 7), dilations=(1, 1, 1, 1),
                      conv1_stride_t=1, pool1_stride_t=1, inflate=(0, 0, 1, 1)),
    fast_pathway=dict(type='resnet3d', depth=50, pretrained=None, lateral=False,
                      base_channels=1, conv1_kernel=(5, 7, 7), conv1_stride_t=1,
                      pool1_stride_t=1))
FLOW = dict(type='ResNet3dSlowOnly', depth=18, pretrained=None, in_channels=2,
            base_channels=8, conv1_kernel=(1, 7, 7), conv1_stride_t=1,
            pool1_stride_t=1, inflate=(0, 0, 1, 1), with_pool2=False)
AUDIO = dict(type='ResNetAudio', depth=50, pretrained=None, in_channels=1,
             base_channels=4, conv1_kernel=7)
BACKBONES = dict(imgs=RGB, flow_imgs=FLOW, audios=AUDIO)
DIMS = dict(imgs=288, flow_imgs=64, audios=128)
SHAPES = dict(imgs=(1, 3, 8, 32, 32), flow_imgs=(1, 2, 4, 32, 32), audios=(1, 1, 32, 32))
SUBSETS = [('imgs', 'audios'), ('imgs', 'flow_imgs'), ('flow_imgs', 'audios'),
           ('imgs', 'flow_imgs', 'audios')]


MER = dict(type='MERRegularizer',
           projector=dict(type='MERProjector', hidden_channels=32, out_channels=16),
           loss=dict(type='ModalityEntropyLoss', loss_weight=3.0))


def model_cfg(modalities, mer=True, **backbone_overrides):
    backbones = {m: copy.deepcopy(BACKBONES[m]) for m in modalities}
    for m, over in backbone_overrides.items():
        backbones[m].update(over)
    return dict(
        type='MultiModalRecognizer', backbones=backbones,
        feat_dims={m: DIMS[m] for m in modalities},
        cls_head=dict(type='MultiModalFusionHead', num_classes=3, hidden_channels=32),
        regularizers=dict(mer=copy.deepcopy(MER) if mer else None),
        data_preprocessor=dict(type='MultiModalDataPreprocessor', preprocessors=dict(
            imgs=dict(type='ActionDataPreprocessor', format_shape='NCTHW'),
            flow_imgs=dict(type='ActionDataPreprocessor', format_shape='NCTHW'),
            audios=dict(type='ActionDataPreprocessor', format_shape='NCHW'))))


def batch(modalities, n=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    inputs = {m: torch.randn((n, ) + SHAPES[m], generator=g) for m in modalities}
    samples = [ActionDataSample().set_gt_label(i % 3) for i in range(n)]
    for s in samples:
        s.set_field('source0', 'domain')
    return inputs, samples


@pytest.mark.parametrize('modalities', SUBSETS)
def test_loss_and_predict_every_subset(modalities):
    model = MODELS.build(model_cfg(modalities))
    model.init_weights()
    inputs, samples = batch(modalities)
    losses = model(dict(inputs), samples, mode='loss')
    assert set(k for k in losses if 'loss' in k) == {'loss_cls', 'loss_mer'}
    for m in modalities:
        for term in ('marg', 'spec'):
            key = f'mer/{m}/{term}'
            assert key in losses and 'loss' not in key and not losses[key].requires_grad
    total = losses['loss_cls'] + losses['loss_mer']
    total.backward()
    for m in modalities:  # every encoder and projector gets gradient
        grads = [p.grad for p in model.backbones[m].parameters() if p.requires_grad]
        assert any(g is not None and g.abs().sum() > 0 for g in grads)
        assert model.regularizers.mer.projectors.fc1_weight[m].grad is not None
    model.eval()
    with torch.no_grad():
        out = model(dict(inputs), batch(modalities)[1], mode='predict')
    assert len(out) == 4
    for ds in out:
        assert ds.pred_score.shape == (3, )
        assert torch.allclose(ds.pred_score.sum(), torch.tensor(1.0), atol=1e-5)
    feats = model.extract_feat(dict(inputs))
    assert {m: tuple(f.shape) for m, f in feats.items()} == {m: (4, DIMS[m]) for m in modalities}


def test_fusion_baseline_same_code_path():
    model = MODELS.build(model_cfg(('imgs', 'audios'), mer=False))
    assert len(model.regularizers) == 0
    losses = model(*batch(('imgs', 'audios')), mode='loss')
    assert set(losses) == {'loss_cls'}
    for legacy in ('with_mer', 'mer_loss', 'projectors', 'last_projections'):
        assert not hasattr(model, legacy)  # nothing MER-specific in the recognizer
    with pytest.raises(TypeError, match='mer_loss'):
        MODELS.build(dict(model_cfg(('imgs', 'audios'), mer=False),
                          mer_loss=dict(type='ModalityEntropyLoss')))


def test_mer_loss_value_is_sum_over_modalities():
    model = MODELS.build(model_cfg(('imgs', 'audios')))
    model.eval()  # no dropout, BN in eval: deterministic features
    inputs, samples = batch(('imgs', 'audios'), n=6)
    losses = model(dict(inputs), samples, mode='loss')
    # the step's own projections (the batched heads' output), one modality at a time
    mer = model.regularizers.mer
    proj = mer.last_tensors()
    assert list(proj) == ['imgs', 'audios']
    expected = sum(mer.loss(proj[m]) for m in ('imgs', 'audios'))
    assert torch.allclose(losses['loss_mer'], expected, rtol=1e-5)
    # ... which are each modality's head applied to its features (float32
    # rounding of the batched products; the log-det amplifies it, so the
    # projections are compared, not the losses)
    feats = model.extract_feat(dict(inputs))
    for m in ('imgs', 'audios'):
        torch.testing.assert_close(mer.projectors[m](feats[m]), proj[m], rtol=1e-5, atol=1e-6)


def test_multiple_views_are_averaged():
    model = MODELS.build(model_cfg(('flow_imgs', 'audios'), mer=False)).eval()
    inputs, _ = batch(('flow_imgs', 'audios'), n=2)
    two = {m: torch.cat([x, x.flip(0)], dim=1) for m, x in inputs.items()}  # [N, 2, ...]
    with torch.no_grad():
        f2 = model.extract_feat(two)
        f_a = model.extract_feat(inputs)
        f_b = model.extract_feat({m: x.flip(0) for m, x in inputs.items()})
    for m in f2:
        assert torch.allclose(f2[m], (f_a[m] + f_b[m]) / 2, atol=1e-5)


def test_config_errors():
    with pytest.raises(ValueError, match='unknown modalities'):
        MODELS.build(dict(model_cfg(('imgs', )), backbones=dict(depth=FLOW)))
    # A modality missing from feat_dims is inferred (dry forward), not an error.
    partial = MODELS.build(dict(model_cfg(('imgs', 'audios')), feat_dims=dict(imgs=288)))
    assert partial.feat_dims == {m: DIMS[m] for m in ('imgs', 'audios')}
    with pytest.raises(ValueError, match=r'embedding_dropout has unknown modalities \[.rgb.\]'):
        MODELS.build(dict(model_cfg(('audios', )), embedding_dropout=dict(rgb=0.5)))
    with pytest.raises(ValueError, match=r'must lie in \[0, 1\)'):
        MODELS.build(dict(model_cfg(('audios', )), embedding_dropout=dict(audios=1.0)))
    # A stale size is refused when the model is built (the probe disagrees).
    with pytest.raises(ValueError, match=r"feat_dims\['audios'\] is 99"):
        MODELS.build(dict(model_cfg(('audios', )), feat_dims=dict(audios=99),
                          cls_head=dict(type='MultiModalFusionHead', num_classes=3)))
    with pytest.raises(KeyError, match=r"missing \['imgs'\]"):
        MODELS.build(model_cfg(('imgs', 'audios'))).extract_feat(batch(('audios', ))[0])
    # A batch with a modality the model has no backbone for (the dataset's
    # `modalities` and `model.backbones` disagree) is refused, not ignored.
    with pytest.raises(KeyError, match=r"without a backbone \['imgs'\]"):
        MODELS.build(model_cfg(('audios', ))).extract_feat(batch(('imgs', 'audios'))[0])
    model = MODELS.build(model_cfg(('audios', )))
    inputs, samples = batch(('audios', ))
    samples[0].set_gt_label(7)
    with pytest.raises(ValueError, match=r'Labels must lie in \[0, 3\)'):
        model(inputs, samples, mode='loss')


def _zoo_checkpoint(backbone_cfg, path, seed):
    """A checkpoint in MMAction2's model-zoo layout: recognizer keys with 'backbone.'."""
    torch.manual_seed(seed)
    backbone = MODELS.build(copy.deepcopy(backbone_cfg))
    state = {f'backbone.{k}': v.clone() + 0.01 * seed if v.is_floating_point() else v.clone()
             for k, v in backbone.state_dict().items()}
    state['cls_head.fc_cls.weight'] = torch.randn(400, 8)
    state['cls_head.fc_cls.bias'] = torch.randn(400)
    torch.save(dict(meta=dict(epoch=256, mmaction_version='1.0.0'), state_dict=state), path)
    return {k[len('backbone.'):]: v for k, v in state.items() if k.startswith('backbone.')}


def test_model_zoo_checkpoints_load_per_backbone(tmp_path):
    rgb_ckpt, flow_ckpt = tmp_path / 'slowfast_k400.pth', tmp_path / 'slowonly_flow.pth'
    rgb_state = _zoo_checkpoint(RGB, rgb_ckpt, seed=1)
    flow_state = _zoo_checkpoint(FLOW, flow_ckpt, seed=2)
    cfg = model_cfg(
        ('imgs', 'flow_imgs', 'audios'),
        imgs=dict(init_cfg=dict(type='Pretrained', checkpoint=str(rgb_ckpt), prefix='backbone.')),
        flow_imgs=dict(init_cfg=dict(type='Pretrained', checkpoint=str(flow_ckpt),
                                     prefix='backbone.')))
    model = MODELS.build(cfg)
    model.init_weights()
    for m, ref in (('imgs', rgb_state), ('flow_imgs', flow_state)):
        own = model.backbones[m].state_dict()
        assert set(ref) == set(own)
        for k, v in ref.items():
            assert torch.equal(own[k], v), f'{m}.{k} not loaded'


def test_bad_backbone_init_cfg():
    cfg = model_cfg(('audios', ), audios=dict(init_cfg=dict(type='Kaiming')))
    with pytest.raises(ValueError, match="only type='Pretrained'"):
        MODELS.build(cfg).init_weights()


def test_frozen_stages_pass_through():
    flow = dict(frozen_stages=3)
    rgb = dict(slow_pathway=dict(RGB['slow_pathway'], frozen_stages=3),
               fast_pathway=dict(RGB['fast_pathway'], frozen_stages=3))
    model = MODELS.build(model_cfg(('imgs', 'flow_imgs'), imgs=rgb, flow_imgs=flow))
    model.init_weights()
    model.train()
    for name, p in itertools.chain(model.backbones['flow_imgs'].named_parameters(),
                                   model.backbones['imgs'].named_parameters()):
        if '.' not in name or 'lateral' in name:
            continue  # MMAction2 does not freeze SlowFast's lateral connections
        frozen = name.split('.')[0] in ('conv1', 'layer1', 'layer2', 'layer3') or \
            any(f'_path.{s}' in name for s in ('conv1', 'layer1', 'layer2', 'layer3'))
        if frozen:
            assert not p.requires_grad, name
        elif '.layer4.' in name or name.startswith('layer4'):
            assert p.requires_grad, name


def test_nan_features_name_the_modality():
    model = MODELS.build(model_cfg(('imgs', 'audios')))
    inputs, samples = batch(('imgs', 'audios'))
    inputs['audios'][0, 0, 0, 0, 0] = float('nan')
    with pytest.raises(FloatingPointError, match=r"\['audios'\] encoder"):
        model(dict(inputs), samples, mode='loss')


def test_the_recognizer_trains_on_each_view_as_a_sample():
    """views_as_samples: one pass over the 2N views; loss_cls is the CE of both views."""
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'fusion_synthetic_vector.py')).model
    torch.manual_seed(0)
    model = MODELS.build(cfg).train()
    gen = torch.Generator().manual_seed(7)
    inputs = {m: torch.randn(4, 2, 32, generator=gen) for m in ('imgs', 'flow_imgs', 'audios')}
    samples = [ActionDataSample().set_gt_label(i % 4) for i in range(4)]
    model.train_cfg = dict(views_as_samples=True)
    split, repeated, v = model.training_views(inputs, samples)
    assert v == 2 and repeated == samples + samples
    assert torch.equal(split['imgs'][:4, 0], inputs['imgs'][:, 0])  # view-major
    assert torch.equal(split['imgs'][4:, 0], inputs['imgs'][:, 1])
    model.eval()  # no dropout: the two computations must agree exactly
    losses = model.loss(inputs, samples)
    logits = model.cls_head(model.extract_feat(split))
    ref = torch.nn.functional.cross_entropy(logits, torch.tensor([0, 1, 2, 3] * 2))
    assert losses['loss_cls'].item() == pytest.approx(ref.item(), rel=1e-6)
    model.train_cfg = None  # the default: the views are averaged
    averaged = model.cls_head(model.extract_feat(inputs))
    assert model.loss(inputs, samples)['loss_cls'].item() == pytest.approx(
        torch.nn.functional.cross_entropy(averaged, torch.tensor([0, 1, 2, 3])).item(), rel=1e-6)
    with pytest.raises(ValueError, match='train_cfg keys'):
        MODELS.build(dict(cfg, train_cfg=dict(views=2)))
