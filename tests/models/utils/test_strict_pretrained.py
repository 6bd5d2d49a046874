"""Strict per-backbone checkpoint loading."""
import pytest
import torch

from mmaction.registry import MODELS
from mmaction_merdg.models.utils import PretrainedMismatchError, load_backbone_checkpoint

RGB = dict(type='ResNet3dSlowOnly', depth=18, pretrained=None, in_channels=3, base_channels=8,
           conv1_kernel=(1, 7, 7), inflate=(0, 0, 1, 1), with_pool2=False)


def _zoo_checkpoint(tmp_path, backbone, prefix='backbone.'):
    """An MMAction2-style recognizer checkpoint holding ``backbone`` (plus a head)."""
    state = {prefix + k: v for k, v in backbone.state_dict().items()}
    state['cls_head.fc_cls.weight'] = torch.zeros(4, 64)
    path = str(tmp_path / 'zoo.pth')
    torch.save(dict(state_dict=state, meta=dict()), path)
    return path


def test_right_prefix_loads_every_tensor(tmp_path):
    src = MODELS.build(dict(RGB))
    path = _zoo_checkpoint(tmp_path, src)
    dst = MODELS.build(dict(RGB))
    split = load_backbone_checkpoint(dst, path, prefix='backbone.')
    assert not split['missing'] and not split['mismatched']
    for k, v in src.state_dict().items():
        assert torch.equal(v, dst.state_dict()[k]), k


def test_forgotten_prefix_raises_with_summary(tmp_path):
    path = _zoo_checkpoint(tmp_path, MODELS.build(dict(RGB)))
    with pytest.raises(PretrainedMismatchError) as err:
        load_backbone_checkpoint(MODELS.build(dict(RGB)), path, name="backbones['imgs']")
    msg = str(err.value)
    assert 'loaded 0/' in msg and 'prefix tried: None' in msg and 'backbone. (' in msg
    assert "prefix='backbone.'" in msg


def test_rgb_checkpoint_into_flow_backbone_raises_then_relaxes(tmp_path):
    path = _zoo_checkpoint(tmp_path, MODELS.build(dict(RGB)))
    flow = MODELS.build(dict(RGB, in_channels=2))
    before = flow.conv1.conv.weight.clone()
    with pytest.raises(PretrainedMismatchError, match=r'conv1.conv.weight \(8, 3, 1, 7, 7\) '
                       r'vs \(8, 2, 1, 7, 7\)'):
        load_backbone_checkpoint(flow, path, prefix='backbone.')
    split = load_backbone_checkpoint(flow, path, prefix='backbone.', strict=False)
    assert [k for k, _, _ in split['mismatched']] == ['conv1.conv.weight']
    assert torch.equal(flow.conv1.conv.weight, before)  # the stem stays as it was
    assert len(split['loaded']) > 10


def test_missing_fraction_threshold(tmp_path):
    src = MODELS.build(dict(RGB))
    state = {'backbone.' + k: v for k, v in src.state_dict().items() if 'layer4' not in k}
    path = str(tmp_path / 'partial.pth')
    torch.save(dict(state_dict=state), path)
    with pytest.raises(PretrainedMismatchError, match='of the tensors are missing'):
        load_backbone_checkpoint(MODELS.build(dict(RGB)), path, prefix='backbone.')
    load_backbone_checkpoint(MODELS.build(dict(RGB)), path, prefix='backbone.',
                             max_missing=0.5)


def test_recognizer_init_weights_is_strict(tmp_path):
    path = _zoo_checkpoint(tmp_path, MODELS.build(dict(RGB)))
    model = MODELS.build(dict(
        type='MultiModalRecognizer',
        backbones=dict(imgs=dict(RGB, init_cfg=dict(type='Pretrained', checkpoint=path))),
        cls_head=dict(type='MultiModalFusionHead', num_classes=3, hidden_channels=16)))
    with pytest.raises(PretrainedMismatchError, match=r"backbones\['imgs'\] \(ResNet3dSlowOnly\)"):
        model.init_weights()
