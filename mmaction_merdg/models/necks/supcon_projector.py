"""Projection head of the contrastive MMDG methods (SimMMDG, CMRF)."""
from torch import Tensor, nn
from torch.nn import functional as F

from mmaction.registry import MODELS


@MODELS.register_module()
class SupConProjector(nn.Module):
    """``Linear-BN-ReLU`` x2, ``Linear``, then L2 normalisation.

    The ``ProjectHead`` of SimMMDG (donghao51/SimMMDG) and CMRF: hidden width
    2048 and output 128 in their EPIC/HAC recipes.

    Args:
        in_channels (int): Input size.
        hidden_channels (int): Hidden width. Defaults to 2048.
        out_channels (int): Output size. Defaults to 128.
    """

    def __init__(self, in_channels: int, hidden_channels: int = 2048,
                 out_channels: int = 128) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(in_channels, hidden_channels), nn.BatchNorm1d(hidden_channels),
            nn.ReLU(inplace=True),
            nn.Linear(hidden_channels, hidden_channels), nn.BatchNorm1d(hidden_channels),
            nn.ReLU(inplace=True),
            nn.Linear(hidden_channels, out_channels))

    def forward(self, x: Tensor) -> Tensor:
        """``[N, in_channels]`` -> unit-norm ``[N, out_channels]``."""
        return F.normalize(self.layers(x), dim=1)
