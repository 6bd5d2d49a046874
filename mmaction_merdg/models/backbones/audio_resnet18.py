"""The VGGSound ResNet-18 audio encoder of SimMMDG and MER-DG.

Chen et al., "VGGSound: A Large-scale Audio-Visual Dataset", ICASSP 2020
(https://github.com/hche11/VGGSound): a torchvision-style ResNet-18 whose stem
takes one channel, trained on ``257 x 1004`` log spectrograms (model "H",
``vggsound_avgpool.pth.tar``). SimMMDG (https://github.com/donghao51/SimMMDG)
wraps it as ``AVENet.audnet``; its checkpoint stores
``{'model_state_dict': {'audnet.conv1.weight', 'audnet.bn1.*',
'audnet.layer{1..4}.{0,1}.{conv1,bn1,conv2,bn2}.*',
'audnet.layer{2,3,4}.0.downsample.{0,1}.*', 'audnet.fc.*'}, ...}``. This module
uses the same parameter names, so that checkpoint loads with the prefix
stripped and the VGGSound classifier (``fc``) dropped.
"""
from collections import OrderedDict
from typing import Optional, Sequence

import torch
import torch.nn as nn
from mmengine.logging import print_log
from mmengine.model import BaseModule

from mmaction.registry import MODELS


class AudioBasicBlock(nn.Module):
    """Two 3x3 convolutions with an identity (or 1x1-projected) shortcut."""

    def __init__(self, in_channels: int, channels: int,
                 stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, channels, 3, stride, 1,
                               bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(channels, channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.downsample = None
        if stride != 1 or in_channels != channels:
            # Named downsample.0 / downsample.1 as in torchvision.
            self.downsample = nn.Sequential(
                nn.Conv2d(in_channels, channels, 1, stride, bias=False),
                nn.BatchNorm2d(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``[N, C_in, H, W] -> [N, C, H / stride, W / stride]``."""
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


def extract_audio_state_dict(checkpoint) -> 'OrderedDict[str, torch.Tensor]':
    """The encoder weights of a VGGSound / SimMMDG audio checkpoint.

    Accepts ``{'model_state_dict': ...}`` (VGGSound, SimMMDG), ``{'state_dict':
    ...}`` (mmengine) or a bare state dict; strips the ``module.``,
    ``audnet.`` and ``backbone.`` prefixes and drops the classifier ``fc.*``.
    """
    if isinstance(checkpoint, dict):
        for key in ('model_state_dict', 'state_dict'):
            if key in checkpoint and isinstance(checkpoint[key], dict):
                checkpoint = checkpoint[key]
                break
    state = OrderedDict()
    for name, value in checkpoint.items():
        for prefix in ('module.', 'audnet.', 'backbone.'):
            if name.startswith(prefix):
                name = name[len(prefix):]
        if name.startswith(('fc.', 'fc_.')):
            continue
        state[name] = value
    return state


@MODELS.register_module()
class AudioResNet18(BaseModule):
    """1-channel 2D ResNet-18 over spectrograms (the VGGSound encoder).

    Input ``[N, 1, F, T]`` (``[N, 1, 257, 1004]`` for the prior recipe);
    output the ``layer4`` feature map ``[N, 8 * base_channels, F / 32, T / 32]``
    (``[N, 512, 9, 32]``), which a global average pool turns into the 512-d
    feature of SimMMDG / MER-DG.

    Args:
        pretrained (str, optional): A checkpoint in the VGGSound / SimMMDG
            layout (see module docstring), loaded by :meth:`init_weights`,
            strictly: every encoder weight must be present. Defaults to None.
        base_channels (int): Width of the stem; 64 is the checkpoint's. Smaller
            values are for tests. Defaults to 64.
        in_channels (int): Input channels. Defaults to 1.
        frozen_stages (int): Stages whose parameters are frozen and whose
            BatchNorm stays in eval mode: -1 none, 0 the stem, ``k`` the stem
            and ``layer1..k``. Defaults to -1.
        norm_eval (bool): Keep every BatchNorm in eval mode while training
            (useful with small batches on a pretrained encoder). Defaults to
            False.
        init_cfg (dict or list[dict], optional): mmengine initialisation,
            used when ``pretrained`` is None. Defaults to Kaiming for convs
            and constant 1/0 for BatchNorm.
    """

    arch = (2, 2, 2, 2)

    def __init__(self,
                 pretrained: Optional[str] = None,
                 base_channels: int = 64,
                 in_channels: int = 1,
                 frozen_stages: int = -1,
                 norm_eval: bool = False,
                 init_cfg: Optional[Sequence[dict]] = (
                     dict(type='Kaiming', layer='Conv2d', mode='fan_out',
                          nonlinearity='relu'),
                     dict(type='Constant', layer='BatchNorm2d', val=1.0))
                 ) -> None:
        super().__init__(init_cfg=list(init_cfg) if init_cfg else None)
        if not -1 <= frozen_stages <= 4:
            raise ValueError(f'frozen_stages must be in [-1, 4], got '
                             f'{frozen_stages}')
        self.pretrained = pretrained
        self.base_channels = base_channels
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval
        self.feat_dim = base_channels * 8
        self.conv1 = nn.Conv2d(in_channels, base_channels, 7, 2, 3,
                               bias=False)
        self.bn1 = nn.BatchNorm2d(base_channels)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        channels = base_channels
        for i, num_blocks in enumerate(self.arch):
            out_channels = base_channels * 2**i
            blocks = [
                AudioBasicBlock(channels, out_channels, 1 if i == 0 else 2)
            ]
            blocks += [
                AudioBasicBlock(out_channels, out_channels)
                for _ in range(num_blocks - 1)
            ]
            self.add_module(f'layer{i + 1}', nn.Sequential(*blocks))
            channels = out_channels
        self._freeze_stages()

    def init_weights(self) -> None:
        """Load ``pretrained`` if given, else apply ``init_cfg``."""
        if self.pretrained is None:
            super().init_weights()
            return
        checkpoint = torch.load(self.pretrained, map_location='cpu',
                                weights_only=True)
        state = extract_audio_state_dict(checkpoint)
        result = self.load_state_dict(state, strict=False)
        if result.missing_keys or result.unexpected_keys:
            raise KeyError(
                f'{type(self).__name__}: {self.pretrained!r} is not in the '
                'VGGSound ResNet-18 layout: missing '
                f'{result.missing_keys[:8]}, unexpected '
                f'{result.unexpected_keys[:8]}')
        print_log(f'{type(self).__name__}: loaded {len(state)} tensors from '
                  f'{self.pretrained}', logger='current')
        self._is_init = True

    def _freeze_stages(self) -> None:
        stages = [nn.ModuleList([self.conv1, self.bn1])]
        stages += [getattr(self, f'layer{i}') for i in range(1, 5)]
        for stage in stages[:self.frozen_stages + 1]:
            stage.eval()
            for param in stage.parameters():
                param.requires_grad = False

    def train(self, mode: bool = True) -> 'AudioResNet18':
        """Keep frozen stages (and, with ``norm_eval``, all BN) in eval."""
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            for module in self.modules():
                if isinstance(module, nn.BatchNorm2d):
                    module.eval()
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``[N, 1, F, T] -> [N, 8 * base_channels, F / 32, T / 32]``."""
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer1(x)
        x = self.layer2(x)
        x = self.layer3(x)
        return self.layer4(x)
