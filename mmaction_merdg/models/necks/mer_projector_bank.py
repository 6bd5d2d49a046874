"""MER-DG's projection heads of all modalities, stored stacked and run batched."""
from typing import Dict, Iterator, Mapping, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .mer_projector import MERProjector

# Parameters of the stacked layers, and the MERProjector layer each comes from
# (``layers.<index>.<weight|bias>``), for loading per-modality checkpoints.
_STACKED = (('norm1_weight', 1, 'weight'), ('norm1_bias', 1, 'bias'),
            ('fc2_weight', 3, 'weight'), ('fc2_bias', 3, 'bias'),
            ('norm2_weight', 4, 'weight'), ('norm2_bias', 4, 'bias'),
            ('fc3_weight', 6, 'weight'), ('fc3_bias', 6, 'bias'))


class MERProjectorBank(nn.Module):
    """``M`` :class:`MERProjector` heads, one per modality, run as one batch.

    Same function and the same initial values as ``{m: MERProjector(D_m, H,
    C)(feats[m])}`` (the heads are built one by one in modality order, so the
    random initialisation is unchanged, then stored stacked). Outputs and
    gradients equal the one-by-one heads' to float64 rounding (tested); in
    float32 the batched matrix products may round differently (~1e-7
    relative), so a training run is not bit-identical to one with the heads
    applied one by one. Why: the step dispatches about a third of the ops, since the
    layers after the first run once for all modalities and there are
    ``8 + 2 M`` parameter tensors instead of ``10 M`` (each costs host work in the
    backward and in the optimizer); see docs/gpu.md.

    Layout (``M`` modalities in ``modalities`` order, hidden width ``H``,
    output width ``C``):

    * ``fc1_weight[m]`` ``[D_m, H]``, ``fc1_bias[m]`` ``[H]``: the first
      ``Linear`` of each modality (input sizes differ);
    * ``norm{1,2}_{weight,bias}``: ``[M, 1, H]`` LayerNorm affine parameters;
    * ``fc2_weight`` ``[M, H, H]``, ``fc2_bias`` ``[M, 1, H]``;
      ``fc3_weight`` ``[M, H, C]``, ``fc3_bias`` ``[M, 1, C]``: weights stored
      ``[in, out]`` (the transpose of ``nn.Linear``'s), so neither the forward
      nor the weight gradient needs a transposed copy.

    Checkpoints saved with per-modality heads (``<prefix><m>.layers.<i>.*``,
    the layout before this class) load into it (a state-dict pre-hook stacks
    them); the bank indexes like the dict of heads it replaces (``bank[m]``
    is a callable view of modality ``m``).

    Args:
        in_channels (dict): ``modality -> D_m``, in the order to stack.
        hidden_channels (int): Width of the two hidden layers. Defaults to
            2048 (the official ``--hidden_dim``).
        out_channels (int): Size of each projected feature. Defaults to 128.
    """

    def __init__(self, in_channels: Mapping[str, int], hidden_channels: int = 2048,
                 out_channels: int = 128) -> None:
        super().__init__()
        if not in_channels:
            raise ValueError('MERProjectorBank needs at least one modality in in_channels.')
        self.modalities: Tuple[str, ...] = tuple(in_channels)
        self.hidden_channels = int(hidden_channels)
        self.out_channels = int(out_channels)
        heads = [MERProjector(int(d), hidden_channels, out_channels)
                 for d in in_channels.values()]
        self.eps = heads[0].layers[1].eps
        # first Linear per modality (input sizes differ), weight stored [in, out]
        self.fc1_weight = nn.ParameterDict({
            m: nn.Parameter(h.layers[0].weight.detach().t().contiguous())
            for m, h in zip(self.modalities, heads)})
        self.fc1_bias = nn.ParameterDict({
            m: nn.Parameter(h.layers[0].bias.detach().clone()) for m, h in zip(self.modalities, heads)})
        for name, index, attr in _STACKED:
            value = torch.stack([getattr(h.layers[index], attr).detach() for h in heads])
            self.register_parameter(name, nn.Parameter(_to_bank(value).contiguous()))
        self._register_load_state_dict_pre_hook(self._stack_per_modality_keys)

    def forward(self, feats: Mapping[str, Tensor]) -> Tensor:
        """Project every modality's feature.

        Args:
            feats (Mapping[str, Tensor]): ``modality -> [N, D_m]``, one entry
                for each of :attr:`modalities`, all with the same ``N``.

        Returns:
            Tensor: ``[M, N, C]`` projections in :attr:`modalities` order.
        """
        missing = [m for m in self.modalities if m not in feats]
        if missing:
            raise KeyError(f'MERProjectorBank: no features for {missing}; '
                           f'expected {list(self.modalities)}.')
        # M x [N, D_m] -> [M, N, H]
        x = torch.stack([torch.addmm(self.fc1_bias[m], feats[m], self.fc1_weight[m])
                         for m in self.modalities])
        x = self._block(x, self.norm1_weight, self.norm1_bias, self.fc2_weight, self.fc2_bias)
        return self._block(x, self.norm2_weight, self.norm2_bias,
                           self.fc3_weight, self.fc3_bias)  # [M, N, C]

    def _block(self, x: Tensor, norm_w: Tensor, norm_b: Tensor, fc_w: Tensor,
               fc_b: Tensor) -> Tensor:
        """``Linear(ReLU(LayerNorm(x)))`` per modality: ``[M, N, H] -> [M, N, H_out]``."""
        x = F.layer_norm(x, x.shape[-1:], eps=self.eps)
        # affine after the normalisation: bit-equal to nn.LayerNorm's fused one
        x = torch.relu_(torch.addcmul(norm_b, x, norm_w))
        return torch.baddbmm(fc_b, x, fc_w)  # [M, N, H_in] @ [M, H_in, H_out]

    def __len__(self) -> int:
        return len(self.modalities)

    def __iter__(self) -> Iterator[str]:
        return iter(self.modalities)

    def __contains__(self, modality: object) -> bool:
        return modality in self.modalities

    def keys(self) -> Sequence[str]:
        """The modalities, in stacking order (dict-like)."""
        return self.modalities

    def __getitem__(self, modality: str) -> '_BankView':
        if modality not in self.modalities:
            raise KeyError(f'MERProjectorBank has no head for {modality!r}; '
                           f'it has {list(self.modalities)}.')
        return _BankView(self, modality)

    def _stack_per_modality_keys(self, state_dict: Dict[str, Tensor], prefix: str,
                                 *args) -> None:
        """Stack ``<prefix><m>.layers.<i>.*`` (per-modality heads) into this layout."""
        stack_per_modality_keys(state_dict, prefix, self.modalities)


def stack_per_modality_keys(state_dict: Dict[str, Tensor], prefix: str,
                            modalities: Sequence[str]) -> None:
    """Rewrite, in place, per-modality :class:`MERProjector` keys
    ``<prefix><m>.layers.<i>.*`` into the :class:`MERProjectorBank` layout
    (``<prefix>fc1_weight.<m>``, ``<prefix>fc2_weight``...). Keys of a layer
    missing for some modality are left as they are (``load_state_dict``
    reports them). Used by the bank's load pre-hook and by the checkpoint
    converter (``tools/misc/convert_checkpoint.py``)."""
    if not any(k.startswith(f'{prefix}{m}.layers.') for m in modalities for k in state_dict):
        return
    for m in modalities:
        for attr in ('weight', 'bias'):
            key = f'{prefix}{m}.layers.0.{attr}'
            if key in state_dict:
                value = state_dict.pop(key)
                state_dict[f'{prefix}fc1_{attr}.{m}'] = value.t() if attr == 'weight' else value
    for name, index, attr in _STACKED:
        keys = [f'{prefix}{m}.layers.{index}.{attr}' for m in modalities]
        if not all(k in state_dict for k in keys):
            continue  # reported by load_state_dict as missing/unexpected
        state_dict[prefix + name] = _to_bank(torch.stack([state_dict.pop(k) for k in keys]))


def _to_bank(value: Tensor) -> Tensor:
    """Stacked per-modality parameters to the bank layout.

    ``[M, H]`` (LayerNorm affine, Linear bias) -> ``[M, 1, H]``, which
    broadcasts over the batch; ``[M, out, in]`` (Linear weight) -> ``[M, in, out]``.
    """
    return value.unsqueeze(1) if value.dim() == 2 else value.transpose(1, 2)


class _BankView:
    """One modality of a :class:`MERProjectorBank`, called like its own head.

    ``view(x)`` maps ``[N, D_m] -> [N, C]``. It indexes the stacked
    parameters, so it is for inspection and tests, not the training path.
    """

    def __init__(self, bank: MERProjectorBank, modality: str) -> None:
        self.bank = bank
        self.modality = modality
        self.index = bank.modalities.index(modality)

    def __call__(self, x: Tensor) -> Tensor:
        b, i, m = self.bank, self.index, self.modality
        h = torch.addmm(b.fc1_bias[m], x, b.fc1_weight[m]).unsqueeze(0)  # [N, D_m] -> [1, N, H]
        h = b._block(h, b.norm1_weight[i:i + 1], b.norm1_bias[i:i + 1],
                     b.fc2_weight[i:i + 1], b.fc2_bias[i:i + 1])
        h = b._block(h, b.norm2_weight[i:i + 1], b.norm2_bias[i:i + 1],
                     b.fc3_weight[i:i + 1], b.fc3_bias[i:i + 1])
        return h.squeeze(0)
