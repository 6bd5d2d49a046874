"""tools/analysis/get_flops.py: FLOPs of the multimodal recognizer with a dict input."""
import pytest

from mmaction.registry import MODELS

from ..conftest import load_tool

multimodal_complexity = load_tool('analysis/get_flops.py').multimodal_complexity


def test_flops_grow_with_input_and_params_match_the_model():
    model = MODELS.build(dict(
        type='MultiModalRecognizer',
        backbones=dict(audios=dict(type='ResNetAudio', depth=50, pretrained=None,
                                   in_channels=1, base_channels=4)),
        cls_head=dict(type='MultiModalFusionHead', num_classes=3, hidden_channels=16)))
    small = multimodal_complexity(model, dict(audios=(1, 1, 32, 32)))
    big = multimodal_complexity(model, dict(audios=(1, 1, 64, 64)))
    assert small['params'] == sum(p.numel() for p in model.parameters())
    # Convolutions dominate: 4x the pixels is close to 4x the FLOPs.
    assert 3.5 < big['flops'] / small['flops'] <= 4.0
    with pytest.raises(ValueError, match='shapes lacks'):
        multimodal_complexity(model, dict(imgs=(1, 3, 4, 8, 8)))
