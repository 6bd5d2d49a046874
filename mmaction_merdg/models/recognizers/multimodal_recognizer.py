"""One encoder per modality, late fusion, and composable regularizers (the
objectives of MMDG methods, MER-DG's entropy loss among them).

Data flow (one way)::

    inputs[m] [N, V, ...] -> backbone[m] -> global pool -> mean over V -> feat[m] [N, D_m]
    (training with train_cfg.views_as_samples: [N, V, ...] -> [V*N, 1, ...] first)
    training: feat[m] -> Dropout(embedding_dropout[m]) -> emb[m]   (once, for every loss)
    {emb[m]} -> fused_logits (cls_head: concat -> MLP) -> logits [N, K] -> loss_cls
    (emb, logits, labels, domains) -> regularizers[name] -> loss_* (+ logged scalars)

Extension points for methods that change the forward before fusion (MBCD's
look-ahead step): :meth:`MultiModalRecognizer.training_features` and
:meth:`MultiModalRecognizer.fused_logits`; the regularizer loop
(:meth:`MultiModalRecognizer.regularizer_losses`) is the same for all.

Without regularizers the same code path is the Fusion baseline of SimMMDG /
MER-DG. See :mod:`mmaction_merdg.models.regularizers` for the contract.
"""
import copy
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmengine.model import BaseModel, ModuleDict
from mmengine.registry import DefaultScope
from torch import Tensor
from torch.nn import functional as F

from mmaction.registry import MODELS
from mmaction.utils import OptSampleList, SampleList

from ...modalities import MODALITIES
from .checkpoint_keys import rename_legacy_keys
from .feature_checks import check_finite_features
from ..utils import (check_feat_dim, forward_backbone, global_pool,  # noqa: F401
                     infer_feat_dims, load_backbone_checkpoint, resolve_layouts)
from ..heads.multimodal_fusion_head import MultiModalFusionHead
from ..regularizers.base_regularizer import BaseRegularizer, RegularizerInputs
from .missing_modality import test_features


#: Dropout on each modality's pooled embedding in the official code: the
#: SlowFast (RGB) and I3D/SlowOnly (flow) heads of SimMMDG, MER-DG and the MMDG
#: benchmark return their embedding after ``Dropout(0.5)``; the audio head
#: (VGGSound ``AudioAttGenModule``) has none.
OFFICIAL_EMBEDDING_DROPOUT = dict(imgs=0.5, flow_imgs=0.5, audios=0.0)


def _upgrade_keys(state_dict, prefix, *args) -> None:
    """Load pre-hook: older checkpoint layouts (see ``checkpoint_keys``)."""
    rename_legacy_keys(state_dict, prefix)


@MODELS.register_module()
class MultiModalRecognizer(BaseModel):
    """Multimodal recognizer for multimodal domain generalization.

    Follows the MMDG architecture of SimMMDG (Dong et al., NeurIPS 2023) and
    MER-DG: one encoder per modality, each pooled to a vector and (in
    training) dropped out per modality, a late-fusion MLP classifier on the
    concatenated vectors, and the method's regularizers (MER-DG's entropy
    loss among them) on the same vectors.

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
        embedding_dropout (dict, optional): ``modality -> dropout ratio``
            applied in training to each pooled embedding once, before the
            fusion head and the regularizers alike: every loss reads the
            dropped embedding, as in the official code (whose per-modality
            heads return it after their dropout). A modality left out gets 0.
            The fusion head's own input dropout is then set to 0
            (``input_dropout_ratio``, unless ``cls_head`` sets it), as the
            official fused MLP has none. None: the former behaviour, no
            dropout here, the fusion head drops its input and the
            regularizers read the un-dropped embeddings. Defaults to
            :data:`OFFICIAL_EMBEDDING_DROPOUT` (RGB and flow 0.5, audio 0).
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
                 embedding_dropout: Optional[Dict[str, float]] = OFFICIAL_EMBEDDING_DROPOUT,
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

        self.embedding_dropout = self._check_dropout(embedding_dropout)
        head_cfg = dict(copy.deepcopy(cls_head))
        head_cfg['in_channels'] = dict(self.feat_dims)
        if self.embedding_dropout is not None and head_cfg.get('type') in (
                'MultiModalFusionHead', MultiModalFusionHead):
            head_cfg.setdefault('input_dropout_ratio', 0.0)  # dropped once, here
        self.cls_head = MODELS.build(head_cfg)

        reg_cfgs = {k: v for k, v in dict(regularizers or {}).items() if v is not None}
        built = {}
        for name, cfg in reg_cfgs.items():
            cfg = dict(copy.deepcopy(cfg), feat_dims=dict(self.feat_dims),
                       num_classes=self.cls_head.num_classes)
            reg = MODELS.build(cfg)
            if not isinstance(reg, BaseRegularizer):
                raise TypeError(f'MultiModalRecognizer: regularizers.{name} built a '
                                f'{type(reg).__name__}, not a BaseRegularizer.')
            reg.key = name
            built[name] = reg
        for name, reg in built.items():
            reg.attach({k: r for k, r in built.items() if k != name})
        # Those that read other regularizers' views run after all the others.
        order = [k for k, r in built.items() if not r.reads_views] + \
            [k for k, r in built.items() if r.reads_views]
        self.regularizers = ModuleDict({k: built[k] for k in order})
        # Older checkpoint layouts (MER-DG's heads at `projectors.<m>`).
        self._register_load_state_dict_pre_hook(_upgrade_keys)
        # Detached pooled encoder features (before embedding dropout) of the
        # last training step, for logging hooks (ModalityEntropyLoggerHook's
        # `feat` source). Not part of the state dict.
        self.last_features: Dict[str, Tensor] = {}

    def _check_dropout(self, ratios: Optional[Dict[str, float]]) -> Optional[Dict[str, float]]:
        if ratios is None:
            return None
        unknown = sorted(set(ratios) - set(MODALITIES))
        if unknown:
            raise ValueError(f'MultiModalRecognizer: embedding_dropout has unknown modalities '
                             f'{unknown}; expected keys among {MODALITIES}.')
        out = {m: float(ratios.get(m, 0.0)) for m in self.modalities}
        bad = {m: p for m, p in out.items() if not 0 <= p < 1}
        if bad:
            raise ValueError(f'MultiModalRecognizer: embedding_dropout ratios must lie in '
                             f'[0, 1); got {bad}.')
        return out

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

    def drop_embeddings(self, feats: Dict[str, Tensor]) -> Dict[str, Tensor]:
        """Each modality's ``embedding_dropout`` (identity in eval mode or when None)."""
        if self.embedding_dropout is None:
            return feats
        return {m: F.dropout(f, self.embedding_dropout[m], self.training)
                if self.embedding_dropout.get(m, 0.0) > 0 else f for m, f in feats.items()}

    def training_features(self, inputs: Dict[str, Tensor]) -> Dict[str, Tensor]:
        """Extension point: the pooled features of a training batch.

        Defaults to :meth:`extract_feat`; MBCD wraps it with DSU.

        Returns:
            dict: ``modality -> [N, D_m]``, before embedding dropout.
        """
        return self.extract_feat(inputs)

    def fused_logits(self, inputs: Dict[str, Tensor], feats: Dict[str, Tensor],
                     labels: Tensor) -> Tuple[Tensor, Dict[str, Tensor]]:
        """Extension point: the fused logits of a training batch.

        Args:
            inputs (dict): ``modality -> [N, V, ...]`` training inputs.
            feats (dict): ``modality -> [N, D_m]``, the embeddings every loss
                reads (after embedding dropout).
            labels (Tensor): ``[N]``.

        Returns:
            tuple: ``logits [N, K]`` for ``loss_cls`` (and the regularizers),
            and extra outputs to log (MBCD's look-ahead returns its drop
            probabilities). Defaults to ``cls_head(feats)`` and nothing.
        """
        return self.cls_head(feats), {}

    def regularizer_losses(self, batch: RegularizerInputs,
                           losses: Dict[str, Tensor]) -> Dict[str, Tensor]:
        """Run every regularizer on ``batch`` and add its outputs to ``losses``.

        Raises:
            KeyError: when a regularizer returns a key already produced.
        """
        for name, reg in self.regularizers.items():
            out = reg(batch)
            clash = set(out) & set(losses)
            if clash:
                raise KeyError(f'regularizers.{name} returned {sorted(clash)}, '
                               'already produced by the head or another regularizer.')
            losses.update(out)
        return losses

    def loss(self, inputs: Dict[str, Tensor], data_samples: SampleList) -> Dict[str, Tensor]:
        """Losses for a training batch.

        Returns:
            dict: ``loss_cls`` and each regularizer's outputs (e.g. MER-DG's
            ``loss_mer`` and logged, non-optimised scalars
            ``mer/<modality>/marg`` and ``.../spec``, whose names hold no
            "loss", so mmengine does not sum them).
        """
        inputs, data_samples, num_views = self.training_views(inputs, data_samples)
        labels = self._labels(data_samples)
        feats = self.training_features(inputs)
        check_finite_features(feats)  # names the modality that diverged
        self.last_features = {m: f.detach() for m, f in feats.items()}
        feats = self.drop_embeddings(feats)
        logits, extra = self.fused_logits(inputs, feats, labels)
        losses = self.cls_head.loss(logits, labels)
        losses.update(extra)
        batch = RegularizerInputs(
            feats=feats, logits=logits, labels=labels,
            domains=[ds.get('domain', None) for ds in data_samples],
            inputs=inputs, model=self, num_views=num_views)
        return self.regularizer_losses(batch, losses)

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
