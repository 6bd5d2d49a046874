"""The composition point of :class:`MultiModalRecognizer`: regularizers.

An MMDG method that adds objectives on top of the fused classifier (SimMMDG's
contrastive/translation/distance terms, RNA-Net's norm alignment, MER-DG's
entropy loss, ...) is a registered :class:`BaseRegularizer`. The recognizer
builds every entry of its ``regularizers`` dict with the sizes it needs and,
at each training step, hands each one the same :class:`RegularizerInputs`;
each returns a dict of named outputs:

* keys containing ``loss`` (``loss_mer``, ``loss_supcon``...) are summed by
  mmengine into the optimised loss, so they must already carry their weight;
* any other key (``mer/imgs/marg``...) is a detached scalar that is only
  logged.

Contract (checked by the recognizer): a regularizer never overwrites a key of
the head or of another regularizer. Regularizers only run in ``loss`` mode;
prediction goes through the fusion head alone.

Composition and logging (the rest of the contract):

* ``feats`` are the embeddings every loss of the step reads: the pooled
  encoder outputs after the recognizer's per-modality ``embedding_dropout``
  (training only), the very tensors the fusion head receives;
* after building them all, the recognizer calls :meth:`BaseRegularizer.attach`
  of each with the others (``name -> regularizer``), so that a regularizer
  that composes with another one (MER-DG on SimMMDG's projections) can build
  the parameters it needs there;
* a regularizer may publish tensors for the ones after it in
  ``RegularizerInputs.views[<its name>]`` (e.g. SimMMDG's shared-half
  projections); regularizers with ``reads_views = True`` run after all the
  others;
* :meth:`BaseRegularizer.last_tensors` returns the detached ``name -> [N, D]``
  tensors its loss read at the last training step (empty by default), which
  logging hooks read (``ModalityEntropyLoggerHook``'s ``regularizers.<key>``
  source): the recognizer itself holds nothing method-specific.
"""
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

from mmengine.model import BaseModule
from torch import Tensor, nn

from ...modalities import MODALITIES


@dataclass
class RegularizerInputs:
    """What a regularizer receives at each training step.

    Attributes:
        feats (dict): ``modality -> [N, D_m]`` pooled encoder features (with
            gradients), in the recognizer's modality order.
        logits (Tensor): ``[N, K]`` fused class logits (with gradients).
        labels (Tensor): ``[N]`` class indices.
        domains (list[str | None]): Per-sample domain name (``domain`` field
            of the data samples), None where absent.
        inputs (dict): ``modality -> [N, V, ...]`` preprocessed inputs, for
            methods that run another model on the batch (a teacher).
        model (nn.Module): The recognizer itself.
        num_views (int): ``V`` when the batch holds ``V`` views of each of
            ``N / V`` samples as samples of their own, view-major (row
            ``v * N / V + i`` is view ``v`` of sample ``i``; the recognizer's
            ``train_cfg.views_as_samples``); 1 otherwise. Defaults to 1.
        views (dict): ``regularizer name -> {tensor name -> tensor}``
            published during this step by the regularizers that ran before
            (with gradients). Defaults to empty.
    """
    feats: Dict[str, Tensor]
    logits: Tensor
    labels: Tensor
    domains: List[Optional[str]]
    inputs: Dict[str, Tensor]
    model: nn.Module
    num_views: int = 1
    views: Dict[str, Dict[str, Tensor]] = field(default_factory=dict)


class BaseRegularizer(BaseModule):
    """Base class of the recognizer's regularizers.

    Subclasses implement :meth:`forward` and may own parameters (projection
    heads, translation MLPs, unimodal classifiers): they are part of the
    recognizer, so the optimizer and checkpoints see them.

    Args:
        feat_dims (dict): ``modality -> D_m``, filled in by the recognizer.
        num_classes (int): Number of classes, filled in by the recognizer.
        min_modalities (int): Fewest modalities the method is defined for.
            Defaults to 1.
        init_cfg (dict, optional): mmengine init config. Defaults to None.
    """

    #: Set by methods that need an averaged teacher (``AveragedTeacherHook``).
    uses_teacher: bool = False
    #: Run after every regularizer without it (reads ``RegularizerInputs.views``).
    reads_views: bool = False

    def __init__(self, feat_dims: Dict[str, int], num_classes: int,
                 min_modalities: int = 1, init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        unknown = [m for m in feat_dims if m not in MODALITIES]
        if unknown:
            raise ValueError(f'{type(self).__name__}: unknown modalities {unknown} in '
                             f'feat_dims; expected keys among {MODALITIES}.')
        self.modalities: Sequence[str] = [m for m in MODALITIES if m in feat_dims]
        if len(self.modalities) < min_modalities:
            raise ValueError(f'{type(self).__name__} needs at least {min_modalities} '
                             f'modalities; the model has {list(self.modalities)}.')
        self.feat_dims = {m: int(feat_dims[m]) for m in self.modalities}
        self.num_classes = int(num_classes)
        #: Its name in the recognizer's ``regularizers`` (set by the recognizer).
        self.key = ''

    def attach(self, siblings: Dict[str, 'BaseRegularizer']) -> None:
        """Called once by the recognizer with the other regularizers
        (``name -> module``) after all are built; nothing by default."""

    def last_tensors(self) -> Dict[str, Tensor]:
        """Detached ``name -> [N, D]`` tensors the loss read at the last
        training step (a name is a modality or ``<modality>/<part>``), for
        logging hooks; empty by default."""
        return {}

    def forward(self, batch: RegularizerInputs) -> Dict[str, Tensor]:
        """Named losses (``loss_*``) and logged scalars for one batch."""
        raise NotImplementedError
