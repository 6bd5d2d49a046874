"""GMP's gradient modulation and projection as a regularizer."""
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.model import ModuleDict
from torch import Tensor, nn
from torch.nn import functional as F

from mmaction.registry import MODELS

from .base_regularizer import BaseRegularizer, RegularizerInputs
from .domain_adversarial import (adversarial_projector, domain_discriminator, domain_indices,
                                 grad_reverse, num_domain_classes, source_domain_names)

Grads = List[Optional[Tensor]]


def true_class_confidence(logits: Tensor, targets: Tensor) -> Tensor:
    """Mean softmax probability of the true class, ``mean_i p_i[y_i]``.

    Args:
        logits (Tensor): ``[N, C]``.
        targets (Tensor): ``[N]`` class indices.

    Returns:
        Tensor: Scalar.
    """
    return logits.softmax(dim=1).gather(1, targets.view(-1, 1)).mean()


def confidence_ratios(confidences: Dict[str, Tensor], inverse: bool = False,
                      eps: float = 1e-6) -> Dict[str, Tensor]:
    """Each modality's confidence relative to the mean of the others.

    ``r_m = c_m / (mean_{j != m} c_j + eps)``; with ``inverse``,
    ``r_m = mean_{j != m} c_j / (c_m + eps)`` (for domain confidence: a
    modality whose domain discriminator is *less* sure leads). With one
    modality ``r = 1``.

    Args:
        confidences (dict): ``modality -> scalar``.
        inverse (bool): Defaults to False.
        eps (float): Defaults to 1e-6.

    Returns:
        dict: ``modality -> scalar`` ratio.
    """
    names = list(confidences)
    if len(names) < 2:
        return {m: torch.ones_like(confidences[m]) for m in names}
    out = {}
    for m in names:
        others = torch.stack([confidences[j] for j in names if j != m]).mean()
        out[m] = others / (confidences[m] + eps) if inverse else confidences[m] / (others + eps)
    return out


def modulation_coefficient(ratio: Tensor, alpha: float) -> Tensor:
    """``clamp(1 - tanh(alpha * r), 0, 1)`` for a leading modality (``r > 1``), else 1."""
    suppressed = (1 - torch.tanh(alpha * ratio)).clamp(0, 1)
    return torch.where(ratio > 1, suppressed, torch.ones_like(ratio))


def grads_dot(a: Grads, b: Grads) -> Tensor:
    """``<a, b>`` over the parameters both gradients reach (a missing one counts as 0)."""
    terms = [(x * y).sum() for x, y in zip(a, b) if x is not None and y is not None]
    if not terms:
        ref = next((g for g in list(a) + list(b) if g is not None), None)
        return torch.zeros(()) if ref is None else ref.new_zeros(())
    return torch.stack(terms).sum()


def project_conflict(grads: Grads, other: Grads, eps: float = 1e-12) -> Grads:
    """Remove from ``grads`` its component along ``other``.

    ``g - (<g, o> / (|o|^2 + eps)) o``, computed on the parameters ``g``
    reaches (a parameter ``g`` does not reach keeps no gradient; ``|o|^2``
    sums over every parameter ``o`` reaches), as the reference.

    Args:
        grads (list): Per-parameter gradients (None: not reached).
        other (list): Same length.
        eps (float): Defaults to 1e-12.

    Returns:
        list: The projected gradients.
    """
    sq = [(y * y).sum() for y in other if y is not None]
    norm_sq = (torch.stack(sq).sum() if sq else grads_dot(grads, other).new_zeros(())) + eps
    coeff = grads_dot(grads, other) / norm_sq
    return [None if g is None else (g if o is None else g - coeff * o)
            for g, o in zip(grads, other)]


def _scale(grads: Grads, s: Tensor) -> Grads:
    return [None if g is None else g * s for g in grads]


def _add(a: Grads, b: Grads) -> Grads:
    return [y if x is None else (x if y is None else x + y) for x, y in zip(a, b)]


@MODELS.register_module()
class GMPRegularizer(BaseRegularizer):
    """GMP: gradient modulation and projection between modalities and objectives.

    Li et al., "Balancing Multimodal Domain Generalization via Gradient
    Modulation and Projection", AAAI 2026 (arXiv:2603.14175); no official
    repository was found, the reference implementation is ``Action
    recognition/train_GMP.py`` of the MMDG benchmark
    (lihongzhao99/MMDG_Benchmark), whose EPIC/HAC defaults these are. For
    each modality ``m`` with parameters ``theta_m`` (the trainable parameters
    of its backbone and of its unimodal classifier ``head_m`` = Dropout(0.5)-
    Linear), two objectives are decoupled:

    * ``L_cls,m = 3.0 * CE(head_m(f_m), y)`` and
    * ``L_dom,m = 0.5 * CE(D(Q_m(R_0.3(f_m))), d)``: a domain discriminator
      ``D`` (Linear-BN-ReLU-Linear, hidden 256, ``max(#domains, 2)`` classes)
      shared by the modalities behind projections ``Q_m`` (Linear-ReLU-
      Dropout(0.5) to 512) and a gradient reversal of scale 0.3 (only with at
      least two source domains).

    Their gradients on ``theta_m`` are modulated (IGDM): ``g_cls *= k_m``,
    ``g_dom *= p_m`` with ``k_m`` = :func:`modulation_coefficient` of the
    semantic-confidence ratio (mean true-class probability of ``head_m``
    over the mean of the other modalities', ``alpha_k = 0.5``) and ``p_m`` of
    the inverse domain-confidence ratio (``alpha_p = 0.5``); a modality that
    leads is slowed down. If the two then conflict (``<g_cls, g_dom> < 0``),
    the stronger task (larger ratio; classification on ties) is projected
    onto the normal plane of the other's gradient (CAGP,
    :func:`project_conflict`). ``g_cls + g_dom`` is added to ``theta_m``'s
    gradient; the fused cross-entropy (the head's ``loss_cls``) and other
    regularizers (MER-DG...) back-propagate as usual.

    How: the gradients are computed here with ``torch.autograd.grad`` (two
    extra backward passes per modality, as the reference) and returned as
    ``loss_gmp = L + sum_p <p - sg(p), sg(g_p)>`` (``sg``: stop-gradient),
    whose value is ``L = mean_m L_cls,m + mean_m L_dom,m`` (the reference's
    logged loss) and whose gradient on each ``p`` of ``theta_m``
    is exactly the modulated ``g_p``. So any ``OptimWrapper`` (AMP loss
    scaling, accumulation, clipping) treats it as one more loss term. Logs
    ``gmp/<m>/sem_coeff``, ``gmp/<m>/dom_coeff`` and ``gmp/<m>/conflict``.

    Where this differs from the reference: with ``train_discriminator=False``
    (the default) the domain discriminator and its projections get no
    gradient, exactly as in the reference (there its parameters are in the
    optimizer but no loss reaches them, so they stay at their
    initialisation). ``train_discriminator=True`` adds ``loss_domain_disc``,
    ``L_dom`` on detached features, so that the discriminator learns the
    domains while the encoders still only see the modulated ``g_dom``.
    Modalities follow the plugin's order (``imgs, flow_imgs, audios``).

    Args:
        feat_dims (dict): ``modality -> D_m``, filled in by the recognizer.
        num_classes (int): Filled in by the recognizer.
        domains (Sequence[str]): Source (training) domain names, in the order of
            the discriminator's classes. Required.
        project_channels (int): ``project_out_dim``. Defaults to 512.
        domain_hidden_channels (int): Hidden width of ``D``. Defaults to 256.
        domain_reverse (float): ``alpha_rev2``. Defaults to 0.3.
        unimodal_weight (float): ``cls_loss``. Defaults to 3.0.
        domain_weight (float): ``domain_adv_loss_local``. Defaults to 0.5.
        semantic_alpha (float): ``alpha_k``. Defaults to 0.5.
        domain_alpha (float): ``alpha_p``. Defaults to 0.5.
        unimodal_dropout (float): Defaults to 0.5.
        projector_dropout (float): Defaults to 0.5.
        train_discriminator (bool): See above. Defaults to False.
    """

    def __init__(self,
                 feat_dims: Dict[str, int],
                 num_classes: int,
                 domains: Optional[Sequence[str]] = None,
                 project_channels: int = 512,
                 domain_hidden_channels: int = 256,
                 domain_reverse: float = 0.3,
                 unimodal_weight: float = 3.0,
                 domain_weight: float = 0.5,
                 semantic_alpha: float = 0.5,
                 domain_alpha: float = 0.5,
                 unimodal_dropout: float = 0.5,
                 projector_dropout: float = 0.5,
                 train_discriminator: bool = False,
                 init_cfg=None) -> None:
        super().__init__(feat_dims, num_classes, min_modalities=2, init_cfg=init_cfg)
        self.domains = source_domain_names(domains, type(self).__name__)
        self.domain_adversarial = len(self.domains) > 1
        self.domain_reverse = float(domain_reverse)
        self.unimodal_weight = float(unimodal_weight)
        self.domain_weight = float(domain_weight)
        self.semantic_alpha = float(semantic_alpha)
        self.domain_alpha = float(domain_alpha)
        self.train_discriminator = bool(train_discriminator)
        self.unimodal_heads = ModuleDict({
            m: nn.Sequential(nn.Dropout(unimodal_dropout), nn.Linear(d, self.num_classes))
            for m, d in self.feat_dims.items()})
        if self.domain_adversarial:
            self.domain_projectors = ModuleDict({
                m: adversarial_projector(d, project_channels, projector_dropout)
                for m, d in self.feat_dims.items()})
            self.domain_discriminator = domain_discriminator(
                project_channels, num_domain_classes(self.domains), domain_hidden_channels)

    def _modality_params(self, model: nn.Module, m: str) -> List[nn.Parameter]:
        """``theta_m``: trainable backbone parameters and the unimodal classifier."""
        backbones = getattr(model, 'backbones', None)
        if backbones is None or m not in backbones:
            raise TypeError(f'GMPRegularizer modulates the gradients of each modality\'s '
                            f'encoder: the model ({type(model).__name__}) needs '
                            f'`backbones[{m!r}]` (a MultiModalRecognizer).')
        return [p for p in backbones[m].parameters() if p.requires_grad] + \
            list(self.unimodal_heads[m].parameters())

    def _domain_logits(self, f: Tensor, m: str) -> Tensor:
        return self.domain_discriminator(self.domain_projectors[m](f))

    def forward(self, batch: RegularizerInputs) -> Dict[str, Tensor]:
        feats = {m: batch.feats[m] for m in self.modalities}
        labels = batch.labels
        class_logits = {m: self.unimodal_heads[m](f) for m, f in feats.items()}  # [N, K]
        cls = {m: self.unimodal_weight * F.cross_entropy(z, labels)
               for m, z in class_logits.items()}
        with torch.no_grad():
            sem_ratio = confidence_ratios({m: true_class_confidence(z, labels)
                                           for m, z in class_logits.items()})
        sem_coeff = {m: modulation_coefficient(r, self.semantic_alpha)
                     for m, r in sem_ratio.items()}
        out, dom = {}, {}
        if self.domain_adversarial:
            d = domain_indices(batch.domains, self.domains, type(self).__name__, labels.device)
            domain_logits = {m: self._domain_logits(grad_reverse(f, self.domain_reverse), m)
                             for m, f in feats.items()}  # [N, max(#domains, 2)]
            dom = {m: self.domain_weight * F.cross_entropy(z, d)
                   for m, z in domain_logits.items()}
            with torch.no_grad():
                dom_ratio = confidence_ratios({m: true_class_confidence(z, d)
                                               for m, z in domain_logits.items()}, inverse=True)
            dom_coeff = {m: modulation_coefficient(r, self.domain_alpha)
                         for m, r in dom_ratio.items()}
            if self.train_discriminator:
                out['loss_domain_disc'] = self.domain_weight * torch.stack([
                    F.cross_entropy(self._domain_logits(f.detach(), m), d)
                    for m, f in feats.items()]).mean()
        value = torch.stack(list(cls.values())).mean()
        if dom:
            value = value + torch.stack(list(dom.values())).mean()
        surrogate = value.new_zeros(())
        for m in self.modalities:
            conflict = False
            if torch.is_grad_enabled():
                params = self._modality_params(batch.model, m)
                g = _scale(torch.autograd.grad(cls[m], params, retain_graph=True,
                                               allow_unused=True), sem_coeff[m])
                if dom:
                    g_dom = _scale(torch.autograd.grad(dom[m], params, retain_graph=True,
                                                       allow_unused=True), dom_coeff[m])
                    conflict = bool(grads_dot(g, g_dom) < 0)
                    if conflict and sem_ratio[m] >= dom_ratio[m]:
                        g = project_conflict(g, g_dom)
                    elif conflict:
                        g_dom = project_conflict(g_dom, g)
                    g = _add(g, g_dom)
                for p, gp in zip(params, g):
                    if gp is not None:
                        # Value 0, gradient gp on p.
                        surrogate = surrogate + ((p - p.detach()) * gp.detach()).sum()
            out[f'gmp/{m}/sem_coeff'] = sem_coeff[m]
            out[f'gmp/{m}/dom_coeff'] = dom_coeff[m] if dom else torch.ones_like(sem_coeff[m])
            out[f'gmp/{m}/conflict'] = value.new_tensor(float(conflict))
        out['loss_gmp'] = value.detach() + surrogate
        return out
