"""Per-modality projection neck that feeds MER-DG's entropy loss."""
from typing import Dict, List, Mapping

import torch
import torch.nn.functional as F
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
        hidden_channels (int): Width of the two hidden layers. Defaults to 512.
        out_channels (int): Size of the projected feature ``z``. Defaults to 128.
    """

    def __init__(self,
                 in_channels: int,
                 hidden_channels: int = 512,
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


def project_all(projectors: Mapping[str, nn.Module],
                feats: Mapping[str, Tensor]) -> Dict[str, Tensor]:
    """Apply each modality's projector, batching the modalities where possible.

    Same values as ``{m: projectors[m](feats[m])}`` (and the same parameters,
    so checkpoints are unchanged), with about a third of the dispatched ops
    when every projector is a :class:`MERProjector` of the same widths: the
    first ``Linear`` stays per modality (its input sizes differ); the two
    LayerNorms over ``M`` concatenated ``[N, H]`` blocks are one
    ``group_norm`` with ``M`` groups, and the two following ``Linear`` layers
    one grouped 1x1 convolution each (``groups=M``). Otherwise the projectors
    run one by one.

    Args:
        projectors (Mapping[str, nn.Module]): ``modality -> projector``.
        feats (Mapping[str, Tensor]): ``modality -> [N, D_m]`` features.

    Returns:
        dict: ``modality -> [N, out_channels]``, in the order of ``feats``.
    """
    mods = list(feats)
    heads = [projectors[m] for m in mods]
    if not _groupable(heads, [feats[m] for m in mods]):
        return {m: projectors[m](feats[m]) for m in mods}
    k = len(heads)
    first = [h.layers[0] for h in heads]
    norms = ([h.layers[1] for h in heads], [h.layers[4] for h in heads])
    lins = ([h.layers[3] for h in heads], [h.layers[6] for h in heads])
    # M x [N, H] -> [N, M*H]: modality blocks side by side
    x = torch.cat([F.linear(feats[m], lin.weight, lin.bias)
                   for m, lin in zip(mods, first)], dim=1)
    for ln, lin in zip(norms, lins):
        # group_norm with M groups normalises each [N, H] block: M LayerNorms.
        x = F.group_norm(x, k, torch.cat([n.weight for n in ln]),
                         torch.cat([n.bias for n in ln]), ln[0].eps)
        x = F.relu(x, inplace=True)
        weight = torch.stack([w.weight for w in lin])  # [M, H_out, H_in]
        weight = weight.view(-1, weight.shape[-1], 1)  # -> [M*H_out, H_in, 1]
        x = F.conv1d(x.unsqueeze(-1), weight, torch.cat([w.bias for w in lin]),
                     groups=k).squeeze(-1)  # [N, M*H_in] -> [N, M*H_out]
    out = x.view(x.shape[0], k, -1).unbind(1)  # [N, M*C] -> M x [N, C]
    return dict(zip(mods, out))


def _groupable(heads: List[nn.Module], xs: List[Tensor]) -> bool:
    if len(heads) < 2 or not all(type(h) is MERProjector for h in heads):
        return False
    if len({x.shape[0] for x in xs}) != 1:
        return False

    def sig(h):
        lay = h.layers
        return (lay[3].in_features, lay[3].out_features, lay[6].out_features,
                lay[1].eps, lay[4].eps, lay[1].elementwise_affine,
                lay[4].elementwise_affine, lay[0].bias is not None)

    sigs = {sig(h) for h in heads}
    return len(sigs) == 1 and all(sigs.pop()[5:])
