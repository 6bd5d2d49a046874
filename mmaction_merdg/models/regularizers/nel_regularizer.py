"""NEL's objectives (nonpolarized embedding learning) as a regularizer."""
import copy
from typing import Dict

import torch
from mmengine.model import ModuleDict
from torch import Tensor
from torch.nn import functional as F

from mmaction.registry import MODELS

from ..losses.supcon_loss import supcon_loss
from .base_regularizer import BaseRegularizer, RegularizerInputs


def mean_shift_embeddings(emb: Tensor, k: int = 8) -> Tensor:
    """One mean-shift step on the unit sphere (NEL, Eq. 4-6).

    ``m_i = normalize(0.5 e_i + (0.5 / k) sum_{j in kNN(i)} e_j)``, the
    ``k`` nearest neighbours by cosine similarity, the sample itself
    excluded (``k`` is capped at ``N - 1``).

    Args:
        emb (Tensor): ``[N, D]`` embeddings.
        k (int): Defaults to 8.

    Returns:
        Tensor: ``[N, D]``, L2-normalised; ``normalize(emb)`` when ``N < 2``.
    """
    n = emb.shape[0]
    unit = F.normalize(emb, dim=1)
    if n < 2:
        return unit
    k = min(int(k), n - 1)
    sim = (unit @ unit.t()).masked_fill(torch.eye(n, dtype=torch.bool, device=emb.device),
                                        float('-inf'))  # [N, N], self excluded
    idx = sim.topk(k, dim=1).indices  # [N, k]
    return F.normalize(0.5 * emb + (0.5 / k) * emb[idx].sum(dim=1), dim=1)  # [N, k, D] -> [N, D]


def mean_shift_contrast(anchor: Tensor, positive: Tensor, temperature: float = 0.25) -> Tensor:
    """NEL's unsupervised contrast between two views (``L_UNC``, Eq. 8).

    With ``a``, ``p`` the L2-normalised rows, ``s_ij = a_i . p_j / T``:
    ``mean_i -log(exp(s_ii) / sum_j exp(s_ij))``, i.e. the cross-entropy of
    each row of ``s`` against its own index (one direction, anchor -> positive).

    Args:
        anchor (Tensor): ``[N, D]`` first view.
        positive (Tensor): ``[N, D]`` second view, row ``i`` the same sample.
        temperature (float): ``T``. Defaults to 0.25.

    Returns:
        Tensor: Scalar.
    """
    sim = F.normalize(anchor, dim=1) @ F.normalize(positive, dim=1).t() / temperature  # [N, N]
    return F.cross_entropy(sim, torch.arange(sim.shape[0], device=sim.device))


def nonpolarized_entropy_loss(emb: Tensor, eig_eps: float = 1e-6) -> Tensor:
    """Negative von Neumann entropy of the autocorrelation (``L_NEE``, Eq. 11-12).

    ``C = E^T E / N`` (not centred); its eigenvalues above ``eig_eps``,
    normalised to sum 1, give ``sum_i l_i log(l_i + 1e-10)``; minimising it
    spreads the spectrum. ``C`` and the Gram matrix ``E E^T / N`` have the
    same non-zero eigenvalues, so the smaller of the two is decomposed.

    Args:
        emb (Tensor): ``[N, D]`` fused embeddings.
        eig_eps (float): Eigenvalues kept. Defaults to 1e-6.

    Returns:
        Tensor: Scalar in ``[-log(min(N, D)), 0]``.
    """
    n, d = emb.shape
    mat = emb.t() @ emb if d <= n else emb @ emb.t()  # [min(N, D)]^2
    eig = torch.linalg.eigvalsh(mat / n)
    eig = eig[eig > eig_eps]
    eig = eig / (eig.sum() + 1e-10)
    return (eig * torch.log(eig + 1e-10)).sum()


@MODELS.register_module()
class NELRegularizer(BaseRegularizer):
    """NEL: nonpolarized embedding learning.

    "Nonpolarized embedding learning in multimodal domain generalization",
    Neurocomputing 658 (2025) 131754; the form reproduced is ``train_NEL.py``
    of lihongzhao99/MMDG_Benchmark (its EPIC/HAC defaults). Each training
    sample comes as two views (two clips: the train pipeline's
    ``MultiModalViews(num_views=2)``, the synthetic datasets' ``num_views=2``)
    and, as in the reference, each view is a sample of its own for the whole
    step: the recognizer's ``train_cfg=dict(views_as_samples=True)`` stacks
    them view-major, so ``loss_cls`` covers both views' fused logits and the
    ``2N`` pooled embeddings ``E_m`` it computed once enter:

    * ``loss_supcon = 0.3 * SupCon(stack_m proj_m(E_m[:, :D_m/2]))`` (``1 -
      alpha``), temperature 0.1, base 0.07, ``proj_m`` = Linear-BN-ReLU x2 ->
      128 (hidden 2048), L2-normalised, labels repeated per view;
    * ``loss_unc = 0.7 * L_UNC`` (``alpha``): per modality a mean-shift step
      (``k = 8``) of the projections, concatenated over modalities, view 1
      contrasted with view 2 (temperature 0.25), see
      :func:`mean_shift_contrast`;
    * ``loss_nee = (1/16) * L_NEE`` (``beta = 1 / batch size``) of the
      concatenated embeddings ``[2N, sum_m D_m]``.

    Deviations: the reference halves its whole loss (cross-entropy
    included); here the weights keep its ratios to ``loss_cls`` (Adam is
    invariant to a global loss scale but for eps and weight decay).
    The mean-shift neighbours exclude the sample itself by mask rather than
    by dropping the top-1 (the same unless two embeddings coincide).

    Args:
        feat_dims (dict): ``modality -> D_m`` (even), filled in by the recognizer.
        num_classes (int): Unused; filled in by the recognizer.
        projector (dict): Defaults to ``dict(type='SupConProjector',
            hidden_channels=2048, out_channels=128)``.
        temperature (float): ``tau_s`` of SupCon. Defaults to 0.1.
        base_temperature (float): Defaults to 0.07.
        unc_temperature (float): ``tau_u``. Defaults to 0.25.
        k (int): Mean-shift neighbours. Defaults to 8.
        alpha (float): ``loss_unc`` weight; SupCon gets ``1 - alpha``.
            Defaults to 0.7.
        nee_weight (float): ``beta``. Defaults to 1/16.
    """

    def __init__(self,
                 feat_dims: Dict[str, int],
                 num_classes: int,
                 projector: dict = dict(type='SupConProjector', hidden_channels=2048,
                                        out_channels=128),
                 temperature: float = 0.1,
                 base_temperature: float = 0.07,
                 unc_temperature: float = 0.25,
                 k: int = 8,
                 alpha: float = 0.7,
                 nee_weight: float = 1 / 16,
                 init_cfg=None) -> None:
        super().__init__(feat_dims, num_classes, min_modalities=1, init_cfg=init_cfg)
        odd = {m: d for m, d in self.feat_dims.items() if d % 2}
        if odd:
            raise ValueError(f'NELRegularizer projects the first half of each feature; '
                             f'feat_dims {odd} are odd.')
        if not 0 <= alpha <= 1:
            raise ValueError(f'NELRegularizer: alpha must lie in [0, 1], got {alpha}.')
        self.temperature = float(temperature)
        self.base_temperature = float(base_temperature)
        self.unc_temperature = float(unc_temperature)
        self.k = int(k)
        self.alpha = float(alpha)
        self.nee_weight = float(nee_weight)
        self.projectors = ModuleDict({
            m: MODELS.build(dict(copy.deepcopy(projector), in_channels=d // 2))
            for m, d in self.feat_dims.items()})

    def view_features(self, batch: RegularizerInputs) -> Dict[str, Tensor]:
        """``modality -> [2N, D_m]``: view 1 of every sample, then view 2."""
        if batch.num_views != 2:
            raise ValueError(
                'NELRegularizer contrasts two views of each training sample: the batch '
                f'must hold V = 2 views as samples (num_views=2); got num_views = '
                f'{batch.num_views}. Give the recognizer train_cfg=dict(views_as_samples=True) '
                'and the training set two views per sample (MultiModalViews(num_views=2) '
                'in the train pipeline, or num_views=2 on a synthetic dataset).')
        return batch.feats

    def losses(self, feats: Dict[str, Tensor], labels: Tensor) -> Dict[str, Tensor]:
        """NEL's weighted terms from two-view embeddings.

        Args:
            feats (dict): ``modality -> [2N, D_m]``, view 1 then view 2.
            labels (Tensor): ``[2N]``, likewise.
        """
        n = labels.shape[0] // 2
        proj = torch.stack([self.projectors[m](f[:, :f.shape[1] // 2])
                            for m, f in feats.items()], dim=1)  # [2N, M, P]
        contrast = supcon_loss(proj, labels, self.temperature, self.base_temperature)
        shifted = torch.stack([mean_shift_embeddings(proj[:, i], self.k)
                               for i in range(proj.shape[1])], dim=1)  # [2N, M, P]
        unc = mean_shift_contrast(shifted[:n].reshape(n, -1), shifted[n:].reshape(n, -1),
                                  self.unc_temperature)  # [N, M*P] per view
        nee = nonpolarized_entropy_loss(torch.cat(list(feats.values()), dim=1))  # [2N, sum D]
        return dict(loss_supcon=(1 - self.alpha) * contrast, loss_unc=self.alpha * unc,
                    loss_nee=self.nee_weight * nee)

    def forward(self, batch: RegularizerInputs) -> Dict[str, Tensor]:
        return self.losses(self.view_features(batch), batch.labels)
