"""The MER-DG recipe's trainable parameters: layer4 of every encoder, the heads."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from mmaction.registry import MODELS
from mmaction_merdg.engine.optimizers import LARS

from ...conftest import REPO

RECIPE = osp.join(REPO, 'configs', '_base_', 'schedules', 'lars-1e-4_20e.py')


def _model(name):
    torch.manual_seed(0)
    return MODELS.build(Config.fromfile(osp.join(REPO, 'configs', name)).model)


def test_recipe_trains_layer4_heads_and_projection_heads_only():
    cfg = Config.fromfile(RECIPE)
    assert cfg.train_cfg.max_epochs == 20 and cfg.param_scheduler == []
    assert cfg.optim_wrapper.optimizer == dict(type='LARS', lr=1e-4, weight_decay=1e-6,
                                               momentum=0.9, eta=1e-3,
                                               exclude_bias_and_norm=True)
    model = _model('merdg_synthetic.py')  # SlowFast, SlowOnly, ResNetAudio + MER-DG
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    assert isinstance(wrapper.optimizer, LARS)
    trained = {n for n, p in model.named_parameters() if p.requires_grad}
    expected = {n for n, _ in model.named_parameters()
                if '.layer4.' in n or n.startswith(('cls_head.', 'regularizers.'))}
    assert trained == expected
    assert any(n.startswith('backbones.imgs.slow_path.layer4.') for n in trained)
    assert any(n.startswith('backbones.imgs.fast_path.layer4.') for n in trained)
    assert any(n.startswith('backbones.flow_imgs.layer4.') for n in trained)
    assert any(n.startswith('backbones.audios.layer4.') for n in trained)
    assert any(n.startswith('regularizers.mer.projectors.') for n in trained)
    assert not any('.layer3.' in n or 'conv1' in n.split('.layer')[0] for n in trained)


def test_a_layer_the_backbone_lacks_is_an_error_naming_it():
    cfg = Config.fromfile(RECIPE)
    with pytest.raises(ValueError, match=r"'backbones.\*.layer4' names a layer that "
                                         r"backbones\['imgs'\] \(VectorMLPEncoder\) lacks"):
        build_optim_wrapper(_model('merdg_synthetic_vector.py'), cfg.optim_wrapper)
    cfg.optim_wrapper.paramwise_cfg.trainable = ['cls_head', 'neck']
    with pytest.raises(ValueError, match="'neck' matches no module"):
        build_optim_wrapper(_model('fusion_synthetic_vector.py'), cfg.optim_wrapper)
    cfg.optim_wrapper.paramwise_cfg = dict()
    with pytest.raises(ValueError, match='needs optim_wrapper.paramwise_cfg.trainable'):
        build_optim_wrapper(_model('fusion_synthetic_vector.py'), cfg.optim_wrapper)
