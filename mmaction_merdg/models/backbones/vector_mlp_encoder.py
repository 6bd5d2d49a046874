"""A small MLP encoder for vector-valued modalities (the vector-level
synthetic benchmark, ``SyntheticMMDGVectorDataset``)."""
from torch import Tensor, nn
from mmengine.model import BaseModule

from mmaction.registry import MODELS


@MODELS.register_module()
class VectorMLPEncoder(BaseModule):
    """``(Linear-ReLU) x num_layers``: a feature vector -> an encoder feature.

    Stands in for a clip encoder plus global pooling, so that the recognizer,
    the fusion head and MER-DG's loss see the same interfaces as with clips.

    Args:
        in_channels (int): Size ``D`` of the input vector.
        hidden_channels (int): Width of the hidden layers. Defaults to 64.
        out_channels (int): Size of the output feature. Defaults to 64.
        num_layers (int): Number of linear layers, >= 1. Defaults to 2.
        init_cfg (dict, optional): mmengine init config. Defaults to None.
    """

    def __init__(self,
                 in_channels: int,
                 hidden_channels: int = 64,
                 out_channels: int = 64,
                 num_layers: int = 2,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_layers < 1:
            raise ValueError(f'VectorMLPEncoder: num_layers must be >= 1, got {num_layers}.')
        widths = [in_channels] + [hidden_channels] * (num_layers - 1) + [out_channels]
        layers = []
        for a, b in zip(widths[:-1], widths[1:]):
            layers += [nn.Linear(a, b), nn.ReLU(inplace=True)]
        self.layers = nn.Sequential(*layers)
        self.in_channels = in_channels

    def forward(self, x: Tensor) -> Tensor:
        """Encode ``x`` of shape ``[B, in_channels]`` to ``[B, out_channels]``."""
        if x.dim() != 2 or x.shape[1] != self.in_channels:
            raise ValueError(f'VectorMLPEncoder expects [B, {self.in_channels}] inputs; '
                             f'got {tuple(x.shape)}.')
        return self.layers(x)
