"""MOOSA's self-supervised objectives (closed-set DG variant) as a regularizer."""
import copy
import itertools
import math
import random
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import torch
from mmengine.model import ModuleDict
from torch import Tensor, nn
from torch.nn import functional as F

from mmaction.registry import MODELS

from ..losses.supcon_loss import supcon_loss
from .base_regularizer import BaseRegularizer, RegularizerInputs
from .simmmdg_regularizer import split_distance_loss, translation_loss, translation_mlp

#: Name of the fused predictor among the entropy-weighted ones.
FUSED = 'fused'


def prediction_entropy(logits: Tensor) -> Tensor:
    """Exact Shannon entropy (nats) of ``softmax(logits)`` per sample.

    Args:
        logits (Tensor): ``[N, K]``.

    Returns:
        Tensor: ``[N]`` ``-sum_k p_k log p_k``.
    """
    return -(logits.softmax(dim=1) * logits.log_softmax(dim=1)).sum(dim=1)


def entropy_weighted_cross_entropy(logits: Mapping[str, Tensor], labels: Tensor,
                                   temperature: float = 1.0) -> Tuple[Tensor, Tensor]:
    """MOOSA's entropy weighting of several classifiers' cross-entropies.

    Each predictor ``k`` (every modality's classifier and the fused one) gets
    a per-sample weight ``w_ik = softmax_k(-H(p_ik) / temperature)``: the
    more confident a predictor on sample ``i``, the larger its weight. As in
    the benchmark's ``train_MOOSA.py``, the weights multiply the batch-mean
    cross-entropy of each predictor, ``L = mean_i sum_k w_ik CE_k``, and are
    not detached.

    Args:
        logits (Mapping): ``name -> [N, K]`` class logits, one per predictor.
        labels (Tensor): ``[N]`` class indices.
        temperature (float): Softmax temperature. Defaults to 1.0.

    Returns:
        tuple: The scalar loss and the weights ``[N, P]`` (predictors in the
        order of ``logits``).
    """
    ce = torch.stack([F.cross_entropy(x, labels) for x in logits.values()])  # [P]
    neg_entropy = -torch.stack([prediction_entropy(x) for x in logits.values()], dim=1)  # [N, P]
    weights = (neg_entropy / temperature).softmax(dim=1)
    return (weights * ce).sum(dim=1).mean(), weights


def entropy_minimization_loss(logits: Tensor, eps: float = 1e-5) -> Tensor:
    """Batch mean of ``-sum_k p_k log(p_k + eps)`` (the reference's ``loss_u``).

    Args:
        logits (Tensor): ``[N, K]``.
        eps (float): Inside the log, as in the reference. Defaults to 1e-5.

    Returns:
        Tensor: Scalar.
    """
    p = logits.softmax(dim=1)
    return -(p * torch.log(p + eps)).sum(dim=1).mean()


def lexicographic_permutation(index: int, n: int) -> List[int]:
    """The ``index``-th permutation of ``range(n)`` in lexicographic order.

    The order of ``itertools.permutations(range(n))``, decoded through the
    factorial number system instead of enumerating ``n!`` tuples.
    """
    if not 0 <= index < math.factorial(n):
        raise ValueError(f'permutation index must lie in [0, {n}!); got {index}.')
    remaining, perm = list(range(n)), []
    for k in range(n - 1, -1, -1):
        digit, index = divmod(index, math.factorial(k))
        perm.append(remaining.pop(digit))
    return perm


def sample_jigsaw_permutations(num_parts: int, num_samples: int, seed: int) -> Tensor:
    """The jigsaw classes: ``num_samples`` distinct permutations of the parts.

    Draws the permutation indices as the reference does,
    ``random.seed(seed); random.sample(range(num_parts!), num_samples)``
    (before anything else uses Python's generator), here from a private
    ``random.Random(seed)``, so the same seed gives the same indices.

    Returns:
        Tensor: ``[num_samples, num_parts]`` long; row ``j`` is class ``j``.
    """
    total = math.factorial(num_parts)
    if num_samples > total:
        raise ValueError(f'jigsaw_samples={num_samples} exceeds the {total} permutations of '
                         f'{num_parts} feature chunks; lower jigsaw_samples or raise '
                         'jigsaw_num_splits.')
    indices = random.Random(seed).sample(range(total), num_samples)
    return torch.tensor([lexicographic_permutation(i, num_parts) for i in indices],
                        dtype=torch.long)


def jigsaw_columns(permutations: Tensor, chunk_sizes: Sequence[int]) -> Tensor:
    """Column indices that reorder a concatenated feature by each permutation.

    The concatenated feature is the chunks ``c_0, c_1, ...`` (sizes
    ``chunk_sizes``) side by side; permutation ``pi`` gives
    ``cat(c_pi[0], c_pi[1], ...)``, i.e. ``feat[:, columns[j]]``.

    Args:
        permutations (Tensor): ``[S, P]`` permutations of ``range(P)``.
        chunk_sizes (Sequence[int]): ``P`` chunk widths.

    Returns:
        Tensor: ``[S, sum(chunk_sizes)]`` long, on the device of ``permutations``.
    """
    if permutations.shape[1] != len(chunk_sizes):
        raise ValueError(f'jigsaw_columns: permutations of {permutations.shape[1]} parts for '
                         f'{len(chunk_sizes)} chunks.')
    starts = [0] + list(itertools.accumulate(chunk_sizes))[:-1]
    chunks = [torch.arange(s, s + w, device=permutations.device)
              for s, w in zip(starts, chunk_sizes)]
    return torch.stack([torch.cat([chunks[p] for p in perm]) for perm in permutations.tolist()])


def jigsaw_batch(feat: Tensor, columns: Tensor) -> Tuple[Tensor, Tensor]:
    """Every sample shuffled by every permutation, with the permutation as label.

    Args:
        feat (Tensor): ``[N, D]`` concatenated per-modality features.
        columns (Tensor): ``[S, D]`` from :func:`jigsaw_columns`.

    Returns:
        tuple: inputs ``[S*N, D]`` (permutation-major, as the reference) and
        labels ``[S*N]``.
    """
    n, s = feat.shape[0], columns.shape[0]
    shuffled = feat[:, columns].transpose(0, 1).reshape(s * n, -1)  # [N, S, D] -> [S*N, D]
    labels = torch.arange(s, device=feat.device).repeat_interleave(n)
    return shuffled, labels


def random_feature_mask(feat: Tensor, ratio: float,
                        generator: Optional[torch.Generator] = None) -> Tensor:
    """Zero each entry independently with probability ``ratio`` (gradient kept elsewhere)."""
    keep = torch.rand(feat.shape, generator=generator, dtype=feat.dtype,
                      device=feat.device) >= ratio
    return feat * keep.to(feat.dtype)


def masked_translation_loss(feats: Mapping[str, Tensor], masked: Mapping[str, Tensor],
                            translators: Mapping[Tuple[str, str], Callable[[Tensor], Tensor]]
                            ) -> Tensor:
    """Mean over ordered pairs of :func:`translation_loss` from masked sources.

    Args:
        feats (Mapping): ``modality -> [N, D_m]`` (targets, unmasked).
        masked (Mapping): ``modality -> [N, D_m]`` masked features; one mask
            per source modality, shared by all its translations.
        translators (Mapping): ``(a, b) -> T_ab``, ``[N, D_a] -> [N, D_b]``.

    Returns:
        Tensor: Scalar ``mean_(a, b) translation_loss(T_ab(masked_a), f_b)``.
    """
    return torch.stack([translation_loss(t(masked[a]), feats[b])
                        for (a, b), t in translators.items()]).mean()


@MODELS.register_module()
class MOOSARegularizer(BaseRegularizer):
    """MOOSA (closed-set multimodal DG), its objectives beside the fused CE.

    Dong et al., "Towards Multimodal Open-Set Domain Generalization and
    Adaptation through Self-supervision", ECCV 2024; official code
    donghao51/MOOSA. The form and every default reproduced are those of the
    MMDG benchmark's closed-set action-recognition code (lihongzhao99/
    MMDG_Benchmark, ``Action recognition/train_MOOSA.py``, EPIC/HAC), which
    keeps SimMMDG's terms and adds MOOSA's self-supervised tasks. On the
    pooled features ``f_m [N, D_m]``:

    * ``loss_entropy_weighting``: entropy weighting of the cross-entropies of
      a linear classifier per modality (dropout 0.5) and of the fused head,
      temperature 1 (:func:`entropy_weighted_cross_entropy`). The head's
      ``loss_cls`` already adds the fused CE with weight 1, so this term is
      the weighted sum minus that CE; ``loss_cls + loss_entropy_weighting``
      equals the reference's weighted loss in value and gradient.
    * ``loss_entropy_min = 0.001 * mean_k H_eps(p_k)`` over the same
      predictors (:func:`entropy_minimization_loss`, eps 1e-5).
    * ``loss_jigsaw = 1.0 * CE``: each ``f_m`` is cut into 4 equal chunks,
      the ``4M`` chunks are reordered by 128 permutations drawn once (seeded,
      :func:`sample_jigsaw_permutations`) and an MLP (hidden 512) on the
      concatenation predicts which permutation was applied.
    * ``loss_translation = 0.1 * mean_(a, b)`` distance between the
      L2-normalised ``T_ab(mask(f_a))`` and ``f_b``: 30 % of each source's
      entries are zeroed, ``T_ab`` as SimMMDG's (hidden 2048, dropout 0.5).
    * ``loss_supcon = 3.0 * SupCon`` on the projected first halves
      (temperature 0.1, base 0.07, projection 2048 -> 128), and
      ``loss_distance = 0.7 * mean_m -MSE(first half, second half)``, as
      :class:`SimMMDGRegularizer`.

    Logged: ``moosa/<modality>/weight`` and ``moosa/fused/weight`` (batch
    mean entropy weights) and ``moosa/jigsaw_acc``.

    Deviations from the reference, and why:

    * The fused CE stays the head's ``loss_cls`` (the recognizer's contract);
      this term carries the difference, see above. It assumes the head's
      default plain cross-entropy with weight 1.
    * The reference's classifiers read dropped-out features (its heads'
      dropout precedes the embedding it returns); here every term reads the
      pooled features, the unimodal classifiers and the fusion head apply
      their own dropout (0.5 for every modality; the reference's audio
      classifier has none).
    * Jigsaw chunks are taken in the recognizer's modality order (RGB, flow,
      audio; the reference: video, audio, flow). The permutation indices
      drawn for a seed are the reference's, they reorder our chunk order.
      The drawn permutations are a buffer, so resumed runs keep them.
    * The reference enumerates all ``(4M)!`` permutations (479 million for
      three modalities) to pick 128; they are decoded directly here.

    Args:
        feat_dims (dict): ``modality -> D_m``, each divisible by 2 and by
            ``jigsaw_num_splits``; filled in by the recognizer.
        num_classes (int): Filled in by the recognizer.
        projector (dict): Projection head of the first halves. Defaults to
            ``dict(type='SupConProjector', hidden_channels=2048, out_channels=128)``.
        translator_hidden_channels (int): Defaults to 2048 (``trans_hidden_num``).
        translator_dropout (float): Defaults to 0.5.
        mask_ratio (float): Fraction of source entries zeroed before
            translation. Defaults to 0.3.
        temperature (float): SupCon temperature. Defaults to 0.1 (``temp``).
        base_temperature (float): Defaults to 0.07.
        entropy_weight_temperature (float): Defaults to 1.0
            (``entropy_weight_temp``).
        unimodal_dropout (float): Defaults to 0.5.
        jigsaw_num_splits (int): Chunks per modality. Defaults to 4.
        jigsaw_samples (int): Number of permutations (jigsaw classes).
            Defaults to 128.
        jigsaw_hidden_channels (int): Defaults to 512 (``jigsaw_hidden``).
        jigsaw_seed (int, optional): Seed of the permutation draw. Defaults
            to None: ``torch.initial_seed()``, i.e. the run's seed (mmengine
            seeds torch before it builds the model), as the reference draws
            with its ``--seed``.
        contrast_weight (float): Defaults to 3.0 (``alpha_contrast``).
        distance_weight (float): Defaults to 0.7 (``explore_loss_coeff``).
        translation_weight (float): Defaults to 0.1 (``alpha_trans``).
        jigsaw_weight (float): Defaults to 1.0 (``jigsaw_ratio``).
        entropy_min_weight (float): Defaults to 0.001.
    """

    def __init__(self,
                 feat_dims: Dict[str, int],
                 num_classes: int,
                 projector: dict = dict(type='SupConProjector', hidden_channels=2048,
                                        out_channels=128),
                 translator_hidden_channels: int = 2048,
                 translator_dropout: float = 0.5,
                 mask_ratio: float = 0.3,
                 temperature: float = 0.1,
                 base_temperature: float = 0.07,
                 entropy_weight_temperature: float = 1.0,
                 unimodal_dropout: float = 0.5,
                 jigsaw_num_splits: int = 4,
                 jigsaw_samples: int = 128,
                 jigsaw_hidden_channels: int = 512,
                 jigsaw_seed: Optional[int] = None,
                 contrast_weight: float = 3.0,
                 distance_weight: float = 0.7,
                 translation_weight: float = 0.1,
                 jigsaw_weight: float = 1.0,
                 entropy_min_weight: float = 0.001,
                 init_cfg=None) -> None:
        super().__init__(feat_dims, num_classes, min_modalities=2, init_cfg=init_cfg)
        if int(jigsaw_num_splits) < 1:
            raise ValueError(f'MOOSARegularizer: jigsaw_num_splits must be >= 1, got '
                             f'{jigsaw_num_splits}.')
        bad = {m: d for m, d in self.feat_dims.items() if d % 2 or d % jigsaw_num_splits}
        if bad:
            raise ValueError(f'MOOSARegularizer splits each feature in two halves and in '
                             f'jigsaw_num_splits={jigsaw_num_splits} chunks; feat_dims {bad} '
                             'are not divisible by both.')
        if not 0 <= mask_ratio < 1:
            raise ValueError(f'MOOSARegularizer: mask_ratio must lie in [0, 1), got {mask_ratio}.')
        if entropy_weight_temperature <= 0:
            raise ValueError('MOOSARegularizer: entropy_weight_temperature must be > 0, got '
                             f'{entropy_weight_temperature}.')
        self.mask_ratio = float(mask_ratio)
        self.temperature = float(temperature)
        self.base_temperature = float(base_temperature)
        self.entropy_weight_temperature = float(entropy_weight_temperature)
        self.contrast_weight = float(contrast_weight)
        self.distance_weight = float(distance_weight)
        self.translation_weight = float(translation_weight)
        self.jigsaw_weight = float(jigsaw_weight)
        self.entropy_min_weight = float(entropy_min_weight)
        self.unimodal_heads = ModuleDict({
            m: nn.Sequential(nn.Dropout(unimodal_dropout), nn.Linear(d, self.num_classes))
            for m, d in self.feat_dims.items()})
        self.projectors = ModuleDict({
            m: MODELS.build(dict(copy.deepcopy(projector), in_channels=d // 2))
            for m, d in self.feat_dims.items()})
        self.translators = ModuleDict({
            f'{a}_to_{b}': translation_mlp(self.feat_dims[a], self.feat_dims[b],
                                           translator_hidden_channels, translator_dropout)
            for a, b in itertools.permutations(self.modalities, 2)})
        self.chunk_sizes = [d // jigsaw_num_splits for d in self.feat_dims.values()
                            for _ in range(jigsaw_num_splits)]
        seed = torch.initial_seed() if jigsaw_seed is None else int(jigsaw_seed)
        # A buffer: checkpoints (and DDP's start-up broadcast) keep one set of classes.
        self.register_buffer('jigsaw_permutations',
                             sample_jigsaw_permutations(len(self.chunk_sizes),
                                                        int(jigsaw_samples), seed))
        total = sum(self.feat_dims.values())
        self.jigsaw_head = nn.Sequential(
            nn.Linear(total, jigsaw_hidden_channels), nn.ReLU(inplace=True),
            nn.Linear(jigsaw_hidden_channels, int(jigsaw_samples)))

    def forward(self, batch: RegularizerInputs) -> Dict[str, Tensor]:
        feats = {m: batch.feats[m] for m in self.modalities}
        labels = batch.labels
        # Entropy weighting and minimisation over the unimodal and fused predictors.
        logits = {m: self.unimodal_heads[m](f) for m, f in feats.items()}  # [N, K] each
        logits[FUSED] = batch.logits
        weighted, weights = entropy_weighted_cross_entropy(logits, labels,
                                                           self.entropy_weight_temperature)
        entropy_min = torch.stack([entropy_minimization_loss(x) for x in logits.values()]).mean()
        # Multimodal jigsaw on feature chunks.
        columns = jigsaw_columns(self.jigsaw_permutations, self.chunk_sizes)  # [S, sum D_m]
        cat = torch.cat(list(feats.values()), dim=1)  # [N, sum D_m]
        shuffled, jig_labels = jigsaw_batch(cat, columns)  # [S*N, sum D_m], [S*N]
        jig_logits = self.jigsaw_head(shuffled)
        jigsaw = F.cross_entropy(jig_logits, jig_labels)
        # Masked cross-modal translation.
        masked = {m: random_feature_mask(f, self.mask_ratio) for m, f in feats.items()}
        translation = masked_translation_loss(feats, masked, {
            (a, b): self.translators[f'{a}_to_{b}']
            for a, b in itertools.permutations(self.modalities, 2)})
        # SimMMDG's contrastive and distance terms on the split features.
        proj = torch.stack([self.projectors[m](f[:, :f.shape[1] // 2])  # [N, D] -> [N, D/2]
                            for m, f in feats.items()], dim=1)  # [N, M, P]
        contrast = supcon_loss(proj, labels, self.temperature, self.base_temperature)
        distance = torch.stack([split_distance_loss(f) for f in feats.values()]).mean()

        out = {f'moosa/{name}/weight': w.detach() for name, w in zip(logits, weights.mean(0))}
        out['moosa/jigsaw_acc'] = (jig_logits.detach().argmax(1) == jig_labels).float().mean()
        out.update(
            # The head's loss_cls is the fused CE with weight 1: carry the rest.
            loss_entropy_weighting=weighted - F.cross_entropy(batch.logits, labels),
            loss_entropy_min=self.entropy_min_weight * entropy_min,
            loss_jigsaw=self.jigsaw_weight * jigsaw,
            loss_translation=self.translation_weight * translation,
            loss_supcon=self.contrast_weight * contrast,
            loss_distance=self.distance_weight * distance)
        return out
