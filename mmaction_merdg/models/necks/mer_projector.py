"""Per-modality projection neck that feeds MER-DG's entropy loss."""
from torch import Tensor, nn

from mmaction.registry import MODELS


@MODELS.register_module()
class MERProjector(nn.Module):
    """``Linear-LayerNorm-ReLU`` x2 followed by ``Linear`` to ``out_channels``.

    The projection head of the official MER-DG code (128-d output), applied to
    one modality's pooled encoder feature. Only the entropy loss sees its
    output; the fusion head consumes the encoder features themselves.

    Args:
        in_channels (int): Size of the pooled encoder feature.
        hidden_channels (int): Width of the two hidden layers. Defaults to
            2048 (the official ``ProjectHead``'s ``--hidden_dim``).
        out_channels (int): Size of the projected feature ``z``. Defaults to 128.
    """

    def __init__(self,
                 in_channels: int,
                 hidden_channels: int = 2048,
                 out_channels: int = 128) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(in_channels, hidden_channels),
            nn.LayerNorm(hidden_channels), nn.ReLU(inplace=True),
            nn.Linear(hidden_channels, hidden_channels),
            nn.LayerNorm(hidden_channels), nn.ReLU(inplace=True),
            nn.Linear(hidden_channels, out_channels))

    def forward(self, x: Tensor) -> Tensor:
        """Project ``x`` of shape ``[N, in_channels]`` to ``[N, out_channels]``."""
        return self.layers(x)
