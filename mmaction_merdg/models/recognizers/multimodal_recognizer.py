"""One encoder per modality, late fusion, and an optional per-modality
feature regulariser (MER-DG's entropy loss).

Data flow (one way)::

    inputs[m] [N, V, ...] -> backbone[m] -> global pool -> mean over V -> feat[m] [N, D_m]
    feat[m] -> projector[m] -> z[m] [N, 128] -> mer_loss          (per modality)
    {feat[m]} -> cls_head (concat -> MLP) -> logits [N, K] -> loss_cls

Without ``mer_loss`` (or with ``loss_weight=0``) the same code path is the
Fusion baseline of SimMMDG / MER-DG.
"""
import copy
from typing import Dict, List, Optional, Sequence, Union

import torch
from mmengine.model import BaseModel, ModuleDict
from mmengine.model.weight_init import PretrainedInit
from mmengine.registry import DefaultScope
from torch import Tensor

from mmaction.registry import MODELS
from mmaction.utils import OptSampleList, SampleList

from ...modalities import MODALITIES


def global_pool(x: Union[Tensor, Sequence[Tensor]]) -> Tensor:
    """Average a backbone output over every axis after the channel axis.

    Args:
        x (Tensor | Sequence[Tensor]): ``[B, C, *spatial]`` or, for two-pathway
            backbones such as SlowFast, a tuple of such maps.

    Returns:
        Tensor: ``[B, C]``, or ``[B, sum C_i]`` for a tuple (concatenated in
        order: slow then fast for SlowFast, giving 2048 + 256 = 2304 for R101).
    """
    if isinstance(x, (tuple, list)):
        return torch.cat([global_pool(t) for t in x], dim=1)
    if x.dim() < 2:
        raise ValueError(f'Backbone output must be [B, C, ...]; got {tuple(x.shape)}.')
    return x.flatten(2).mean(dim=2) if x.dim() > 2 else x  # [B, C, ...] -> [B, C]


@MODELS.register_module()
class MultiModalRecognizer(BaseModel):
    """Multimodal recognizer for multimodal domain generalization.

    Follows the MMDG architecture of SimMMDG (Dong et al., NeurIPS 2023) and
    MER-DG: one encoder per modality, each pooled to a vector, a late-fusion
    MLP classifier on the concatenated vectors, and, for MER-DG, a per-modality
    projection head whose output enters a feature-entropy loss.

    Args:
        backbones (dict): ``modality -> backbone config``; any backbone
            registered in MMAction2's ``MODELS``. The keys (a subset of
            ``imgs``, ``flow_imgs``, ``audios``) are the modalities of the
            model. A backbone config may carry its own
            ``init_cfg=dict(type='Pretrained', checkpoint=..., prefix=...)``:
            it is applied to that backbone alone (e.g. ``prefix='backbone.'``
            for an MMAction2 model-zoo recognizer checkpoint).
        feat_dims (dict): ``modality -> size of the pooled backbone output``.
        cls_head (dict): Fusion head config; ``in_channels`` is filled from
            ``feat_dims``. Typically ``MultiModalFusionHead``.
        projector (dict, optional): Projection neck config applied per
            modality (``in_channels`` filled from ``feat_dims``). Required
            when ``mer_loss`` is active. Defaults to None.
        mer_loss (dict, optional): Per-modality feature loss, e.g.
            ``ModalityEntropyLoss``; its output is summed over modalities into
            ``loss_mer``. None or ``loss_weight=0`` is the Fusion baseline.
            Defaults to None.
        data_preprocessor (dict, optional): Typically MMAction2's
            ``MultiModalDataPreprocessor``. Defaults to None.
        train_cfg (dict, optional): Unused; kept for MMAction2 parity.
        test_cfg (dict, optional): Unused; kept for MMAction2 parity.
        init_cfg (dict, optional): Whole-model init config. Defaults to None.
    """

    def __init__(self,
                 backbones: Dict[str, dict],
                 feat_dims: Dict[str, int],
                 cls_head: dict,
                 projector: Optional[dict] = None,
                 mer_loss: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if isinstance(data_preprocessor, dict):
            # Build from MMAction2's registry so the model also builds outside
            # a Runner (no default scope needed).
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if not backbones:
            raise ValueError('MultiModalRecognizer: `backbones` is empty.')
        unknown = [m for m in backbones if m not in MODALITIES]
        if unknown:
            raise ValueError(f'MultiModalRecognizer: unknown modalities {unknown}; '
                             f'expected keys among {MODALITIES}.')
        missing = [m for m in backbones if m not in feat_dims]
        if missing:
            raise ValueError(f'MultiModalRecognizer: feat_dims lacks {missing}.')
        # Fixed order (imgs, flow_imgs, audios) whatever the config's order.
        self.modalities: List[str] = [m for m in MODALITIES if m in backbones]
        self.feat_dims = {m: int(feat_dims[m]) for m in self.modalities}
        self.train_cfg, self.test_cfg = train_cfg, test_cfg

        self.backbones = ModuleDict()
        self.backbone_init_cfgs: Dict[str, Optional[dict]] = {}
        # Some MMAction2 backbones build their layers through scoped registries
        # (e.g. conv_cfg=dict(type='Conv')); fix the scope so the model also
        # builds outside a Runner.
        with DefaultScope.overwrite_default_scope('mmaction'):
            for m in self.modalities:
                cfg = copy.deepcopy(dict(backbones[m]))
                self.backbone_init_cfgs[m] = cfg.pop('init_cfg', None)
                self.backbones[m] = MODELS.build(cfg)

        head_cfg = dict(copy.deepcopy(cls_head))
        head_cfg['in_channels'] = dict(self.feat_dims)
        self.cls_head = MODELS.build(head_cfg)

        self.mer_loss = None
        if mer_loss is not None and float(mer_loss.get('loss_weight', 1.0)) != 0:
            if projector is None:
                raise ValueError('MultiModalRecognizer: mer_loss needs a '
                                 '`projector` config (e.g. MERProjector).')
            self.mer_loss = MODELS.build(mer_loss)
        self.projectors = ModuleDict()
        if self.mer_loss is not None:
            for m in self.modalities:
                self.projectors[m] = MODELS.build(
                    dict(copy.deepcopy(projector), in_channels=self.feat_dims[m]))
        # Detached per-modality tensors of the last training step, for logging
        # hooks (e.g. ModalityEntropyLoggerHook). Not part of the state dict.
        self.last_features: Dict[str, Tensor] = {}
        self.last_projections: Dict[str, Tensor] = {}

    @property
    def with_mer(self) -> bool:
        """Whether the MER-DG feature loss is active."""
        return self.mer_loss is not None

    def init_weights(self) -> None:
        """Initialise every part, then load each backbone's own checkpoint.

        Backbones are first initialised by their own ``init_weights`` (which
        for MMAction2's 3D ResNets also honours their ``pretrained`` argument);
        a backbone-level ``init_cfg`` of type ``Pretrained`` is then loaded
        into that backbone alone through mmengine's ``PretrainedInit``
        (``weights_only=True``, see ``mmaction_merdg.compat``).
        """
        super().init_weights()
        for m, icfg in self.backbone_init_cfgs.items():
            if not icfg:
                continue
            icfg = dict(icfg)
            kind = icfg.pop('type', None)
            if kind != 'Pretrained':
                raise ValueError(
                    f"backbones['{m}'].init_cfg: only type='Pretrained' is "
                    f'handled per backbone, got {kind!r}.')
            if 'checkpoint' not in icfg:
                raise ValueError(f"backbones['{m}'].init_cfg needs 'checkpoint'.")
            icfg.setdefault('map_location', 'cpu')
            PretrainedInit(**icfg)(self.backbones[m])

    # ------------------------------------------------------------------ #
    def extract_feat(self, inputs: Dict[str, Tensor]) -> Dict[str, Tensor]:
        """Pooled encoder features per modality.

        Args:
            inputs (dict): ``modality -> [N, V, ...]`` batches from the data
                preprocessor (``V`` clips or views per sample).

        Returns:
            dict: ``modality -> [N, D_m]``, averaged over the ``V`` views.
        """
        missing = [m for m in self.modalities if m not in inputs]
        if missing:
            raise KeyError(f'MultiModalRecognizer expects inputs {self.modalities}; '
                           f'missing {missing} (check PackActionInputs.collect_keys).')
        feats = {}
        for m in self.modalities:
            x = inputs[m]
            n, v = x.shape[:2]
            x = x.reshape((n * v, ) + x.shape[2:])  # [N, V, ...] -> [N*V, ...]
            f = global_pool(self.backbones[m](x))  # [N*V, D_m]
            if f.shape[1] != self.feat_dims[m]:
                raise ValueError(
                    f"feat_dims['{m}'] is {self.feat_dims[m]} but the backbone "
                    f'outputs {f.shape[1]} channels after pooling; fix the config.')
            feats[m] = f.view(n, v, -1).mean(dim=1)  # [N*V, D] -> [N, D]
        return feats

    def _labels(self, data_samples: SampleList) -> Tensor:
        labels = torch.cat([ds.gt_label.view(-1) for ds in data_samples])  # [N]
        k = self.cls_head.num_classes
        if labels.numel() and (int(labels.min()) < 0 or int(labels.max()) >= k):
            raise ValueError(f'Labels must lie in [0, {k}); got range '
                             f'[{int(labels.min())}, {int(labels.max())}].')
        return labels

    def loss(self, inputs: Dict[str, Tensor], data_samples: SampleList) -> Dict[str, Tensor]:
        """Losses for a training batch.

        Returns:
            dict: ``loss_cls`` and, for MER-DG, ``loss_mer``; plus logged,
            non-optimised scalars ``mer/<modality>/marg`` and ``.../spec``
            (their names hold no "loss", so mmengine does not sum them).
        """
        feats = self.extract_feat(inputs)
        logits = self.cls_head(feats)
        losses = self.cls_head.loss(logits, self._labels(data_samples))
        self.last_features = {m: f.detach() for m, f in feats.items()}
        if self.with_mer:
            # [N, D_m] -> [N, 128] per modality; the loss batches the modalities.
            zs = {m: self.projectors[m](feats[m]) for m in self.modalities}
            self.last_projections = {m: z.detach() for m, z in zs.items()}
            losses['loss_mer'], terms = self.mer_loss.forward_multi(zs)
            for m, mterms in terms.items():
                for name, value in mterms.items():
                    losses[f'mer/{m}/{name}'] = value
        return losses

    def predict(self, inputs: Dict[str, Tensor], data_samples: SampleList) -> SampleList:
        """Attach ``pred_score`` [K] and ``pred_label`` to each data sample."""
        scores = self.cls_head.predict_scores(self.cls_head(self.extract_feat(inputs)))
        for ds, score in zip(data_samples, scores):
            ds.set_pred_score(score)
            ds.set_pred_label(score.argmax(keepdim=True))
        return data_samples

    def _forward(self, inputs: Dict[str, Tensor], data_samples: OptSampleList = None) -> Tensor:
        """Raw class logits ``[N, K]``."""
        return self.cls_head(self.extract_feat(inputs))

    def forward(self, inputs: Dict[str, Tensor], data_samples: OptSampleList = None,
                mode: str = 'tensor'):
        """mmengine entry point: ``mode`` in ``'loss'``, ``'predict'``, ``'tensor'``."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._forward(inputs, data_samples)
        raise RuntimeError(f'Invalid mode "{mode}"; expected loss, predict or tensor.')
