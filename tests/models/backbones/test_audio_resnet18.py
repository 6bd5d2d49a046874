"""AudioResNet18 against a checkpoint written in the VGGSound / SimMMDG layout."""
from collections import OrderedDict

import pytest
import torch

from mmaction.registry import MODELS


def vggsound_checkpoint(num_classes=309, seed=0):
    """A checkpoint as VGGSound's ``vggsound_avgpool.pth.tar`` stores it.

    Written from the layout (``AVENet.audnet`` = torchvision ResNet-18 with a
    1-channel stem and a 309-way classifier), not from our module.
    """
    gen = torch.Generator().manual_seed(seed)
    state = OrderedDict()

    def conv(name, c_out, c_in, k):
        state[f'audnet.{name}.weight'] = torch.randn(c_out, c_in, k, k,
                                                     generator=gen)

    def bn(name, c):
        state[f'audnet.{name}.weight'] = torch.rand(c, generator=gen) + 0.5
        state[f'audnet.{name}.bias'] = torch.randn(c, generator=gen)
        state[f'audnet.{name}.running_mean'] = torch.randn(c, generator=gen)
        state[f'audnet.{name}.running_var'] = torch.rand(c, generator=gen) + .5
        state[f'audnet.{name}.num_batches_tracked'] = torch.tensor(7)

    conv('conv1', 64, 1, 7)
    bn('bn1', 64)
    c_in = 64
    for layer, c in zip(range(1, 5), (64, 128, 256, 512)):
        for block in range(2):
            prefix = f'layer{layer}.{block}'
            conv(f'{prefix}.conv1', c, c_in if block == 0 else c, 3)
            bn(f'{prefix}.bn1', c)
            conv(f'{prefix}.conv2', c, c, 3)
            bn(f'{prefix}.bn2', c)
            if block == 0 and layer > 1:
                conv(f'{prefix}.downsample.0', c, c_in, 1)
                bn(f'{prefix}.downsample.1', c)
        c_in = c
    state['audnet.fc.weight'] = torch.randn(num_classes, 512, generator=gen)
    state['audnet.fc.bias'] = torch.randn(num_classes, generator=gen)
    return dict(epoch=1, model_state_dict=state)


def test_loads_vggsound_layout_and_outputs_512d_map(tmp_path):
    checkpoint = vggsound_checkpoint()
    path = str(tmp_path / 'vggsound_avgpool.pth.tar')
    torch.save(checkpoint, path)
    model = MODELS.build(dict(type='AudioResNet18', pretrained=path))
    model.init_weights()
    state = model.state_dict()
    source = checkpoint['model_state_dict']
    assert len(state) == len(source) - 2  # all but fc.weight / fc.bias
    for name, value in state.items():
        torch.testing.assert_close(value, source[f'audnet.{name}'])
    model.eval()
    with torch.no_grad():
        out = model(torch.randn(1, 1, 257, 1004))
    assert out.shape == (1, 512, 9, 32)
    assert out.mean(dim=(2, 3)).shape == (1, 512)


def test_wrong_layout_is_refused_naming_keys(tmp_path):
    checkpoint = vggsound_checkpoint()
    del checkpoint['model_state_dict']['audnet.layer3.0.downsample.0.weight']
    path = str(tmp_path / 'broken.pth')
    torch.save(checkpoint, path)
    model = MODELS.build(dict(type='AudioResNet18', pretrained=path))
    with pytest.raises(KeyError, match=r'layer3\.0\.downsample\.0\.weight'):
        model.init_weights()


def test_frozen_stages_norm_eval_and_small_width():
    model = MODELS.build(dict(type='AudioResNet18', base_channels=4,
                              frozen_stages=1, norm_eval=True))
    model.init_weights()
    model.train()
    assert not any(p.requires_grad for p in model.layer1.parameters())
    assert all(p.requires_grad for p in model.layer2.parameters())
    assert not model.bn1.training and not model.layer3[0].bn1.training
    x = torch.randn(2, 1, 64, 64, requires_grad=True)
    out = model(x)
    assert out.shape == (2, 32, 2, 2)
    out.sum().backward()
    assert model.layer4[0].conv1.weight.grad is not None
    assert model.conv1.weight.grad is None
    with pytest.raises(ValueError, match='frozen_stages'):
        MODELS.build(dict(type='AudioResNet18', frozen_stages=5))
