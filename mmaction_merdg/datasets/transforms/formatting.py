"""Packing of a multimodal sample: the modality subset comes from the sample.

MMAction2's ``PackActionInputs(collect_keys=...)`` needs the modality keys
restated in every pipeline of every config, a second copy of the dataset's
``modalities``. :class:`PackMultiModalInputs` reads them from the sample
(``results['modalities']``, set by the dataset) instead, so the dataset's
``modalities`` is the one place a config states its modality subset.
"""
from typing import Dict, Sequence, Tuple

from mmaction.datasets.transforms import PackActionInputs
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from ...modalities import canonical_order


@TRANSFORMS.register_module()
class PackMultiModalInputs(BaseTransform):
    """Pack the sample's modalities with MMAction2's ``PackActionInputs``.

    A thin wrapper: for the sample's modality subset it delegates to one
    ``PackActionInputs(collect_keys=<subset>, algorithm_keys=...)`` (one per
    subset seen, built on first use), so the packed result is exactly
    MMAction2's: ``inputs`` is ``modality -> tensor`` and ``data_samples`` an
    ``ActionDataSample`` carrying ``gt_label`` and the algorithm keys (the
    per-sample ``domain`` by default).

    Required Keys:

        - modalities (the dataset's subset, e.g. ``('imgs', 'audios')``)
        - the key of every modality in ``modalities``
        - label, and the ``algorithm_keys`` present

    Added Keys:

        - inputs (``dict``: modality -> tensor)
        - data_samples (``ActionDataSample``)

    Args:
        algorithm_keys (Sequence[str]): Per-sample fields copied to the data
            sample. Defaults to ``('domain', )``, which ``DomainAccMetric``
            and the balanced sampler's bookkeeping need.
        meta_keys (Sequence[str]): As in ``PackActionInputs``. Defaults to
            ``('img_shape', 'img_key', 'video_id', 'timestamp')``.
    """

    def __init__(self,
                 algorithm_keys: Sequence[str] = ('domain', ),
                 meta_keys: Sequence[str] = ('img_shape', 'img_key',
                                             'video_id', 'timestamp')) -> None:
        self.algorithm_keys = tuple(algorithm_keys)
        self.meta_keys = tuple(meta_keys)
        self._packers: Dict[Tuple[str, ...], PackActionInputs] = {}

    def transform(self, results: dict) -> dict:
        """Pack ``results`` for the modalities it names."""
        if 'modalities' not in results:
            raise KeyError(
                'PackMultiModalInputs: the sample has no `modalities` field; '
                'the dataset must set it (every dataset of this plugin does).')
        modalities = canonical_order(results['modalities'])
        missing = [m for m in modalities if m not in results]
        if missing:
            raise KeyError(
                f'PackMultiModalInputs: the sample names modalities '
                f'{list(modalities)} but {missing} were not produced by the '
                'pipeline (is a loading/decoding step for them missing?).')
        packer = self._packers.get(modalities)
        if packer is None:
            packer = self._packers[modalities] = PackActionInputs(
                collect_keys=modalities, meta_keys=self.meta_keys,
                algorithm_keys=self.algorithm_keys)
        return packer(results)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(algorithm_keys='
                f'{self.algorithm_keys}, meta_keys={self.meta_keys})')
