"""Common behaviour of the real multimodal domain-split datasets.

:class:`EpicKitchensMMDataset` and :class:`HACMMDataset` subclass it. It holds
what the internal contract (``docs/contract.md``) asks of every dataset: one
dict per sample with ``label`` and ``domain``, ``get_domain_labels()``, a
``modalities`` subset, and the opt-in skip policy for unreadable samples.
"""
import logging
import os.path as osp
from typing import Dict, List, Sequence

import numpy as np

from mmengine.dataset import BaseDataset
from mmengine.logging import print_log

from mmaction.datasets import BaseActionDataset
from .transforms.errors import MediaReadError

from ..modalities import MODALITIES, canonical_order


def check_modalities(modalities: Sequence[str]) -> tuple:
    """Validate a modality subset and return it in canonical order."""
    if isinstance(modalities, str):
        modalities = (modalities, )
    if not modalities:
        raise ValueError(f'modalities must be a non-empty subset of '
                         f'{MODALITIES}, got {list(modalities)}')
    return canonical_order(modalities)


def check_domains(domains: Sequence[str], known: Sequence[str],
                  dataset: str) -> List[str]:
    """Validate domain names against the dataset's known domains."""
    if isinstance(domains, str):
        domains = [domains]
    domains = list(domains)
    unknown = [d for d in domains if d not in known]
    if unknown or not domains:
        raise ValueError(f'{dataset}: unknown domain(s) {unknown or domains}; '
                         f'expected a non-empty list among {list(known)}')
    return domains


class MultiModalBaseDataset(BaseActionDataset):
    """Base of the multimodal domain-split datasets (not registered).

    Skip policy: with ``skip_unreadable=True`` a training sample whose media
    raise :class:`MediaReadError` (or another ``OSError``) is replaced by a
    random other sample (mmengine's refetch, up to ``max_refetch`` times), and
    the dataset logs a warning naming it together with the running count of
    distinct skipped samples; :attr:`skipped_samples` maps index to reason.
    In test mode (validation, testing) nothing is ever skipped, because
    dropping samples would change the metric: the error propagates. With
    dataloader workers each worker keeps and logs its own tally.

    Args:
        modalities (Sequence[str]): Subset of ``('imgs', 'flow_imgs',
            'audios')``.
        num_classes (int): Labels must lie in ``[0, num_classes)``.
        skip_unreadable (bool): See above. Defaults to False.
        kwargs: Passed to :class:`mmaction.datasets.BaseActionDataset`.
    """

    def __init__(self, modalities: Sequence[str], num_classes: int,
                 skip_unreadable: bool = False, **kwargs) -> None:
        self.modalities = check_modalities(modalities)
        self.skip_unreadable = skip_unreadable
        self.skipped_samples: Dict[int, str] = {}
        self._domain_labels = None
        super().__init__(num_classes=num_classes, **kwargs)

    def check_label(self, label, where: str) -> int:
        """Return ``label`` as int, or raise naming ``where`` it came from."""
        if isinstance(label, (bool, np.bool_)) or not isinstance(
                label, (int, np.integer)) or not \
                0 <= label < self.num_classes:
            raise ValueError(f'{where}: label {label!r} is not an integer in '
                             f'[0, num_classes={self.num_classes})')
        return int(label)

    def _root_path(self, path: str) -> str:
        """``path`` under ``data_root`` unless it is absolute."""
        if osp.isabs(path) or not self.data_root:
            return path
        return osp.join(self.data_root, path)

    def get_domain_labels(self) -> List[str]:
        """The domain name of every sample, in index order."""
        if not self._fully_initialized:
            self.full_init()
        if self._domain_labels is None:
            self._domain_labels = [
                BaseDataset.get_data_info(self, i)['domain']
                for i in range(len(self))
            ]
        return list(self._domain_labels)

    def get_data_info(self, idx: int) -> dict:
        """The sample dict, with ``modalities`` and its own ``start_index``.

        ``BaseActionDataset.get_data_info`` would overwrite ``start_index``
        with one value for the whole dataset, while EPIC segments each start at
        their own frame, so mmengine's implementation is used directly.
        """
        info = BaseDataset.get_data_info(self, idx)
        info['modalities'] = self.modalities
        info.setdefault('start_index', self.start_index)
        info.setdefault('modality', self.modality)
        return info

    def prepare_data(self, idx: int):
        """Run the pipeline; apply the skip policy to unreadable media."""
        try:
            return super().prepare_data(idx)
        except OSError as err:  # MediaReadError is an OSError
            if not self.skip_unreadable or self.test_mode:
                raise
            sample = BaseDataset.get_data_info(self, idx).get(
                'sample_id', idx)
            self.skipped_samples[idx] = f'{sample}: {err}'
            print_log(
                f'{type(self).__name__}: skipped unreadable sample {idx} '
                f'({sample}): {err}. {len(self.skipped_samples)} distinct '
                'sample(s) skipped so far.',
                logger='current',
                level=logging.WARNING)
            return None


__all__ = ['MultiModalBaseDataset', 'MediaReadError', 'check_modalities']
