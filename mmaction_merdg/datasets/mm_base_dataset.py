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
import torch
from torch.utils.data import get_worker_info

from mmengine.dataset import BaseDataset
from mmengine.logging import print_log

from mmaction.datasets import BaseActionDataset
from .transforms.errors import MediaReadError

from ..modalities import MODALITIES, canonical_order

_MAX_WORKER_SLOTS = 257  # the main process + up to 256 workers


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


def check_pipeline_modalities(pipeline, modalities: Sequence[str],
                              dataset: str) -> None:
    """Refuse a packer that collects a modality the dataset does not load.

    Without this, ``PackActionInputs(collect_keys=('imgs', 'flow_imgs'))``
    on an ``imgs``-only dataset fails at the first sample with a bare
    ``KeyError: 'flow_imgs'`` inside MMAction2.
    """
    for transform in getattr(pipeline, 'transforms', pipeline) or ():
        keys = getattr(transform, 'collect_keys', None) or ()
        extra = [k for k in keys if k in MODALITIES and k not in modalities]
        if extra:
            raise ValueError(
                f'{dataset}: the pipeline\'s {type(transform).__name__} '
                f'collects {list(extra)}, but the dataset loads only the '
                f'modalities {list(modalities)}; make collect_keys and the '
                'dataset\'s modalities agree.')


class MultiModalBaseDataset(BaseActionDataset):
    """Base of the multimodal domain-split datasets (not registered).

    Skip policy: with ``skip_unreadable=True`` a training sample whose media
    raise :class:`MediaReadError` (or another ``OSError``) is replaced by a
    random other sample **of the same domain** (so domain-balanced batches
    stay balanced; up to ``max_refetch`` tries), and the dataset logs a
    warning naming it together with the running count of distinct skipped
    samples; :attr:`skipped_samples` maps index to reason, and
    ``SkippedSampleLoggerHook`` logs the number of replacements at the end of
    each epoch (over all dataloader workers).
    In test mode (validation, testing) nothing is ever skipped, because
    dropping samples would change the metric: the error propagates. With
    dataloader workers each worker keeps and logs its own tally.

    Empty domains: a requested domain whose annotation file of a requested
    split holds no row raises ``ValueError`` naming the domain, the split and
    the file (a "D1 + D2 -> D3" run must not quietly train on D2 alone),
    unless ``allow_empty_domains=True``; even then a dataset with no sample at
    all raises.

    Args:
        modalities (Sequence[str]): Subset of ``('imgs', 'flow_imgs',
            'audios')``.
        num_classes (int): Labels must lie in ``[0, num_classes)``.
        skip_unreadable (bool): See above. Defaults to False.
        allow_empty_domains (bool): Accept a requested domain without rows
            (a warning is logged). Defaults to False.
        kwargs: Passed to :class:`mmaction.datasets.BaseActionDataset`.
    """

    def __init__(self, modalities: Sequence[str], num_classes: int,
                 skip_unreadable: bool = False,
                 allow_empty_domains: bool = False, **kwargs) -> None:
        self.modalities = check_modalities(modalities)
        self.skip_unreadable = skip_unreadable
        self.allow_empty_domains = allow_empty_domains
        self.skipped_samples: Dict[int, str] = {}
        self._domain_labels = None
        # Replacements made by the skip policy, one slot per dataloader
        # worker (slot 0: the main process) in shared memory, so that
        # SkippedSampleLoggerHook can report every worker's at epoch end.
        self.replaced_per_worker = torch.zeros(
            _MAX_WORKER_SLOTS, dtype=torch.int64).share_memory_()
        super().__init__(num_classes=num_classes, **kwargs)
        check_pipeline_modalities(self.pipeline, self.modalities,
                                  type(self).__name__)

    def check_label(self, label, where: str) -> int:
        """Return ``label`` as int, or raise naming ``where`` it came from."""
        if isinstance(label, (bool, np.bool_)) or not isinstance(
                label, (int, np.integer)) or not \
                0 <= label < self.num_classes:
            raise ValueError(f'{where}: label {label!r} is not an integer in '
                             f'[0, num_classes={self.num_classes})')
        return int(label)

    def check_domain_rows(self, domain: str, split: str, path: str,
                          num_rows: int) -> None:
        """Refuse a requested domain whose annotation file has no row."""
        if num_rows:
            return
        msg = (f'{type(self).__name__}: requested domain {domain!r} has no '
               f'rows in split {split!r} (annotation file {path!r} is '
               'empty)')
        if not self.allow_empty_domains:
            raise ValueError(
                f'{msg}; a multi-source run would silently train without it. '
                'Fix the file or the domains, or pass allow_empty_domains='
                'True to accept it.')
        print_log(f'{msg}; accepted (allow_empty_domains=True).',
                  logger='current', level=logging.WARNING)

    def check_not_empty(self, data_list: list, files: Sequence[str]) -> list:
        """Refuse a dataset with no sample at all, naming its files."""
        if not data_list:
            raise ValueError(
                f'{type(self).__name__}: no sample in any requested domain '
                f'{list(self.domains)}; the annotation files {list(files)} '
                'are all empty.')
        return data_list

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

    def __getitem__(self, idx: int) -> dict:
        """mmengine's ``__getitem__``, refetching within the sample's domain."""
        if not self._fully_initialized:
            self.full_init()
        if self.test_mode:
            return super().__getitem__(idx)
        for _ in range(self.max_refetch + 1):
            data = self.prepare_data(idx)
            if data is not None:
                return data
            worker = get_worker_info()
            slot = 0 if worker is None else 1 + worker.id % (
                _MAX_WORKER_SLOTS - 1)
            self.replaced_per_worker[slot] += 1
            idx = self._rand_same_domain(idx)
        raise RuntimeError(
            f'{type(self).__name__}: no readable sample of domain '
            f"{self.get_domain_labels()[idx]!r} after {self.max_refetch} "
            'replacements (skip_unreadable=True); see the warnings above.')

    def pop_replaced_count(self) -> int:
        """Replacements since the last call, over all workers; resets them."""
        count = int(self.replaced_per_worker.sum())
        self.replaced_per_worker.zero_()
        return count

    def _rand_same_domain(self, idx: int) -> int:
        """A random index of the domain of ``idx``."""
        labels = self.get_domain_labels()
        if not hasattr(self, '_indices_by_domain'):
            by_domain: Dict[str, list] = {}
            for i, d in enumerate(labels):
                by_domain.setdefault(d, []).append(i)
            self._indices_by_domain = by_domain
        same = self._indices_by_domain[labels[idx]]
        return int(same[np.random.randint(0, len(same))])

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
