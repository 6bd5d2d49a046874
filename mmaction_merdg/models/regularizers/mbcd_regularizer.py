"""MBCD's objectives (modality-balanced collaborative distillation) as a regularizer.

The forward-side parts of MBCD (per-modality LayerNorm, the first-order meta
step on the last encoder stage with DSU, confidence-driven modality dropout
before fusion) live in :class:`MBCDRecognizer`; this module holds the losses
and the pieces both sides share.
"""
from typing import Dict, Optional

import torch
from mmengine.model import ModuleDict
from torch import Tensor, nn
from torch.nn import functional as F

from mmaction.registry import MODELS

from .base_regularizer import BaseRegularizer, RegularizerInputs
from .teacher_mixin import TeacherMixin


def unimodal_classifier(in_channels: int, num_classes: int, hidden_channels: int,
                        dropout_ratio: float) -> nn.Sequential:
    """MBCD's ``PredHead``: Linear-ReLU-Dropout-Linear."""
    return nn.Sequential(
        nn.Linear(in_channels, hidden_channels), nn.ReLU(inplace=True),
        nn.Dropout(dropout_ratio), nn.Linear(hidden_channels, num_classes))


def confidence_ratios(unimodal_logits: Dict[str, Tensor]) -> Dict[str, Tensor]:
    """How much more confident each modality is than the others.

    The confidence of modality ``m`` is ``s_m = sum_i max_k softmax(z_m,i)_k``
    over the batch; its ratio is ``r_m = mean_{o != m} s_m / s_o`` (for two
    modalities simply ``s_a / s_b``). Computed without gradient.

    Args:
        unimodal_logits (dict): ``modality -> [N, K]``, at least two modalities.

    Returns:
        dict: ``modality -> scalar ratio``.
    """
    if len(unimodal_logits) < 2:
        raise ValueError('confidence_ratios needs at least two modalities, got '
                         f'{list(unimodal_logits)}.')
    with torch.no_grad():
        score = {m: z.softmax(dim=1).max(dim=1).values.sum()  # [N, K] -> scalar
                 for m, z in unimodal_logits.items()}
        return {m: torch.stack([score[m] / score[o] for o in score if o != m]).mean()
                for m in score}


def drop_probabilities(ratios: Dict[str, Tensor], base: float) -> Dict[str, Tensor]:
    """``p_m = base + (1 - base) tanh(r_m - 1)`` for a dominant modality (``r_m > 1``), else 0."""
    return {m: (base + (1 - base) * torch.tanh(r - 1)) if r > 1 else torch.zeros_like(r)
            for m, r in ratios.items()}


def modality_drop_masks(probs: Dict[str, Tensor], like: Tensor,
                        generator: Optional[torch.Generator] = None) -> Dict[str, Tensor]:
    """Per-sample keep masks ``modality -> [N, 1]``, ``Bernoulli(1 - p_m)``.

    With ``p_m`` from :func:`drop_probabilities`: the more a modality
    out-scores the others on the batch, the more of its samples are zeroed
    before fusion, so the fused classifier cannot lean on it alone.

    Args:
        probs (dict): ``modality -> scalar`` drop probability.
        like (Tensor): ``[N, ...]``; gives ``N``, dtype and device.
        generator (torch.Generator, optional): For reproducible draws.
    """
    return {m: torch.bernoulli((1 - p).to(like).expand(like.shape[0]),  # [N]
                               generator=generator).unsqueeze(1)  # [N, 1]
            for m, p in probs.items()}


def teacher_kl(student_logits: Tensor, teacher_probs: Tensor) -> Tensor:
    """``KL(p_T || softmax(z))`` averaged over the batch (``reduction='batchmean'``).

    Args:
        student_logits (Tensor): ``[N, K]``.
        teacher_probs (Tensor): ``[N, K]`` teacher probabilities (detached,
            clamped at 1e-12 as in the reference).

    Returns:
        Tensor: Scalar ``mean_i sum_k p_T,ik (log p_T,ik - log softmax(z_i)_k)``.
    """
    target = teacher_probs.detach().clamp_min(1e-12)
    return F.kl_div(F.log_softmax(student_logits, dim=1), target, reduction='batchmean')


@MODELS.register_module()
class MBCDRegularizer(TeacherMixin, BaseRegularizer):
    """MBCD: modality-balanced collaborative distillation.

    Wang et al., "Modality-Balanced Collaborative Distillation for Multi-Modal
    Domain Generalization" (2025); official code xiaohanwang01/MBCD; the
    action-recognition form reproduced is ``train_MBCD.py`` (with
    ``mbcd/runtime_patches.py``) of lihongzhao99/MMDG_Benchmark. Given the
    features ``f_m`` the fusion head was computed from (LayerNorm-ed, before
    the meta step, see :class:`MBCDRecognizer`) and the fused logits ``z``:

    * ``loss_unimodal = 1.0 * sum_m CE(g_m(f_m), y)``, ``g_m`` a per-modality
      classifier Linear-ReLU-Dropout(0.5)-Linear, hidden 512;
    * ``loss_distill_fused = 1.0 * KL(p_T || softmax(z))`` (``kl_mm_coeff``);
    * ``loss_distill_unimodal = 1.0 * sum_m KL(p_T || softmax(g_m(f_m)))``
      (``kl_um_coeff``), with ``p_T`` the fused class probabilities of the
      teacher: an exponential moving average (decay 0.999, every step from the
      first, buffers included) of the whole model, run in eval mode. The
      teacher is mmengine's averaged model from ``AveragedTeacherHook``
      (``ema_type='ExponentialMovingAverage', momentum=0.001``), which also
      validates, tests and saves the averaged weights, as the reference
      selects and tests its EMA model.

    The unimodal logits also drive the meta step and the modality dropout of
    :class:`MBCDRecognizer`, which calls :meth:`unimodal_logits` before the
    fusion head; :meth:`forward` reuses those logits for the same features
    (one dropout draw per step, as the reference uses one ``v_pred``). With
    the plain ``MultiModalRecognizer`` it adds the three losses alone (no
    meta step, no modality dropout).

    Logged: ``mbcd/teacher_active`` (``MBCDRecognizer`` logs the drop
    probabilities ``mbcd/<modality>/drop_prob``).

    Args:
        feat_dims (dict): ``modality -> D_m``, filled in by the recognizer.
        num_classes (int): Filled in by the recognizer.
        hidden_channels (int): Width of the unimodal classifiers. Defaults to 512.
        dropout_ratio (float): Their dropout. Defaults to 0.5.
        unimodal_weight (float): Defaults to 1.0 (the reference adds the
            unimodal cross-entropies unweighted).
        distill_fused_weight (float): ``kl_mm_coeff``. Defaults to 1.0.
        distill_unimodal_weight (float): ``kl_um_coeff``. Defaults to 1.0.
        require_teacher (bool): Raise in training when no teacher was attached
            (the hook is missing). Defaults to True.
    """

    teacher_hook_hint = ("custom_hooks=[dict(type='AveragedTeacherHook', ema_type="
                         "'ExponentialMovingAverage', momentum=0.001, begin_iter=0, "
                         "update_buffers=True)]")

    def __init__(self,
                 feat_dims: Dict[str, int],
                 num_classes: int,
                 hidden_channels: int = 512,
                 dropout_ratio: float = 0.5,
                 unimodal_weight: float = 1.0,
                 distill_fused_weight: float = 1.0,
                 distill_unimodal_weight: float = 1.0,
                 require_teacher: bool = True,
                 init_cfg=None) -> None:
        super().__init__(feat_dims, num_classes, min_modalities=2, init_cfg=init_cfg)
        self.unimodal_weight = float(unimodal_weight)
        self.distill_fused_weight = float(distill_fused_weight)
        self.distill_unimodal_weight = float(distill_unimodal_weight)
        self.init_teacher(require_teacher)
        self.unimodal_heads = ModuleDict({
            m: unimodal_classifier(d, self.num_classes, hidden_channels, dropout_ratio)
            for m, d in self.feat_dims.items()})
        # A plain list: not a submodule, not saved in the state dict.
        self._step = []  # [(feats, unimodal logits)] of this training step

    def teacher_probs(self, inputs: Dict[str, Tensor]) -> Tensor:
        """Fused class probabilities ``[N, K]`` of the averaged model in eval mode."""
        with self.teacher_mode() as teacher:
            return teacher(inputs, mode='tensor').softmax(dim=1)

    def unimodal_logits(self, feats: Dict[str, Tensor]) -> Dict[str, Tensor]:
        """``modality -> [N, K]`` logits of the unimodal classifiers.

        The result is kept for this step's :meth:`forward` when it receives
        the same ``feats`` dict (:class:`MBCDRecognizer` passes it on).
        """
        logits = {m: self.unimodal_heads[m](feats[m]) for m in self.modalities}
        self._step = [(feats, logits)]
        return logits

    def forward(self, batch: RegularizerInputs) -> Dict[str, Tensor]:
        self.check_teacher()
        if self._step and self._step[0][0] is batch.feats:
            logits = self._step[0][1]
        else:
            logits = self.unimodal_logits(batch.feats)
        self._step = []
        unimodal = sum(F.cross_entropy(z, batch.labels) for z in logits.values())
        if self.teacher_active:
            probs = self.teacher_probs(batch.inputs)
            fused = teacher_kl(batch.logits, probs)
            uni_kl = sum(teacher_kl(z, probs) for z in logits.values())
        else:
            fused = uni_kl = batch.logits.new_zeros(())
        out = dict(loss_unimodal=self.unimodal_weight * unimodal,
                   loss_distill_fused=self.distill_fused_weight * fused,
                   loss_distill_unimodal=self.distill_unimodal_weight * uni_kl)
        out['mbcd/teacher_active'] = batch.logits.new_tensor(float(self.teacher_active))
        return out
