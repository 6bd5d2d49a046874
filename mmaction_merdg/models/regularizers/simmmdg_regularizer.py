"""SimMMDG's objectives on the per-modality features, as a regularizer."""
import copy
import itertools
from typing import Dict

import torch
from mmengine.model import ModuleDict
from torch import Tensor, nn
from torch.nn import functional as F

from mmaction.registry import MODELS

from ..losses.supcon_loss import supcon_loss
from .base_regularizer import BaseRegularizer, RegularizerInputs


def split_distance_loss(feat: Tensor) -> Tensor:
    """``-MSE(shared, specific)`` of one modality's split feature.

    Args:
        feat (Tensor): ``[N, D]`` with even ``D``; the first ``D/2`` channels
            are the shared part, the rest the modality-specific part.

    Returns:
        Tensor: Scalar (minimising it pushes the two parts apart).
    """
    d = feat.shape[1] // 2
    return -F.mse_loss(feat[:, :d], feat[:, d:])


def translation_loss(pred: Tensor, target: Tensor) -> Tensor:
    """Mean Euclidean distance between L2-normalised rows.

    Args:
        pred (Tensor): ``[N, D]`` translated feature.
        target (Tensor): ``[N, D]`` feature of the target modality.

    Returns:
        Tensor: Scalar ``mean_i || pred_i/|pred_i| - target_i/|target_i| ||``.
    """
    return (F.normalize(pred, dim=1) - F.normalize(target, dim=1)).norm(dim=1).mean()


def translation_mlp(in_channels: int, out_channels: int, hidden_channels: int,
                    dropout_ratio: float) -> nn.Sequential:
    """SimMMDG's ``EncoderTrans``: Linear-ReLU-Linear-ReLU-Dropout-Linear."""
    return nn.Sequential(
        nn.Linear(in_channels, hidden_channels), nn.ReLU(inplace=True),
        nn.Linear(hidden_channels, hidden_channels), nn.ReLU(inplace=True),
        nn.Dropout(dropout_ratio), nn.Linear(hidden_channels, out_channels))


@MODELS.register_module()
class SimMMDGRegularizer(BaseRegularizer):
    """SimMMDG: shared/specific split, SupCon, distance and translation losses.

    Dong et al., "SimMMDG: A Simple and Effective Framework for Multi-modal
    Domain Generalization", NeurIPS 2023; official code donghao51/SimMMDG
    (and ``train_SimMMDG.py`` of lihongzhao99/MMDG_Benchmark). Each
    modality's pooled feature ``f_m [N, D_m]`` is split into a shared half
    ``f_m[:, :D_m/2]`` and a specific half ``f_m[:, D_m/2:]``; the fusion head
    still sees the whole ``f_m``. Losses (defaults are the official ones):

    * ``loss_supcon = 3.0 * SupCon(stack_m proj_m(shared_m))``, temperature
      0.1, base temperature 0.07, ``proj_m`` = Linear-BN-ReLU x2 -> 128, L2
      normalised (hidden 2048);
    * ``loss_distance = 0.7 * mean_m -MSE(shared_m, specific_m)``;
    * ``loss_translation = 0.1 * mean_{a != b} translation(T_ab(f_a), f_b)``,
      ``T_ab`` an MLP (hidden 2048, dropout 0.5) from the whole ``f_a`` to
      ``f_b``, compared after L2 normalisation.

    Publishes ``views[<its key>]``: ``shared_projection`` (``modality ->
    [N, 128]``, the L2-normalised projections SupCon reads) and ``specific``
    (``modality -> [N, D_m/2]``), which MER-DG reads when composed with it.

    Args:
        feat_dims (dict): ``modality -> D_m`` (even), filled in by the recognizer.
        num_classes (int): Unused; filled in by the recognizer.
        projector (dict): Projection head for the shared halves. Defaults to
            ``dict(type='SupConProjector', hidden_channels=2048, out_channels=128)``.
        translator_hidden_channels (int): Defaults to 2048.
        translator_dropout (float): Defaults to 0.5.
        temperature (float): Defaults to 0.1.
        base_temperature (float): Defaults to 0.07.
        contrast_weight (float): Defaults to 3.0.
        distance_weight (float): Defaults to 0.7.
        translation_weight (float): Defaults to 0.1.
    """

    def __init__(self,
                 feat_dims: Dict[str, int],
                 num_classes: int,
                 projector: dict = dict(type='SupConProjector', hidden_channels=2048,
                                        out_channels=128),
                 translator_hidden_channels: int = 2048,
                 translator_dropout: float = 0.5,
                 temperature: float = 0.1,
                 base_temperature: float = 0.07,
                 contrast_weight: float = 3.0,
                 distance_weight: float = 0.7,
                 translation_weight: float = 0.1,
                 init_cfg=None) -> None:
        super().__init__(feat_dims, num_classes, min_modalities=2, init_cfg=init_cfg)
        odd = {m: d for m, d in self.feat_dims.items() if d % 2}
        if odd:
            raise ValueError(f'SimMMDGRegularizer splits each feature in two halves; '
                             f'feat_dims {odd} are odd.')
        self.temperature = float(temperature)
        self.base_temperature = float(base_temperature)
        self.contrast_weight = float(contrast_weight)
        self.distance_weight = float(distance_weight)
        self.translation_weight = float(translation_weight)
        #: The contrastive head's config (MER-DG builds its specific-half heads alike).
        self.projector_cfg = copy.deepcopy(projector)
        self.projectors = ModuleDict({
            m: MODELS.build(dict(copy.deepcopy(projector), in_channels=d // 2))
            for m, d in self.feat_dims.items()})
        self.translators = ModuleDict({
            f'{a}_to_{b}': translation_mlp(self.feat_dims[a], self.feat_dims[b],
                                           translator_hidden_channels, translator_dropout)
            for a, b in itertools.permutations(self.modalities, 2)})

    def forward(self, batch: RegularizerInputs) -> Dict[str, Tensor]:
        feats = {m: batch.feats[m] for m in self.modalities}
        shared = {m: f[:, :f.shape[1] // 2] for m, f in feats.items()}  # [N, D] -> [N, D/2]
        shared_proj = {m: self.projectors[m](shared[m]) for m in self.modalities}
        proj = torch.stack([shared_proj[m] for m in self.modalities], dim=1)  # [N, M, 128]
        # For regularizers composed with SimMMDG (MER-DG, see MERRegularizer).
        batch.views[self.key or type(self).__name__] = dict(
            shared_projection=shared_proj,
            specific={m: f[:, f.shape[1] // 2:] for m, f in feats.items()})
        contrast = supcon_loss(proj, batch.labels, self.temperature, self.base_temperature)
        distance = torch.stack([split_distance_loss(f) for f in feats.values()]).mean()
        translation = torch.stack([
            translation_loss(self.translators[f'{a}_to_{b}'](feats[a]), feats[b])
            for a, b in itertools.permutations(self.modalities, 2)]).mean()
        return dict(loss_supcon=self.contrast_weight * contrast,
                    loss_distance=self.distance_weight * distance,
                    loss_translation=self.translation_weight * translation)
