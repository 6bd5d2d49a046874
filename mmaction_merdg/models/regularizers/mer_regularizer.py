"""MER-DG as a regularizer: per-modality projection heads + entropy loss."""
import copy
from typing import Dict, Optional, Tuple

from mmengine.model import ModuleDict
from torch import Tensor

from mmaction.registry import MODELS

from ..necks.mer_projector import MERProjector
from ..necks.mer_projector_bank import MERProjectorBank
from .base_regularizer import BaseRegularizer, RegularizerInputs


#: The projection head of the official MER-DG code (``ProjectHead``,
#: ``--hidden_dim`` 2048, not overridden by ``run_experiments.sh``).
MER_PROJECTOR = dict(type='MERProjector', hidden_channels=2048, out_channels=128)


@MODELS.register_module()
class MERRegularizer(BaseRegularizer):
    """MER-DG: modality entropy regularisation of each modality's features.

    Alone or with a method that has no official MER-DG version (the rule of
    ``train_mer_dg.py``, Fusion + MER-DG)::

        feat[m] [N, D_m] -> projector[m] -> z[m] [N, 128] -> loss(z[m])

    summed over modalities into ``loss_mer``, where ``feat[m]`` is the
    embedding every loss of the step reads (after the recognizer's
    ``embedding_dropout``, as the official code projects the dropped head
    embedding). With SimMMDG (``targets='auto'`` or ``'simmmdg'``), as
    ``train_video_flow_audio_EPIC_MERDG.py`` composes them, the loss acts per
    modality on SimMMDG's own L2-normalised contrastive projection of the
    shared half (its ``views['shared_projection']``) and on a second head on
    the specific half (``specific_projector``, by default SimMMDG's own
    Linear-BN-ReLU x2 -> 128, L2-normalised), the two summed; the
    whole-feature heads are then not built. The unweighted terms are logged as
    ``mer/<name>/<term>`` (``name`` = modality, or ``<modality>/shared`` and
    ``<modality>/specific``). Add it to any method with one config line::

        model = dict(regularizers=dict(mer=_base_.mer_regularizer))

    Reference: the MER-DG paper and its official code (projection head
    Linear-LN-ReLU x2 -> 128 at hidden 2048, ``lambda_mer = 3``,
    ``alpha_marg = alpha_spec = 1``, ``eps = 1e-4``); see
    :class:`ModalityEntropyLoss`.

    Args:
        feat_dims (dict): ``modality -> D_m`` (filled in by the recognizer).
        num_classes (int): Unused; filled in by the recognizer.
        projector (dict): Projection neck built once per modality with
            ``in_channels=D_m``. Defaults to :data:`MER_PROJECTOR`.
        loss (dict): Entropy loss applied to each modality's projection.
            Defaults to ``dict(type='ModalityEntropyLoss', loss_weight=3.0)``.
        targets (str): What the loss reads: ``'auto'`` (SimMMDG's projections
            when a ``SimMMDGRegularizer`` is in the model, else its own heads
            on the embeddings), ``'simmmdg'`` (requires one) or
            ``'embeddings'`` (always its own heads). Defaults to ``'auto'``.
        specific_projector (dict, optional): Head of the specific halves in
            the SimMMDG composition, built with ``in_channels=D_m/2``. None:
            SimMMDG's ``projector`` config. Defaults to None.
    """

    reads_views = True
    TARGETS = ('auto', 'simmmdg', 'embeddings')

    def __init__(self,
                 feat_dims: Dict[str, int],
                 num_classes: int,
                 projector: dict = MER_PROJECTOR,
                 loss: dict = dict(type='ModalityEntropyLoss', loss_weight=3.0),
                 targets: str = 'auto',
                 specific_projector: Optional[dict] = None,
                 init_cfg=None) -> None:
        super().__init__(feat_dims, num_classes, init_cfg=init_cfg)
        if targets not in self.TARGETS:
            raise ValueError(f'MERRegularizer: targets must be one of {self.TARGETS}, '
                             f'got {targets!r}.')
        self.targets = targets
        self.specific_projector_cfg = copy.deepcopy(specific_projector)
        self.loss = MODELS.build(loss)
        #: Key of the SimMMDG regularizer whose views are read (set by attach).
        self.simmmdg_key: Optional[str] = None
        self.projectors = self._build_projectors(copy.deepcopy(projector), self.feat_dims)
        # Detached projections of the last training step (last_tensors). Not saved.
        self._last: Optional[Tensor] = None
        self._last_dict: Dict[str, Tensor] = {}

    @staticmethod
    def _build_projectors(projector: dict, dims: Dict[str, int]):
        # The official head (MERProjector) of every modality is stored stacked
        # and run as one batch (MERProjectorBank: same values, a third of the
        # ops); any other projector type is built and applied per modality.
        if projector.get('type') in ('MERProjector', MERProjector):
            projector.pop('type')
            return MERProjectorBank(dims, **projector)
        heads = ModuleDict()
        for m, d in dims.items():
            heads[m] = MODELS.build(dict(copy.deepcopy(projector), in_channels=d))
        return heads

    def attach(self, siblings: Dict[str, BaseRegularizer]) -> None:
        """Switch to SimMMDG's composition when a ``SimMMDGRegularizer`` is there."""
        from .simmmdg_regularizer import SimMMDGRegularizer
        found = [k for k, r in siblings.items() if isinstance(r, SimMMDGRegularizer)]
        if self.targets == 'simmmdg' and not found:
            raise ValueError("MERRegularizer: targets='simmmdg' needs a SimMMDGRegularizer "
                             f'in model.regularizers; found {list(siblings)}.')
        if self.targets == 'embeddings' or not found:
            return
        sim = siblings[found[0]]
        self.simmmdg_key = sim.key or type(sim).__name__
        cfg = self.specific_projector_cfg or sim.projector_cfg
        # The whole-feature heads are replaced by heads on the specific halves.
        self.projectors = ModuleDict({
            m: MODELS.build(dict(copy.deepcopy(cfg), in_channels=self.feat_dims[m] // 2))
            for m in self.modalities})

    def last_tensors(self) -> Dict[str, Tensor]:
        """Detached ``name -> [N, D]`` projections the loss read at the last step."""
        if self._last is not None:
            return dict(zip(self.modalities, self._last.unbind(0)))
        return dict(self._last_dict)

    def entropy_losses(self, projections: Dict[str, Tensor]
                       ) -> Tuple[Tensor, Dict[str, Dict[str, Tensor]]]:
        """Weighted loss summed over the projections, and each one's terms.

        One batched pass (:meth:`ModalityEntropyLoss.forward_multi`: the
        projections stacked ``[M, N, D]`` when their shapes agree, no host
        synchronisation).

        Args:
            projections (dict): ``name -> [N, D]``.

        Returns:
            tuple: total weighted loss (scalar) and ``name -> {term: scalar}``
            (detached).
        """
        return self.loss.forward_multi(projections)

    def _simmmdg_projections(self, batch: RegularizerInputs) -> Dict[str, Tensor]:
        views = batch.views.get(self.simmmdg_key)
        if not views or 'shared_projection' not in views or 'specific' not in views:
            raise KeyError(f'MERRegularizer: regularizers.{self.simmmdg_key} published no '
                           "'shared_projection'/'specific' views this step.")
        out = {}
        for m in self.modalities:
            out[f'{m}/shared'] = views['shared_projection'][m]
            out[f'{m}/specific'] = self.projectors[m](views['specific'][m])
        return out

    def forward(self, batch: RegularizerInputs) -> Dict[str, Tensor]:
        """``loss_mer`` and the logged terms ``mer/<name>/<term>``."""
        if self.simmmdg_key is not None:
            projections = self._simmmdg_projections(batch)
            self._last_dict = {k: z.detach() for k, z in projections.items()}
            total, terms = self.entropy_losses(projections)
        elif isinstance(self.projectors, MERProjectorBank):
            z = self.projectors(batch.feats)  # M x [N, D_m] -> [M, N, 128]
            # Detached here, not when read: a tensor in the autograd graph
            # would make the module impossible to deepcopy (averaged teachers).
            self._last = z.detach()
            total, terms = self.loss.forward_stacked(z, self.modalities)
        else:
            projections = {m: self.projectors[m](batch.feats[m]) for m in self.modalities}
            self._last_dict = {m: z.detach() for m, z in projections.items()}
            total, terms = self.entropy_losses(projections)
        out = {f'mer/{name}/{term}': value
               for name, values in terms.items() for term, value in values.items()}
        out['loss_mer'] = total
        return out
