"""Supervised contrastive loss over several views (here: modalities).

Reference: Khosla et al., "Supervised Contrastive Learning", NeurIPS 2020, in
the form SimMMDG (donghao51/SimMMDG) and CMRF use it: every modality's
embedding of a sample is one view, all views are anchors (``contrast_mode =
'all'``), positives are the other views with the same label.
"""
import torch
from torch import Tensor, nn

from mmaction.registry import MODELS


def supcon_loss(features: Tensor, labels: Tensor, temperature: float = 0.1,
                base_temperature: float = 0.07) -> Tensor:
    """Supervised contrastive loss, averaged over all ``N * V`` anchors.

    For anchor ``i`` with positives ``P(i)`` (same label, ``j != i``) and all
    other vectors ``A(i)``::

        l_i = -(T / T_base) * mean_{p in P(i)} [s_ip / T - log sum_{a in A(i)} exp(s_ia / T)]

    with ``s`` the dot products. An anchor without positives contributes 0
    (as in the reference code).

    Args:
        features (Tensor): ``[N, V, D]`` embeddings, normally L2-normalised.
        labels (Tensor): ``[N]`` class indices.
        temperature (float): ``T``. Defaults to 0.1 (SimMMDG's ``--temp``).
        base_temperature (float): ``T_base``. Defaults to 0.07.

    Returns:
        Tensor: Scalar.
    """
    if features.dim() != 3:
        raise ValueError(f'supcon_loss expects features [N, V, D]; got {tuple(features.shape)}.')
    n, v, _ = features.shape
    if labels.shape != (n, ):
        raise ValueError(f'supcon_loss: labels must be [{n}]; got {tuple(labels.shape)}.')
    x = features.transpose(0, 1).reshape(n * v, -1)  # [N, V, D] -> [V*N, D], view-major
    y = labels.repeat(v)  # [V*N]
    sim = x @ x.t() / temperature  # [VN, VN]
    self_mask = torch.eye(n * v, dtype=torch.bool, device=x.device)
    log_norm = torch.logsumexp(sim.masked_fill(self_mask, float('-inf')), dim=1, keepdim=True)
    log_prob = sim - log_norm  # [VN, VN]
    pos = (y[:, None] == y[None, :]) & ~self_mask
    mean_pos = (log_prob * pos).sum(1) / pos.sum(1).clamp_min(1)
    return -(temperature / base_temperature) * mean_pos.mean()


@MODELS.register_module()
class SupConLoss(nn.Module):
    """Module form of :func:`supcon_loss` with a ``loss_weight``.

    Args:
        temperature (float): Defaults to 0.1.
        base_temperature (float): Defaults to 0.07.
        loss_weight (float): Defaults to 1.0.
    """

    def __init__(self, temperature: float = 0.1, base_temperature: float = 0.07,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        if temperature <= 0 or base_temperature <= 0:
            raise ValueError('SupConLoss: temperatures must be > 0, got '
                             f'{temperature}, {base_temperature}.')
        self.temperature = float(temperature)
        self.base_temperature = float(base_temperature)
        self.loss_weight = float(loss_weight)

    def forward(self, features: Tensor, labels: Tensor) -> Tensor:
        """Weighted loss for ``features [N, V, D]`` and ``labels [N]``."""
        return self.loss_weight * supcon_loss(features, labels, self.temperature,
                                              self.base_temperature)
