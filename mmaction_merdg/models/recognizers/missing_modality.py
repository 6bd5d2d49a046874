"""Prediction with a subset of a multimodal model's modalities.

The MMDG benchmark (Li et al., "Are we making progress in multimodal domain
generalization?", https://github.com/lihongzhao99/MMDG_Benchmark,
``test_HAC_missing.py``) evaluates a model trained on all its modalities with
one of them missing at test time by setting that modality's pooled embedding
to zero before the fusion classifier. ``missing_fill='mean'`` fills it with
the mean training embedding instead (mean imputation), which keeps the fused
input inside the training distribution.

Configured through the recognizer's ``test_cfg``::

    model = dict(..., test_cfg=dict(
        missing_modalities=['audios'],      # dropped even when loaded
        missing_fill='zero',                # or 'mean'
        feature_mean_file='feature_means.json'))  # needed by 'mean'

A modality the batch does not carry (``PackActionInputs.collect_keys``
without it) is filled the same way when ``missing_fill`` is set, and is an
error otherwise. ``feature_mean_file`` is written by
``mmaction_merdg.apis.compute_feature_means`` / ``save_feature_means``.
"""
import json
import os.path as osp
from typing import Dict, List, Optional, Sequence

import torch
from torch import Tensor

MISSING_FILLS = ('zero', 'mean')
_MEAN_CACHE: Dict[tuple, Dict[str, Tensor]] = {}


def save_feature_means(path: str, means: Dict[str, Tensor], num_samples: int,
                       note: str = '') -> None:
    """Write per-modality mean features as JSON (``feature_means``: m -> list)."""
    data = dict(feature_means={m: [float(v) for v in torch.as_tensor(x).flatten()]
                               for m, x in means.items()},
                num_samples=int(num_samples), note=note)
    with open(path, 'w') as f:
        json.dump(data, f)


def load_feature_means(path: str) -> Dict[str, Tensor]:
    """Read a file written by :func:`save_feature_means` (cached by path and mtime).

    Returns:
        dict: ``modality -> [D_m]`` float32 tensors.
    """
    if not path or not osp.isfile(path):
        raise FileNotFoundError(
            f"test_cfg.feature_mean_file: no file at {path!r}; missing_fill='mean' needs "
            'the mean training features (mmaction_merdg.apis.compute_feature_means, or '
            'tools/analysis/robustness.py --missing-fill mean, which writes one).')
    key = (osp.abspath(path), osp.getmtime(path))
    if key not in _MEAN_CACHE:
        with open(path) as f:
            data = json.load(f)
        if not isinstance(data, dict) or 'feature_means' not in data:
            raise ValueError(f"{path}: expected a JSON object with 'feature_means' "
                             '(modality -> list of floats).')
        _MEAN_CACHE[key] = {m: torch.tensor(v, dtype=torch.float32)
                            for m, v in data['feature_means'].items()}
    return _MEAN_CACHE[key]


def missing_modalities(test_cfg: Optional[dict], modalities: Sequence[str],
                       inputs: Dict[str, Tensor]) -> List[str]:
    """The model's modalities to fill for this batch, in the model's order.

    Raises:
        ValueError: ``test_cfg`` names an unknown modality or fill, or a modality
            is absent from ``inputs`` without ``missing_fill``.
    """
    cfg = dict(test_cfg or {})
    declared = list(cfg.get('missing_modalities') or [])
    fill = cfg.get('missing_fill')
    unknown = [m for m in declared if m not in modalities]
    if unknown:
        raise ValueError(f'test_cfg.missing_modalities has {unknown}, which the model '
                         f'does not have; its modalities are {list(modalities)}.')
    if fill is not None and fill not in MISSING_FILLS:
        raise ValueError(f'test_cfg.missing_fill must be one of {MISSING_FILLS}, got {fill!r}.')
    absent = [m for m in modalities if m not in inputs]
    if absent and fill is None:
        raise KeyError(
            f'MultiModalRecognizer expects inputs {list(modalities)}; missing {absent} '
            '(check PackActionInputs.collect_keys). To predict without them, set '
            "model.test_cfg=dict(missing_fill='zero' or 'mean', missing_modalities=[...]).")
    if declared and fill is None:
        raise ValueError("test_cfg.missing_modalities needs test_cfg.missing_fill "
                         f"('zero' or 'mean'); got missing_modalities={declared}.")
    return [m for m in modalities if m in declared or m in absent]


def fill_features(feats: Dict[str, Tensor], missing: Sequence[str],
                  feat_dims: Dict[str, int], fill: str,
                  means: Optional[Dict[str, Tensor]] = None) -> Dict[str, Tensor]:
    """Add a ``[N, D_m]`` stand-in feature for every missing modality.

    Args:
        feats (dict): Features of the present modalities, ``m -> [N, D_m]``.
        missing (Sequence[str]): Modalities to fill.
        feat_dims (dict): ``m -> D_m`` of every modality of the model.
        fill (str): ``'zero'`` or ``'mean'``.
        means (dict, optional): ``m -> [D_m]`` for ``'mean'``.

    Returns:
        dict: ``feats`` plus the filled modalities (same batch size, dtype, device).
    """
    if not feats:
        raise ValueError('every modality of the model is missing; at least one must remain.')
    ref = next(iter(feats.values()))
    n = ref.shape[0]
    out = dict(feats)
    for m in missing:
        if fill == 'zero':
            out[m] = ref.new_zeros((n, feat_dims[m]))
            continue
        if means is None or m not in means:
            raise KeyError(f"missing_fill='mean': the feature mean file has no {m!r}.")
        mean = means[m].to(device=ref.device, dtype=ref.dtype)
        if mean.numel() != feat_dims[m]:
            raise ValueError(f'feature mean of {m!r} has {mean.numel()} values; the model '
                             f'pools {feat_dims[m]} (was the file made with this model?).')
        out[m] = mean.view(1, -1).expand(n, -1)  # [D] -> [N, D]
    return out


def test_features(model, inputs: Dict[str, Tensor]) -> Dict[str, Tensor]:
    """Pooled features for prediction, honouring ``model.test_cfg``'s missing modalities.

    Args:
        model: A ``MultiModalRecognizer`` (``modalities``, ``feat_dims``,
            ``test_cfg`` and ``extract_feat(inputs, modalities)``).
        inputs (dict): ``modality -> [N, V, ...]``.

    Returns:
        dict: ``modality -> [N, D_m]`` for every modality of the model.
    """
    missing = missing_modalities(model.test_cfg, model.modalities, inputs)
    if not missing:
        return model.extract_feat(inputs)
    cfg = dict(model.test_cfg)
    present = [m for m in model.modalities if m not in missing]
    if not present:
        raise ValueError(f'test_cfg leaves no modality of {model.modalities} present.')
    means = load_feature_means(cfg.get('feature_mean_file')) \
        if cfg['missing_fill'] == 'mean' else None
    feats = fill_features(model.extract_feat(inputs, modalities=present), missing,
                          model.feat_dims, cfg['missing_fill'], means)
    return {m: feats[m] for m in model.modalities}
