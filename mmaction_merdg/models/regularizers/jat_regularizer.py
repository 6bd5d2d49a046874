"""JAT's objectives (modality-domain joint adversarial training) as a regularizer."""
from typing import Dict, Optional, Sequence

import torch
from mmengine.model import ModuleDict
from torch import Tensor, nn
from torch.nn import functional as F

from mmaction.registry import MODELS

from .base_regularizer import BaseRegularizer, RegularizerInputs
from .domain_adversarial import (adversarial_projector, domain_discriminator, domain_indices,
                                 grad_reverse, num_domain_classes, source_domain_names)


def mean_entropy(logits: Tensor, eps: float = 1e-10) -> Tensor:
    """Mean Shannon entropy of the softmax of each row.

    Args:
        logits (Tensor): ``[N, C]``.
        eps (float): Added inside the log, as the reference. Defaults to 1e-10.

    Returns:
        Tensor: Scalar ``mean_i -sum_c p_ic log(p_ic + eps)``.
    """
    p = logits.softmax(dim=1)
    return -(p * (p + eps).log()).sum(dim=1).mean()


def stability_weights(entropies: Dict[str, Tensor], temperature: float = 1.0) -> Dict[str, Tensor]:
    """JAT's stability-aware modality weights: ``softmax_m(H_m / T)``.

    A modality whose domain discriminator is less sure (higher entropy: more
    domain-invariant features) gets more weight on its unimodal loss.

    Args:
        entropies (dict): ``modality -> scalar`` entropy ``H_m``.
        temperature (float): ``T``. Defaults to 1.0.

    Returns:
        dict: ``modality -> scalar`` weight; the weights sum to 1.
    """
    names = list(entropies)
    w = (torch.stack([entropies[m] for m in names]) / temperature).softmax(dim=0)  # [M]
    return {m: w[i] for i, m in enumerate(names)}


@MODELS.register_module()
class JATRegularizer(BaseRegularizer):
    """JAT: modality-domain joint adversarial training.

    Li et al., "Towards Robust Multimodal Domain Generalization via
    Modality-Domain Joint Adversarial Training", ACM MM 2025; official code
    lihongzhao99/MMDG-Joint-Adversarial-Training. The defaults are those of
    ``Action recognition/train_JAT.py`` and ``run_all_cross_domain.sh`` of the
    MMDG benchmark (lihongzhao99/MMDG_Benchmark) on EPIC and HAC. On top of
    the fused cross-entropy (the head's ``loss_cls``), with ``f_m [N, D_m]``
    each modality's pooled feature, ``R_a`` the gradient reversal with scale
    ``a`` and ``d`` the source-domain index of each sample:

    * ``loss_unimodal = 3.0 * sum_m w_m CE(head_m(f_m), y)``, ``head_m`` =
      Dropout(0.5)-Linear, ``w = softmax_m(H_m / 1.0)`` with ``H_m`` the mean
      entropy of modality ``m``'s domain-discriminator prediction (of its class
      prediction with a single source domain): the stability-aware weighting.
      As in the reference, ``w`` is not detached;
    * ``loss_modality_adv = 0.1 * mean_m CE(D_mod(P_m(R_0.1(f_m))), m)``: a
      modality discriminator ``D_mod`` (one Linear to ``M`` modalities) shared by
      all modalities behind per-modality projections ``P_m`` (Linear-ReLU-
      Dropout(0.5) to 512), so that the features lose modality-specific
      patterns;
    * ``loss_domain_adv_local = 0.5 * mean_m CE(D_dom(Q_m(R_0.3(f_m))), d)``, a
      domain discriminator ``D_dom`` (Linear-BN-ReLU-Linear, hidden 256) shared
      by the modalities behind projections ``Q_m`` (as ``P_m``);
    * ``loss_domain_adv_global = 0.5 * CE(D_glob(concat_m R_0.3(f_m)), d)``,
      ``D_glob`` = Linear-ReLU-Dropout(0.5)-Linear, hidden 512, on the
      concatenated features.

    The two domain terms need at least two source domains (``domains``); with
    one, as in the reference, they are left out. Discriminators have
    ``max(#domains, 2)`` outputs. Logs ``jat/<modality>/weight``.

    Where this differs from the reference: modalities are ordered (and
    numbered for the modality discriminator, concatenated for ``D_glob``) in
    the plugin's order ``imgs, flow_imgs, audios`` instead of video, audio,
    flow; with i.i.d. initialisation this changes no distribution. The
    reference trains only the last stage of frozen pretrained backbones; here
    what trains is the config's business.

    Args:
        feat_dims (dict): ``modality -> D_m``, filled in by the recognizer.
        num_classes (int): Filled in by the recognizer.
        domains (Sequence[str]): Source (training) domain names, in the order of
            the discriminators' classes. Required.
        project_channels (int): Width of ``P_m`` and ``Q_m``
            (``project_out_dim``). Defaults to 512.
        domain_hidden_channels (int): Hidden width of ``D_dom``. Defaults to 256.
        global_hidden_channels (int): Hidden width of ``D_glob``
            (``global_discriminator_hidden_dim``). Defaults to 512.
        modality_reverse (float): ``alpha_rev``. Defaults to 0.1.
        domain_reverse (float): ``alpha_rev2``. Defaults to 0.3.
        unimodal_weight (float): ``cls_loss``. Defaults to 3.0.
        modality_weight (float): ``modal_adv_loss``. Defaults to 0.1.
        local_domain_weight (float): ``domain_adv_loss_local``. Defaults to 0.5.
        global_domain_weight (float): ``domain_adv_loss_global``. Defaults to 0.5.
        temperature (float): ``T`` of the weighting. Defaults to 1.0.
        unimodal_dropout (float): Dropout before each unimodal classifier (the
            reference's video heads drop 0.5; one value for every modality, as
            ``CMRFRegularizer``). Defaults to 0.5.
        projector_dropout (float): Dropout of ``P_m``, ``Q_m`` and ``D_glob``.
            Defaults to 0.5.
    """

    def __init__(self,
                 feat_dims: Dict[str, int],
                 num_classes: int,
                 domains: Optional[Sequence[str]] = None,
                 project_channels: int = 512,
                 domain_hidden_channels: int = 256,
                 global_hidden_channels: int = 512,
                 modality_reverse: float = 0.1,
                 domain_reverse: float = 0.3,
                 unimodal_weight: float = 3.0,
                 modality_weight: float = 0.1,
                 local_domain_weight: float = 0.5,
                 global_domain_weight: float = 0.5,
                 temperature: float = 1.0,
                 unimodal_dropout: float = 0.5,
                 projector_dropout: float = 0.5,
                 init_cfg=None) -> None:
        super().__init__(feat_dims, num_classes, min_modalities=2, init_cfg=init_cfg)
        if temperature <= 0:
            raise ValueError(f'JATRegularizer: temperature must be > 0, got {temperature}.')
        self.domains = source_domain_names(domains, type(self).__name__)
        self.domain_adversarial = len(self.domains) > 1
        self.modality_reverse = float(modality_reverse)
        self.domain_reverse = float(domain_reverse)
        self.unimodal_weight = float(unimodal_weight)
        self.modality_weight = float(modality_weight)
        self.local_domain_weight = float(local_domain_weight)
        self.global_domain_weight = float(global_domain_weight)
        self.temperature = float(temperature)
        dims = self.feat_dims
        self.unimodal_heads = ModuleDict({
            m: nn.Sequential(nn.Dropout(unimodal_dropout), nn.Linear(d, self.num_classes))
            for m, d in dims.items()})
        self.modality_projectors = ModuleDict({
            m: adversarial_projector(d, project_channels, projector_dropout)
            for m, d in dims.items()})
        self.modality_discriminator = nn.Linear(project_channels, len(self.modalities))
        if self.domain_adversarial:
            k = num_domain_classes(self.domains)
            self.domain_projectors = ModuleDict({
                m: adversarial_projector(d, project_channels, projector_dropout)
                for m, d in dims.items()})
            self.domain_discriminator = domain_discriminator(project_channels, k,
                                                             domain_hidden_channels)
            self.global_discriminator = nn.Sequential(
                nn.Linear(sum(dims.values()), global_hidden_channels), nn.ReLU(inplace=True),
                nn.Dropout(projector_dropout), nn.Linear(global_hidden_channels, k))

    def forward(self, batch: RegularizerInputs) -> Dict[str, Tensor]:
        feats = {m: batch.feats[m] for m in self.modalities}
        labels = batch.labels
        n = labels.shape[0]
        class_logits = {m: self.unimodal_heads[m](f) for m, f in feats.items()}  # [N, K]
        modality_adv = torch.stack([
            F.cross_entropy(
                self.modality_discriminator(
                    self.modality_projectors[m](grad_reverse(f, self.modality_reverse))),
                labels.new_full((n, ), i))
            for i, (m, f) in enumerate(feats.items())]).mean()
        out = {}
        if self.domain_adversarial:
            d = domain_indices(batch.domains, self.domains, type(self).__name__, labels.device)
            # One reversal per modality, shared by the local and global discriminators.
            reversed_feats = {m: grad_reverse(f, self.domain_reverse) for m, f in feats.items()}
            domain_logits = {m: self.domain_discriminator(self.domain_projectors[m](r))
                             for m, r in reversed_feats.items()}  # [N, max(#domains, 2)]
            local = torch.stack([F.cross_entropy(z, d) for z in domain_logits.values()]).mean()
            glob = F.cross_entropy(
                self.global_discriminator(torch.cat(list(reversed_feats.values()), dim=1)), d)
            out['loss_domain_adv_local'] = self.local_domain_weight * local
            out['loss_domain_adv_global'] = self.global_domain_weight * glob
            stability_source = domain_logits
        else:
            stability_source = class_logits
        weights = stability_weights({m: mean_entropy(z) for m, z in stability_source.items()},
                                    self.temperature)
        unimodal = sum(weights[m] * F.cross_entropy(class_logits[m], labels)
                       for m in self.modalities)
        out['loss_unimodal'] = self.unimodal_weight * unimodal
        out['loss_modality_adv'] = self.modality_weight * modality_adv
        out.update({f'jat/{m}/weight': w.detach() for m, w in weights.items()})
        return out
