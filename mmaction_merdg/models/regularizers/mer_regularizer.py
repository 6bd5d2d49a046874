"""MER-DG as a regularizer: per-modality projection heads + entropy loss."""
import copy
from typing import Dict, Optional, Tuple

from mmengine.model import ModuleDict
from torch import Tensor

from mmaction.registry import MODELS

from ..necks.mer_projector import MERProjector
from ..necks.mer_projector_bank import MERProjectorBank
from .base_regularizer import BaseRegularizer, RegularizerInputs


@MODELS.register_module()
class MERRegularizer(BaseRegularizer):
    """MER-DG: modality entropy regularisation of each modality's features.

    ``feat[m] [N, D_m] -> projector[m] -> z[m] [N, 128] -> loss(z[m])``,
    summed over modalities into ``loss_mer``; the unweighted terms are logged
    as ``mer/<modality>/<term>``. Add it to any method with one config line::

        model = dict(regularizers=dict(mer=dict(type='MERRegularizer')))

    Reference: the MER-DG paper and its official code (projection head
    Linear-LN-ReLU x2 -> 128, ``lambda_mer = 3``, ``alpha_marg = alpha_spec =
    1``, ``eps = 1e-4``); see :class:`ModalityEntropyLoss`.

    Args:
        feat_dims (dict): ``modality -> D_m`` (filled in by the recognizer).
        num_classes (int): Unused; filled in by the recognizer.
        projector (dict): Projection neck built once per modality with
            ``in_channels=D_m``. Defaults to
            ``dict(type='MERProjector', hidden_channels=512, out_channels=128)``.
        loss (dict): Entropy loss applied to each modality's projection.
            Defaults to ``dict(type='ModalityEntropyLoss', loss_weight=3.0)``.
    """

    def __init__(self,
                 feat_dims: Dict[str, int],
                 num_classes: int,
                 projector: dict = dict(type='MERProjector', hidden_channels=512,
                                        out_channels=128),
                 loss: dict = dict(type='ModalityEntropyLoss', loss_weight=3.0),
                 init_cfg=None) -> None:
        super().__init__(feat_dims, num_classes, init_cfg=init_cfg)
        self.loss = MODELS.build(loss)
        # Built in modality order right after the head, as the recognizer did
        # before regularizers existed: same parameter initialisation. The
        # official head (MERProjector) of every modality is stored stacked and
        # run as one batch (MERProjectorBank: same values, a third of the ops);
        # any other projector type is built and applied per modality.
        projector = copy.deepcopy(projector)
        if projector.get('type') in ('MERProjector', MERProjector):
            projector.pop('type')
            self.projectors = MERProjectorBank(
                {m: self.feat_dims[m] for m in self.modalities}, **projector)
        else:
            self.projectors = ModuleDict()
            for m in self.modalities:
                self.projectors[m] = MODELS.build(
                    dict(copy.deepcopy(projector), in_channels=self.feat_dims[m]))
        # Detached projections of the last training step, for
        # ModalityEntropyLoggerHook (through the recognizer). Not saved.
        self._last: Optional[Tensor] = None
        self._last_dict: Dict[str, Tensor] = {}

    @property
    def last_projections(self) -> Dict[str, Tensor]:
        """``modality -> [N, D]`` detached projections of the last training step."""
        if self._last is not None:
            return dict(zip(self.modalities, self._last.unbind(0)))
        return self._last_dict

    def entropy_losses(self, projections: Dict[str, Tensor]
                       ) -> Tuple[Tensor, Dict[str, Dict[str, Tensor]]]:
        """Weighted loss summed over modalities, and each modality's terms.

        One batched pass over the modalities
        (:meth:`ModalityEntropyLoss.forward_multi`: the projections stacked
        ``[M, N, D]``, no host synchronisation).

        Args:
            projections (dict): ``modality -> [N, D]``.

        Returns:
            tuple: total weighted loss (scalar) and ``modality -> {term: scalar}``
            (detached).
        """
        return self.loss.forward_multi(projections)

    def forward(self, batch: RegularizerInputs) -> Dict[str, Tensor]:
        """``loss_mer`` and the logged terms ``mer/<modality>/<term>``."""
        if isinstance(self.projectors, MERProjectorBank):
            z = self.projectors(batch.feats)  # M x [N, D_m] -> [M, N, 128]
            # Detached here, not when read: a tensor in the autograd graph
            # would make the module impossible to deepcopy (averaged teachers).
            self._last = z.detach()
            total, terms = self.loss.forward_stacked(z, self.modalities)
        else:
            projections = {m: self.projectors[m](batch.feats[m]) for m in self.modalities}
            self._last_dict = {m: z.detach() for m, z in projections.items()}
            total, terms = self.entropy_losses(projections)
        out = {}
        for m in self.modalities:
            for name, value in terms[m].items():
                out[f'mer/{m}/{name}'] = value
        out['loss_mer'] = total
        return out
