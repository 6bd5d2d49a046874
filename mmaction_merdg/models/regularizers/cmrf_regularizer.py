"""CMRF's objectives (cross-modal representation flattening) as a regularizer."""
import copy
import itertools
from typing import Dict, Optional, Tuple

import torch
from mmengine.model import ModuleDict
from torch import Tensor, nn
from torch.nn import functional as F

from mmaction.registry import MODELS

from ..losses.supcon_loss import supcon_loss
from .base_regularizer import BaseRegularizer, RegularizerInputs
from .teacher_mixin import TeacherMixin

#: Per-modality weights of the official EPIC/HAC code (audio terms halved).
CMRF_MODALITY_WEIGHTS = dict(imgs=1.0, flow_imgs=1.0, audios=0.5)


def sample_mix_coefficients(n: int, alpha: float, generator: Optional[torch.Generator] = None,
                            device=None) -> Tuple[Tensor, Tensor]:
    """Per-sample mixup weights ``(lam_hi, lam_lo)`` with ``lam_hi > 0.5 > lam_lo``.

    The reference draws ``Beta(alpha, alpha)`` until it gets a value above
    0.5 (resp. below); as the Beta is symmetric this is ``max(l, 1 - l)``
    (resp. ``min``) of one draw.

    Returns:
        tuple: two ``[N, 1]`` tensors.
    """
    beta = torch.distributions.Beta(torch.tensor(float(alpha)), torch.tensor(float(alpha)))
    lam = beta.sample((2, n))  # [2, N]
    hi = torch.maximum(lam[0], 1 - lam[0])
    lo = torch.minimum(lam[1], 1 - lam[1])
    return hi.unsqueeze(1).to(device), lo.unsqueeze(1).to(device)


def distillation_loss(student: Tensor, teacher: Tensor) -> Tensor:
    """``mean_i || s_i/|s_i| - t_i/|t_i| ||`` with the teacher detached."""
    return (F.normalize(teacher.detach(), dim=1) - F.normalize(student, dim=1)).norm(dim=1).mean()


def flattening_distillation(student: Dict[str, Tensor], teacher: Dict[str, Tensor],
                            lam: Dict[Tuple[str, str], Tuple[Tensor, Tensor]],
                            weights: Dict[str, float]) -> Tensor:
    """CMRF's distillation from cross-modally mixed teacher projections.

    For every modality pair ``(a, b)`` the teacher's projections are mixed,
    ``t_a = l_hi t_a + (1 - l_hi) t_b`` (mostly ``a``) and ``t_b = l_lo t_a +
    (1 - l_lo) t_b`` (mostly ``b``), and each student projection is pulled to
    its mixed target: ``sum_pairs w_a d(s_a, t_a) + w_b d(s_b, t_b)`` with
    ``d`` = :func:`distillation_loss`.

    Args:
        student (dict): ``modality -> [N, P]`` student projections.
        teacher (dict): ``modality -> [N, P]`` teacher projections.
        lam (dict): ``(a, b) -> (l_hi [N, 1], l_lo [N, 1])`` for each pair.
        weights (dict): ``modality -> weight``.

    Returns:
        Tensor: Scalar.
    """
    total = 0.
    for (a, b), (hi, lo) in lam.items():
        mix_a = hi * teacher[a] + (1 - hi) * teacher[b]  # [N, P]
        mix_b = lo * teacher[a] + (1 - lo) * teacher[b]
        total = total + weights[a] * distillation_loss(student[a], mix_a) \
            + weights[b] * distillation_loss(student[b], mix_b)
    return total


@MODELS.register_module()
class CMRFRegularizer(TeacherMixin, BaseRegularizer):
    """CMRF: cross-modal representation flattening.

    Fan et al., "Towards Multimodal Domain Generalization via Cross-modal
    Representation Flattening" (NeurIPS 2024); official code
    fanyunfeng-bit/Cross-modal-Representation-Flattening-for-MMDG, also
    ``train_CMRF.py`` of lihongzhao99/MMDG_Benchmark. On top of the fused
    cross-entropy (the head's ``loss_cls``):

    * ``loss_unimodal = 2.0 * sum_m w_m CE(head_m(f_m), y)``, a linear
      classifier (dropout 0.5) per modality on its pooled feature;
    * ``loss_supcon = 3.0 * SupCon(stack_m proj_m(f_m))``, temperature 0.1,
      base 0.07, ``proj_m`` = Linear-BN-ReLU x2 -> 128, L2-normalised;
    * ``loss_distill = 3.0 * flattening distillation``: a simple moving
      average (SWA) of the whole model, started at step 400 on EPIC-Kitchens
      and 100 on HAC (the official README's ``--sma_start_step``; the hook's
      ``begin_iter``), queried in eval mode, is the teacher;
      its projections are mixed across modalities with per-sample weights
      from ``Beta(0.1, 0.1)`` (see :func:`flattening_distillation`) and the
      student's projections are pulled to them. Zero until the average has
      started.

    ``w_m`` defaults to the official 1 (RGB, flow) and 1/2 (audio). The
    teacher is the averaged model of ``AveragedTeacherHook`` (mmengine's
    ``EMAHook`` with ``StochasticWeightAverage``), which also evaluates and
    saves the averaged weights, as the official code evaluates the averaged
    model.

    Args:
        feat_dims (dict): ``modality -> D_m``, filled in by the recognizer.
        num_classes (int): Filled in by the recognizer.
        projector (dict): Defaults to ``dict(type='SupConProjector',
            hidden_channels=2048, out_channels=128)``.
        temperature (float): Defaults to 0.1.
        base_temperature (float): Defaults to 0.07.
        contrast_weight (float): Defaults to 3.0.
        unimodal_weight (float): Defaults to 2.0 (``mix_coef``).
        distill_weight (float): Defaults to 3.0 (``distill_coef``).
        mix_alpha (float): Beta parameter. Defaults to 0.1.
        unimodal_dropout (float): Defaults to 0.5.
        modality_weights (dict, optional): ``modality -> w_m``. Defaults to
            ``CMRF_MODALITY_WEIGHTS``.
        require_teacher (bool): Raise in training when no teacher was
            attached (the hook is missing). Defaults to True.
    """

    teacher_hook_hint = "custom_hooks=[dict(type='AveragedTeacherHook', begin_iter=400)]"

    def __init__(self,
                 feat_dims: Dict[str, int],
                 num_classes: int,
                 projector: dict = dict(type='SupConProjector', hidden_channels=2048,
                                        out_channels=128),
                 temperature: float = 0.1,
                 base_temperature: float = 0.07,
                 contrast_weight: float = 3.0,
                 unimodal_weight: float = 2.0,
                 distill_weight: float = 3.0,
                 mix_alpha: float = 0.1,
                 unimodal_dropout: float = 0.5,
                 modality_weights: Optional[Dict[str, float]] = None,
                 require_teacher: bool = True,
                 init_cfg=None) -> None:
        super().__init__(feat_dims, num_classes, min_modalities=2, init_cfg=init_cfg)
        if mix_alpha <= 0:
            raise ValueError(f'CMRFRegularizer: mix_alpha must be > 0, got {mix_alpha}.')
        weights = dict(CMRF_MODALITY_WEIGHTS, **(modality_weights or {}))
        self.modality_weights = {m: float(weights[m]) for m in self.modalities}
        self.temperature = float(temperature)
        self.base_temperature = float(base_temperature)
        self.contrast_weight = float(contrast_weight)
        self.unimodal_weight = float(unimodal_weight)
        self.distill_weight = float(distill_weight)
        self.mix_alpha = float(mix_alpha)
        self.init_teacher(require_teacher)
        self.unimodal_heads = ModuleDict({
            m: nn.Sequential(nn.Dropout(unimodal_dropout), nn.Linear(d, self.num_classes))
            for m, d in self.feat_dims.items()})
        self.projectors = ModuleDict({
            m: MODELS.build(dict(copy.deepcopy(projector), in_channels=d))
            for m, d in self.feat_dims.items()})

    def teacher_projections(self, inputs: Dict[str, Tensor]) -> Dict[str, Tensor]:
        """Projections ``modality -> [N, P]`` of the averaged model, in eval mode.

        The official code puts every averaged copy in ``.eval()`` before
        querying it (BatchNorm running statistics of the projection heads and
        encoders, no dropout): so does :meth:`teacher_mode`.
        """
        with self.teacher_mode() as teacher:
            feats = teacher.extract_feat(inputs)
            return {m: self.teacher_self.projectors[m](feats[m]) for m in self.modalities}

    def forward(self, batch: RegularizerInputs) -> Dict[str, Tensor]:
        self.check_teacher()
        feats = {m: batch.feats[m] for m in self.modalities}
        unimodal = sum(self.modality_weights[m] *
                       F.cross_entropy(self.unimodal_heads[m](f), batch.labels)
                       for m, f in feats.items())
        student = {m: self.projectors[m](f) for m, f in feats.items()}  # [N, D_m] -> [N, P]
        contrast = supcon_loss(torch.stack(list(student.values()), dim=1), batch.labels,
                               self.temperature, self.base_temperature)
        if self.teacher_active:
            teacher = self.teacher_projections(batch.inputs)
            n = batch.labels.shape[0]
            lam = {(a, b): sample_mix_coefficients(n, self.mix_alpha, device=batch.labels.device)
                   for a, b in itertools.combinations(self.modalities, 2)}
            distill = flattening_distillation(student, teacher, lam, self.modality_weights)
        else:
            distill = contrast.new_zeros(())
        return dict(loss_unimodal=self.unimodal_weight * unimodal,
                    loss_supcon=self.contrast_weight * contrast,
                    loss_distill=self.distill_weight * distill,
                    **{'cmrf/teacher_active': contrast.new_tensor(float(self.teacher_active))})
