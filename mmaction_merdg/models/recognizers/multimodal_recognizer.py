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
from typing import Dict, List, Optional

import torch
from mmengine.model import BaseModel, ModuleDict
from mmengine.registry import DefaultScope
from torch import Tensor

from mmaction.registry import MODELS
from mmaction.utils import OptSampleList, SampleList

from ...modalities import MODALITIES
from .feature_checks import check_finite_features
from ..utils import (check_feat_dim, forward_backbone, global_pool,  # noqa: F401
                     infer_feat_dims, load_backbone_checkpoint, resolve_layouts)


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
        feat_dims (dict, optional): ``modality -> size of the pooled backbone
            output``; a modality left out (or ``None``) is inferred at build
            time by a dry forward (``mmaction_merdg.models.utils``), a given
            size is checked at the first forward. Defaults to None.
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
        input_layouts (dict, optional): ``modality -> 'NCTHW' | 'NCHW'``: how
            the backbone consumes its input; ``'NCHW'`` folds video frames
            into the batch for 2D backbones (TSN, TSM) and averages them.
            Defaults: NCTHW for ``imgs``/``flow_imgs``, NCHW for ``audios``.
        probe_shapes (dict, optional): ``modality -> per-sample input shape``
            of the feat_dims probe, for backbones with a fixed input size.
            Defaults to None.
    """

    def __init__(self,
                 backbones: Dict[str, dict],
                 feat_dims: Optional[Dict[str, int]] = None,
                 cls_head: Optional[dict] = None,
                 projector: Optional[dict] = None,
                 mer_loss: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None,
                 input_layouts: Optional[Dict[str, str]] = None,
                 probe_shapes: Optional[Dict[str, tuple]] = None) -> None:
        if isinstance(data_preprocessor, dict):
            # Build from MMAction2's registry so the model also builds outside
            # a Runner (no default scope needed).
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if not backbones:
            raise ValueError('MultiModalRecognizer: `backbones` is empty.')
        if cls_head is None:
            raise ValueError('MultiModalRecognizer: `cls_head` is required.')
        unknown = [m for m in backbones if m not in MODALITIES]
        if unknown:
            raise ValueError(f'MultiModalRecognizer: unknown modalities {unknown}; '
                             f'expected keys among {MODALITIES}.')
        # Fixed order (imgs, flow_imgs, audios) whatever the config's order.
        self.modalities: List[str] = [m for m in MODALITIES if m in backbones]
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
        self.input_layouts = resolve_layouts(self.modalities, input_layouts)
        self.feat_dims = infer_feat_dims(self.backbones, self.input_layouts, feat_dims,
                                         probe_shapes)

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
        into that backbone alone, strictly (``load_backbone_checkpoint``:
        raises when nothing matches, shapes differ or too much is missing;
        ``strict=False`` or ``max_missing`` relax it).
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
            load_backbone_checkpoint(
                self.backbones[m], name=f"backbones['{m}'] ({type(self.backbones[m]).__name__})",
                **icfg)

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
        extra = [m for m in inputs if m not in self.modalities]
        if missing or extra:
            raise KeyError(
                f'MultiModalRecognizer has backbones for {self.modalities} but the '
                f'batch holds {list(inputs)} (missing {missing}, without a backbone '
                f"{extra}): the dataset's `modalities` and `model.backbones` must "
                'name the same modalities.')
        feats = {}
        for m in self.modalities:
            n, v = inputs[m].shape[:2]
            f = forward_backbone(self.backbones[m], inputs[m], self.input_layouts[m], m)
            check_feat_dim(f, self.feat_dims[m], m, self.backbones[m], self.input_layouts[m])
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
        check_finite_features(feats)  # names the modality that diverged
        logits = self.cls_head(feats)
        losses = self.cls_head.loss(logits, self._labels(data_samples))
        self.last_features = {m: f.detach() for m, f in feats.items()}
        if self.with_mer:
            total = 0.
            self.last_projections = {}
            for m in self.modalities:
                z = self.projectors[m](feats[m])  # [N, D_m] -> [N, 128]
                self.last_projections[m] = z.detach()
                terms = self.mer_loss.terms(z)
                total = total + self.mer_loss.combine(terms)
                for name, value in terms.items():
                    losses[f'mer/{m}/{name}'] = value.detach()
            losses['loss_mer'] = total
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
