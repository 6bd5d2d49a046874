"""MBCD's training forward: LayerNorm-ed embeddings, a first-order meta step on
the last encoder stage (with DSU feature augmentation) and confidence-driven
modality dropout before fusion. MBCD's losses are :class:`MBCDRegularizer`'s.

Training step (one way)::

    inputs[m] -> backbone[m] (DSU around `meta_stage`) -> pool -> LN -> pre[m]
    pre[m] -> MBCDRegularizer.unimodal_logits -> z_m -> CE_m, confidences
    theta'_m = theta_m - inner_lr * grad(CE_m, theta_m)   (meta_stage only; first order)
    inputs[m] -> backbone[m](theta'_m) -> pool -> LN -> post[m] * keep_m -> cls_head -> loss_cls
    RegularizerInputs(feats=pre, logits) -> regularizers (MBCD's losses, MER-DG, ...)

Prediction is the parent's, on the LayerNorm-ed embeddings.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from mmaction.registry import MODELS

from ..regularizers.mbcd_regularizer import (MBCDRegularizer, confidence_ratios,
                                             drop_probabilities, modality_drop_masks)
from .multimodal_recognizer import MultiModalRecognizer


def dsu_perturb(x: Tensor, eps: float = 1e-6,
                noise: Optional[Tuple[Tensor, Tensor]] = None) -> Tensor:
    """DSU: resample each sample's channel statistics (Li et al., ICLR 2022).

    Per sample and channel, ``mu`` and ``sigma`` are the mean and standard
    deviation over the non-batch, non-channel dims; their spread over the
    batch, ``Sigma_mu = sqrt(var_N(mu) + eps)`` (likewise ``Sigma_sigma``),
    scales Gaussian noise: ``beta = mu + e1 Sigma_mu``, ``gamma = sigma + e2
    Sigma_sigma`` and the output is ``(x - mu) / sigma * gamma + beta``.

    Args:
        x (Tensor): ``[N, C, ...]`` with at least one dim after ``C`` and
            ``N >= 2``.
        eps (float): Defaults to 1e-6.
        noise (tuple, optional): ``(e1, e2)``, each ``[N, C]``; drawn from a
            standard normal when None (given in tests).

    Returns:
        Tensor: Same shape as ``x``.
    """
    if x.dim() < 3 or x.shape[0] < 2:
        raise ValueError(f'dsu_perturb needs [N >= 2, C, ...]; got {tuple(x.shape)}.')
    dims = tuple(range(2, x.dim()))
    mu = x.mean(dim=dims)  # [N, C, ...] -> [N, C]
    sigma = (x.var(dim=dims) + eps).sqrt()
    e1, e2 = noise if noise is not None else (torch.randn_like(mu), torch.randn_like(sigma))
    beta = mu + e1 * (mu.var(dim=0, keepdim=True) + eps).sqrt()
    gamma = sigma + e2 * (sigma.var(dim=0, keepdim=True) + eps).sqrt()
    shape = mu.shape + (1, ) * len(dims)  # [N, C] -> [N, C, 1, ...]
    return (x - mu.view(shape)) / sigma.view(shape) * gamma.view(shape) + beta.view(shape)


#: MBCD's fused head reads the un-dropped avg-pool embeddings and has no input
#: dropout (``PredHead`` of ``train_MBCD.py``: Linear-ReLU-Dropout-Linear).
MBCD_EMBEDDING_DROPOUT = dict(imgs=0.0, flow_imgs=0.0, audios=0.0)


class _Features(nn.Module):
    """``extract_feat`` as a module call, so ``torch.func.functional_call`` can
    run it with the meta-updated parameters (never stored)."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, inputs: Dict[str, Tensor]) -> Dict[str, Tensor]:
        return self.model.extract_feat(inputs)


@MODELS.register_module()
class MBCDRecognizer(MultiModalRecognizer):
    """The recognizer of MBCD (Wang et al., 2025; official code
    xiaohanwang01/MBCD; ``train_MBCD.py`` of lihongzhao99/MMDG_Benchmark).

    On top of :class:`MultiModalRecognizer` (whose arguments it takes) it
    reproduces MBCD's forward-side defaults for action recognition:

    * every pooled embedding goes through a LayerNorm without affine
      parameters (the reference's ``LayerNorm`` modules are never given to the
      optimizer, so they stay the identity affine map);
    * a first-order meta step: each modality's unimodal cross-entropy
      (``MBCDRegularizer``'s classifiers on the pre-step embeddings) gives a
      gradient ``g`` on the parameters of ``meta_stage`` (``layer4``); the
      embeddings fed to the fusion head are recomputed with ``theta - 1e-4 *
      g`` (``g`` treated as a constant, as the reference's ``autograd.grad``
      without ``create_graph``), so ``loss_cls`` trains the encoders at the
      looked-ahead point;
    * DSU (probability 0.5, eps 1e-6) on the input and output of
      ``meta_stage`` in the pre-step pass only (``use_dsu=True``);
    * modality dropout on the post-step embeddings before fusion, each
      sample of a dominant modality zeroed with probability ``base + (1 -
      base) tanh(r_m - 1)``, ``base = 0`` (see ``modality_drop_masks``).

    The regularizers receive the pre-step embeddings (those MBCD's unimodal
    and distillation terms use) and the fused logits. The embeddings are not
    dropped and the fusion head has no input dropout (``embedding_dropout``
    defaults to 0 for every modality), as the reference's ``PredHead``.
    The look-ahead is the recognizer's ``fused_logits`` extension point and
    DSU its ``training_features``; the loss and the regularizer loop are the
    parent's.

    Deviations: DSU draws its coin per hooked module (the reference draws one
    for SlowFast's two pathways together) and leaves 2-D features (vector
    encoders) unchanged, having no statistics to resample; the whole encoder
    is re-run after the meta step (the reference re-runs only ``layer4`` on
    the cached, frozen ``layer1-3`` output: same values, more compute).

    Args:
        meta_stage (str): Name of the encoder module(s) the meta step updates
            and DSU wraps, matched as the last components of a module name
            in every backbone (``'layer4'`` matches ``slow_path.layer4``).
            Every backbone needs one with trainable parameters. Defaults to
            ``'layer4'``.
        inner_lr (float): Learning rate of the meta step. Defaults to 1e-4.
        dsu_prob (float): Probability DSU perturbs a stage's input/output;
            0 disables it. Defaults to 0.5.
        modality_drop_base (float): ``base`` of the drop probability.
            Defaults to 0.0.
        feature_norm (bool): LayerNorm the pooled embeddings. Defaults to True.
        embedding_dropout (dict, optional): As :class:`MultiModalRecognizer`;
            defaults to 0 for every modality (MBCD's reference).
        **kwargs: :class:`MultiModalRecognizer`'s arguments; ``regularizers``
            must hold exactly one ``MBCDRegularizer``.
    """

    def __init__(self, *args, meta_stage: str = 'layer4', inner_lr: float = 1e-4,
                 dsu_prob: float = 0.5, modality_drop_base: float = 0.0,
                 feature_norm: bool = True,
                 embedding_dropout: Optional[Dict[str, float]] = MBCD_EMBEDDING_DROPOUT,
                 **kwargs) -> None:
        super().__init__(*args, embedding_dropout=embedding_dropout, **kwargs)
        names = [n for n, r in self.regularizers.items() if isinstance(r, MBCDRegularizer)]
        if len(names) != 1:
            raise ValueError('MBCDRecognizer needs exactly one MBCDRegularizer in '
                             f'`regularizers` (its unimodal classifiers); found {names}.')
        if not 0 <= dsu_prob <= 1 or not 0 <= modality_drop_base <= 1:
            raise ValueError('MBCDRecognizer: dsu_prob and modality_drop_base must lie in '
                             f'[0, 1]; got {dsu_prob} and {modality_drop_base}.')
        self.mbcd_key = names[0]
        self.meta_stage = meta_stage
        self.inner_lr = float(inner_lr)
        self.dsu_prob = float(dsu_prob)
        self.modality_drop_base = float(modality_drop_base)
        self.feature_norm = feature_norm
        self.stage_modules: Dict[str, List[nn.Module]] = {}
        for m in self.modalities:
            mods = [mod for name, mod in self.backbones[m].named_modules()
                    if name == meta_stage or name.endswith('.' + meta_stage)]
            if not any(p.requires_grad for mod in mods for p in mod.parameters()):
                raise ValueError(
                    f"MBCDRecognizer: backbones['{m}'] has no module named {meta_stage!r} "
                    'with trainable parameters (meta_stage); its modules include '
                    f'{[n for n, _ in self.backbones[m].named_children()]}.')
            self.stage_modules[m] = mods

    def extract_feat(self, inputs: Dict[str, Tensor],
                     modalities: Optional[Sequence[str]] = None) -> Dict[str, Tensor]:
        """The parent's pooled features, LayerNorm-ed (no affine) per modality."""
        feats = super().extract_feat(inputs, modalities)
        if not self.feature_norm:
            return feats
        return {m: F.layer_norm(f, f.shape[1:]) for m, f in feats.items()}

    def _dsu_hooks(self) -> list:
        """Forward (pre-)hooks applying DSU around every ``meta_stage`` module."""

        def perturb(x):
            if (isinstance(x, Tensor) and x.dim() >= 3 and x.shape[0] >= 2
                    and float(torch.rand(())) < self.dsu_prob):
                return dsu_perturb(x)
            return x

        handles = []
        for mods in self.stage_modules.values():
            for mod in mods:
                handles.append(mod.register_forward_pre_hook(
                    lambda _, args: (perturb(args[0]), ) + tuple(args[1:])))
                handles.append(mod.register_forward_hook(lambda _, __, out: perturb(out)))
        return handles

    def meta_parameters(self, losses: Dict[str, Tensor]) -> Dict[str, Tensor]:
        """``theta - inner_lr * grad(CE_m, theta)`` for each modality's ``meta_stage``.

        Args:
            losses (dict): ``modality -> scalar`` unimodal cross-entropy.

        Returns:
            dict: ``'backbones.<m>.<param name>' -> updated tensor`` (the
            gradient is a constant: first order).
        """
        updated = {}
        for m in self.modalities:
            named = [(f'backbones.{m}.{n}', p) for n, p in self.backbones[m].named_parameters()
                     if p.requires_grad and any(p is q for mod in self.stage_modules[m]
                                                for q in mod.parameters())]
            grads = torch.autograd.grad(losses[m], [p for _, p in named],
                                        retain_graph=True, allow_unused=True)
            for (name, p), g in zip(named, grads):
                if g is not None:
                    updated[name] = p - self.inner_lr * g
        return updated

    def training_features(self, inputs: Dict[str, Tensor]) -> Dict[str, Tensor]:
        """The pre-step embeddings, with DSU around ``meta_stage``."""
        handles = self._dsu_hooks() if self.dsu_prob > 0 else []
        try:
            return self.extract_feat(inputs)
        finally:
            for h in handles:
                h.remove()

    def fused_logits(self, inputs: Dict[str, Tensor], feats: Dict[str, Tensor],
                     labels: Tensor) -> Tuple[Tensor, Dict[str, Tensor]]:
        """MBCD's look-ahead: fused logits of the meta-updated encoders.

        ``feats`` (the pre-step embeddings) give the unimodal cross-entropies
        whose gradient moves ``meta_stage``; the embeddings are recomputed at
        the moved parameters, each modality's samples dropped by
        ``modality_drop_masks``, and fused. Logs ``mbcd/<m>/drop_prob``.
        """
        mbcd: MBCDRegularizer = self.regularizers[self.mbcd_key]
        uni = mbcd.unimodal_logits(feats)  # kept for mbcd.forward: one dropout draw
        ce = {m: F.cross_entropy(z, labels) for m, z in uni.items()}
        post = torch.func.functional_call(_Features(self), {
            'model.' + k: v for k, v in self.meta_parameters(ce).items()}, (inputs, ))
        post = self.drop_embeddings(post)
        drop = drop_probabilities(confidence_ratios(uni), self.modality_drop_base)
        keep = modality_drop_masks(drop, feats[self.modalities[0]])  # modality -> [N, 1]
        logits = self.cls_head({m: post[m] * keep[m] for m in self.modalities})
        return logits, {f'mbcd/{m}/drop_prob': p.detach() for m, p in drop.items()}
