"""One encoder per modality, late fusion, and composable regularizers (the
objectives of MMDG methods, MER-DG's entropy loss among them).

Data flow (one way)::

    inputs[m] [N, V, ...] -> backbone[m] -> global pool -> mean over V -> feat[m] [N, D_m]
    (training with train_cfg.views_as_samples: [N, V, ...] -> [V*N, 1, ...] first)
    {feat[m]} -> cls_head (concat -> MLP) -> logits [N, K] -> loss_cls
    (feats, logits, labels, domains) -> regularizers[name] -> loss_* (+ logged scalars)

Without regularizers the same code path is the Fusion baseline of SimMMDG /
MER-DG. See :mod:`mmaction_merdg.models.regularizers` for the contract.
"""
import copy
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.model import BaseModel, ModuleDict
from mmengine.registry import DefaultScope
from torch import Tensor, nn

from mmaction.registry import MODELS
from mmaction.utils import OptSampleList, SampleList

from ...modalities import MODALITIES
from .feature_checks import check_finite_features
from ..utils import (check_feat_dim, forward_backbone, global_pool,  # noqa: F401
                     infer_feat_dims, load_backbone_checkpoint, resolve_layouts)
from ..regularizers.base_regularizer import BaseRegularizer, RegularizerInputs
from .missing_modality import test_features


def _legacy_projector_keys(state_dict, prefix, *args) -> None:
    """Map ``projectors.<m>.*`` (before regularizers) to ``regularizers.mer.projectors``."""
    for key in [k for k in state_dict if k.startswith(prefix + 'projectors.')]:
        new = prefix + 'regularizers.mer.' + key[len(prefix):]
        state_dict[new] = state_dict.pop(key)



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
        regularizers (dict, optional): ``name -> regularizer config`` (a
            registered :class:`BaseRegularizer`; ``feat_dims`` and
            ``num_classes`` are filled in). A None entry is skipped, so a
            config removes an inherited one with ``name=None``. Built and run
            in the dict's order. Defaults to None (Fusion).
        projector (dict, optional): Legacy form of MER-DG (kept for existing
            configs): with ``mer_loss`` it builds
            ``regularizers['mer'] = MERRegularizer(projector, mer_loss)``.
            Defaults to None.
        mer_loss (dict, optional): Legacy form of MER-DG, see ``projector``.
            None or ``loss_weight=0`` adds nothing. Defaults to None.
        data_preprocessor (dict, optional): Typically MMAction2's
            ``MultiModalDataPreprocessor``. Defaults to None.
        train_cfg (dict, optional): ``views_as_samples`` (bool, default
            False): in training, each of a sample's ``V`` views (clips) is a
            sample of its own (``[N, V, ...] -> [V*N, 1, ...]``, view-major,
            labels and domains repeated), as two-view methods train (NEL);
            otherwise the ``V`` views are averaged, as at test time. Defaults
            to None.
        test_cfg (dict, optional): Prediction with missing modalities:
            ``missing_modalities`` (list), ``missing_fill`` (``'zero'``: the
            benchmark's zeroed embedding, or ``'mean'``: the training mean) and
            ``feature_mean_file``; see ``missing_modality.py`` and
            docs/robustness.md. Defaults to None (every modality required).
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
                 regularizers: Optional[Dict[str, Optional[dict]]] = None,
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
        unknown = sorted(set(train_cfg or {}) - {'views_as_samples'})
        if unknown:
            raise ValueError(f'MultiModalRecognizer: unknown train_cfg keys {unknown}; '
                             "expected among ['views_as_samples'].")

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

        reg_cfgs = {k: v for k, v in dict(regularizers or {}).items() if v is not None}
        if mer_loss is not None and float(mer_loss.get('loss_weight', 1.0)) != 0:
            if projector is None:
                raise ValueError('MultiModalRecognizer: mer_loss needs a '
                                 '`projector` config (e.g. MERProjector).')
            if 'mer' in reg_cfgs:
                raise ValueError('MultiModalRecognizer: MER-DG is given twice, as '
                                 '`mer_loss`/`projector` and as `regularizers.mer`; '
                                 'keep one (set mer_loss=None or regularizers.mer=None).')
            reg_cfgs['mer'] = dict(type='MERRegularizer', projector=projector, loss=mer_loss)
        self.regularizers = ModuleDict()
        for name, cfg in reg_cfgs.items():
            cfg = dict(copy.deepcopy(cfg), feat_dims=dict(self.feat_dims),
                       num_classes=self.cls_head.num_classes)
            reg = MODELS.build(cfg)
            if not isinstance(reg, BaseRegularizer):
                raise TypeError(f'MultiModalRecognizer: regularizers.{name} built a '
                                f'{type(reg).__name__}, not a BaseRegularizer.')
            self.regularizers[name] = reg
        # Checkpoints from before regularizers existed kept MER-DG's
        # projectors at `projectors.<m>`.
        self._register_load_state_dict_pre_hook(_legacy_projector_keys)
        # Detached per-modality tensors of the last training step, for logging
        # hooks (e.g. ModalityEntropyLoggerHook). Not part of the state dict.
        self.last_features: Dict[str, Tensor] = {}

    @property
    def with_mer(self) -> bool:
        """Whether the MER-DG regularizer (``regularizers['mer']``) is active."""
        return 'mer' in self.regularizers

    @property
    def mer_loss(self) -> Optional[nn.Module]:
        """MER-DG's entropy loss module, or None."""
        return self.regularizers['mer'].loss if self.with_mer else None

    @property
    def projectors(self) -> Dict[str, nn.Module]:
        """MER-DG's per-modality projection heads (empty without MER-DG)."""
        return self.regularizers['mer'].projectors if self.with_mer else {}

    @property
    def last_projections(self) -> Dict[str, Tensor]:
        """Detached MER-DG projections of the last training step (or empty)."""
        return self.regularizers['mer'].last_projections if self.with_mer else {}

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
    def extract_feat(self, inputs: Dict[str, Tensor],
                     modalities: Optional[Sequence[str]] = None) -> Dict[str, Tensor]:
        """Pooled encoder features per modality.

        Args:
            inputs (dict): ``modality -> [N, V, ...]`` batches from the data
                preprocessor (``V`` clips or views per sample).
            modalities (Sequence[str], optional): Encode only these. Defaults
                to every modality of the model.

        Returns:
            dict: ``modality -> [N, D_m]``, averaged over the ``V`` views.
        """
        modalities = self.modalities if modalities is None else list(modalities)
        missing = [m for m in modalities if m not in inputs]
        extra = [m for m in inputs if m not in self.modalities]
        if missing or extra:
            raise KeyError(
                f'MultiModalRecognizer expects inputs {modalities} (backbones for '
                f'{self.modalities}) but the batch holds {list(inputs)} (missing '
                f"{missing}, without a backbone {extra}): the dataset's `modalities` "
                'and `model.backbones` must name the same modalities (or predict '
                'without some through model.test_cfg.missing_fill).')
        feats = {}
        for m in modalities:
            n, v = inputs[m].shape[:2]
            f = forward_backbone(self.backbones[m], inputs[m], self.input_layouts[m], m)
            check_feat_dim(f, self.feat_dims[m], m, self.backbones[m], self.input_layouts[m])
            feats[m] = f.view(n, v, -1).mean(dim=1)  # [N*V, D] -> [N, D]
        return feats

    def training_views(self, inputs: Dict[str, Tensor], data_samples: SampleList):
        """The training batch as ``train_cfg.views_as_samples`` asks.

        Returns:
            tuple: ``(inputs, data_samples, num_views)``; with
            ``views_as_samples`` the inputs are ``modality -> [V*N, 1, ...]``
            (view 1 of every sample, then view 2, ...), the data samples
            repeated alike and ``num_views = V``; otherwise unchanged and 1.
        """
        if not (self.train_cfg or {}).get('views_as_samples', False):
            return inputs, data_samples, 1
        views = {x.shape[1] for x in inputs.values()}
        if len(views) != 1:
            raise ValueError(f'MultiModalRecognizer: views_as_samples needs the same number '
                             f'of views V in every modality; got {sorted(views)}.')
        v = views.pop()
        # [N, V, ...] -> [V, N, ...] -> [V*N, 1, ...]: view-major.
        split = {m: x.transpose(0, 1).reshape(-1, 1, *x.shape[2:]) for m, x in inputs.items()}
        return split, list(data_samples) * v, v

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
            dict: ``loss_cls`` and each regularizer's outputs (e.g. MER-DG's
            ``loss_mer`` and logged, non-optimised scalars
            ``mer/<modality>/marg`` and ``.../spec``, whose names hold no
            "loss", so mmengine does not sum them).
        """
        inputs, data_samples, num_views = self.training_views(inputs, data_samples)
        feats = self.extract_feat(inputs)
        check_finite_features(feats)  # names the modality that diverged
        logits = self.cls_head(feats)
        labels = self._labels(data_samples)
        losses = self.cls_head.loss(logits, labels)
        self.last_features = {m: f.detach() for m, f in feats.items()}
        if self.regularizers:
            batch = RegularizerInputs(
                feats=feats, logits=logits, labels=labels,
                domains=[ds.get('domain', None) for ds in data_samples],
                inputs=inputs, model=self, num_views=num_views)
            for name, reg in self.regularizers.items():
                out = reg(batch)
                clash = set(out) & set(losses)
                if clash:
                    raise KeyError(f'regularizers.{name} returned {sorted(clash)}, '
                                   'already produced by the head or another regularizer.')
                losses.update(out)
        return losses

    def predict(self, inputs: Dict[str, Tensor], data_samples: SampleList) -> SampleList:
        """Attach ``pred_score`` [K] and ``pred_label`` to each data sample."""
        # test_features: extract_feat, then test_cfg's missing modalities filled.
        scores = self.cls_head.predict_scores(self.cls_head(test_features(self, inputs)))
        for ds, score in zip(data_samples, scores):
            ds.set_pred_score(score)
            ds.set_pred_label(score.argmax(keepdim=True))
        return data_samples

    def _forward(self, inputs: Dict[str, Tensor], data_samples: OptSampleList = None) -> Tensor:
        """Raw class logits ``[N, K]``."""
        return self.cls_head(test_features(self, inputs))

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
