"""RNA-Net's relative norm alignment as a regularizer."""
import itertools
from typing import Dict

import torch
from torch import Tensor

from mmaction.registry import MODELS

from .base_regularizer import BaseRegularizer, RegularizerInputs


def relative_norm_loss(feats: Dict[str, Tensor]) -> Tensor:
    """Mean over modality pairs ``(a, b)`` of ``(mean_i ||f_a,i|| / mean_i ||f_b,i|| - 1)^2``.

    Pairs are taken in the given order (``a`` before ``b``), which for
    ``(imgs, flow_imgs, audios)`` gives the reference's ratios video/flow,
    video/audio and flow/audio.

    Args:
        feats (dict): ``modality -> [N, D_m]``, at least two modalities.

    Returns:
        Tensor: Scalar.
    """
    norms = {m: f.norm(p=2, dim=1).mean() for m, f in feats.items()}  # [N, D] -> scalar
    pairs = list(itertools.combinations(norms, 2))
    if not pairs:
        raise ValueError('relative_norm_loss needs at least two modalities.')
    return torch.stack([(norms[a] / norms[b] - 1)**2 for a, b in pairs]).mean()


@MODELS.register_module()
class RNARegularizer(BaseRegularizer):
    """Relative Norm Alignment (RNA-Net).

    Planamente et al., "Domain Generalization through Audio-Visual Relative
    Norm Alignment in First Person Action Recognition", WACV 2022; the form
    reproduced is the one of the MMDG benchmark (Li et al., "Are we making
    progress in MMDG?", repository lihongzhao99/MMDG_Benchmark,
    ``train_RNA.py``): the mean L2 norm of each modality's pooled feature
    over the batch, and the squared deviation from 1 of the ratio of every
    pair of modalities, averaged over pairs, weight ``alpha_RNA = 1``.

    Outputs ``loss_rna`` and the logged norms ``rna/<modality>/norm``.

    Args:
        feat_dims (dict): ``modality -> D_m`` (filled in by the recognizer).
        num_classes (int): Unused; filled in by the recognizer.
        loss_weight (float): ``alpha_RNA``. Defaults to 1.0.
    """

    def __init__(self, feat_dims: Dict[str, int], num_classes: int,
                 loss_weight: float = 1.0, init_cfg=None) -> None:
        super().__init__(feat_dims, num_classes, min_modalities=2, init_cfg=init_cfg)
        self.loss_weight = float(loss_weight)

    def forward(self, batch: RegularizerInputs) -> Dict[str, Tensor]:
        feats = {m: batch.feats[m] for m in self.modalities}
        out = {f'rna/{m}/norm': f.detach().norm(dim=1).mean() for m, f in feats.items()}
        out['loss_rna'] = self.loss_weight * relative_norm_loss(feats)
        return out
