"""Several views (clips) of one multimodal sample, for two-view methods.

NEL (``train_NEL.py`` of lihongzhao99/MMDG_Benchmark) reads every training
sample twice through two copies of the dataset: two independent runs of the
whole train pipeline (clip offsets, crop, flip, audio augmentation), paired by
index. :class:`MultiModalViews` does that inside one pipeline: it runs its
transforms once per view on a copy of the sample and stacks each modality's
views on the clip axis, so the packed inputs are ``[V, ...]`` per sample,
what MMAction2's ``num_clips`` gives a single-modality pipeline.
"""
import copy
from typing import List, Sequence, Union

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS

from ...modalities import canonical_order


@TRANSFORMS.register_module()
class MultiModalViews(BaseTransform):
    """Run ``transforms`` ``num_views`` times and stack the views.

    Each view starts from its own deep copy of the input ``results`` and
    draws its own random choices; the modality arrays of the views (each
    ``[1, ...]``: ``imgs`` ``[1, 3, T, H, W]``, ``flow_imgs`` ``[1, 2, T, H,
    W]``, ``audios`` ``[1, 1, F, T]``) are concatenated along axis 0. Every
    other key is the first view's. Place it just before the packer:
    ``[MultiModalViews(transforms=train_pipeline[:-1]), PackMultiModalInputs]``.
    A transform seeded per sample (``AudioSpectrogramAugment(seed=...)``)
    makes the same draw in every view.

    Required Keys:

        - modalities, and what ``transforms`` require

    Modified Keys:

        - the key of every modality in ``modalities`` (``[V, ...]``)
        - num_clips (``V``)

    Added Keys:

        - what ``transforms`` add (the first view's)

    Args:
        transforms (Sequence[dict | callable]): The per-view pipeline, ending
            with the modality arrays formatted (``MultiModalFormatShape``,
            the spectrogram steps).
        num_views (int): ``V``. Defaults to 2.
    """

    def __init__(self, transforms: Sequence[Union[dict, callable]], num_views: int = 2) -> None:
        if int(num_views) < 1:
            raise ValueError(f'MultiModalViews: num_views must be >= 1, got {num_views}.')
        if not transforms:
            raise ValueError('MultiModalViews: transforms is empty; give the per-view '
                             'pipeline (e.g. the train pipeline without its packer).')
        self.num_views = int(num_views)
        self.transforms: List = [TRANSFORMS.build(t) if isinstance(t, dict) else t
                                 for t in transforms]

    def _one_view(self, results: dict):
        for t in self.transforms:
            results = t(results)
            if results is None:
                return None
        return results

    def transform(self, results: dict):
        """The views of ``results``, stacked; None if a view's pipeline gave None."""
        views = []
        for _ in range(self.num_views):
            view = self._one_view(copy.deepcopy(results))
            if view is None:
                return None
            views.append(view)
        out = views[0]
        for m in canonical_order(results['modalities']):
            missing = [i for i, v in enumerate(views) if m not in v]
            if missing:
                raise KeyError(f'MultiModalViews: the transforms produced no {m!r} for the '
                               f'sample\'s modalities {list(results["modalities"])}.')
            arrays = [np.asarray(v[m]) for v in views]
            if len({a.shape for a in arrays}) != 1 or arrays[0].shape[0] != 1:
                raise ValueError(f'MultiModalViews: every view of {m!r} must be one clip of '
                                 f'one shape ([1, ...]); got {[a.shape for a in arrays]}.')
            out[m] = np.concatenate(arrays)  # V x [1, ...] -> [V, ...]
        out['num_clips'] = self.num_views
        return out

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_views={self.num_views}, '
                f'transforms={self.transforms})')
