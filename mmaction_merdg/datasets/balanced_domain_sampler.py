"""A sampler whose every batch holds the same number of samples per domain."""
import math
from typing import Dict, Iterator, List, Optional, Sequence

import numpy as np
from mmengine.dist import get_dist_info, sync_random_seed
from torch.utils.data import Sampler

from mmaction.registry import DATA_SAMPLERS


def domain_labels_of(dataset) -> List[str]:
    """Per-index domain names of ``dataset``.

    Uses ``dataset.get_domain_labels()`` when the dataset has it, else
    ``dataset.get_data_info(i)['domain']`` for every index.
    """
    if hasattr(dataset, 'get_domain_labels'):
        labels = list(dataset.get_domain_labels())
    else:
        labels = []
        for i in range(len(dataset)):
            info = dataset.get_data_info(i)
            if 'domain' not in info:
                raise KeyError(f'BalancedDomainSampler: sample {i} of '
                               f'{type(dataset).__name__} has no "domain" field.')
            labels.append(info['domain'])
    if len(labels) != len(dataset):
        raise ValueError('BalancedDomainSampler: get_domain_labels() returned '
                         f'{len(labels)} entries for {len(dataset)} samples.')
    return [str(d) for d in labels]


@DATA_SAMPLERS.register_module()
class BalancedDomainSampler(Sampler):
    """Domain-balanced batches, as MER-DG trains (equal count per source domain).

    Each epoch, every domain's indices are shuffled (seeded by ``seed`` and
    the epoch) and dealt into batches that hold ``batch_size // num_domains``
    samples of every domain (mixed within the batch). Under DDP the batches
    are dealt round-robin to the ranks, so ranks never share a batch and all
    see the same number of batches.

    Epoch length (``epoch_length``):

    * ``'max'`` (default): enough batches for every sample of the largest
      domain to appear at least once (rounded up to a multiple of the world
      size); smaller domains are re-shuffled and reused within the epoch.
    * ``'min'``: as many batches as the smallest domain allows without reuse
      (rounded down); larger domains contribute a fresh random subset each
      epoch.

    Args:
        dataset (Dataset): Dataset with per-sample ``domain``.
        batch_size (int): Per-rank batch size; must equal the dataloader's
            ``batch_size`` and be divisible by the number of domains.
            ``tools/train.py`` fills it from the dataloader's when the config
            leaves it out, and refuses two different values
            (:func:`sync_sampler_batch_size`).
        shuffle (bool): Shuffle within domains. Defaults to True.
        seed (int, optional): Base seed; synchronised over ranks when None.
        epoch_length (str): ``'max'`` or ``'min'``. Defaults to ``'max'``.
        domains (Sequence[str], optional): Domains to draw from and their
            order; defaults to all domains of the dataset, sorted. A
            requested domain (here, or in the dataset's ``domains``) without
            samples raises ``ValueError``.
    """

    def __init__(self,
                 dataset,
                 batch_size: Optional[int] = None,
                 shuffle: bool = True,
                 seed: Optional[int] = None,
                 epoch_length: str = 'max',
                 domains: Optional[Sequence[str]] = None) -> None:
        if epoch_length not in ('max', 'min'):
            raise ValueError("BalancedDomainSampler: epoch_length must be 'max' "
                             f"or 'min', got {epoch_length!r}.")
        if batch_size is None:
            raise ValueError(
                'BalancedDomainSampler: batch_size is not set. Set the '
                "dataloader's batch_size and let tools/train.py copy it "
                '(sync_sampler_batch_size), or set sampler.batch_size to the '
                "same value as the dataloader's.")
        self.rank, self.world_size = get_dist_info()
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.seed = sync_random_seed() if seed is None else int(seed)
        self.epoch_length = epoch_length
        self.epoch = 0
        labels = domain_labels_of(dataset)
        names = sorted(set(labels)) if domains is None else list(domains)
        # The domains the dataset was asked for count as requested too: one
        # without samples would silently leave the batches (D1 + D2 -> D2).
        requested = list(names)
        if domains is None and not getattr(dataset, 'allow_empty_domains',
                                           False):
            requested += [str(d) for d in getattr(dataset, 'domains', ())
                          if str(d) not in requested]
        missing = [d for d in requested if d not in set(labels)]
        if missing:
            raise ValueError(
                f'BalancedDomainSampler: requested domain(s) {missing} have '
                f'no samples in {type(dataset).__name__}; the dataset holds '
                f'{sorted(set(labels))}. Every batch must hold every '
                'requested domain.')
        self.domains = names
        self.indices_by_domain: Dict[str, np.ndarray] = {
            d: np.array([i for i, x in enumerate(labels) if x == d]) for d in names
        }
        if self.batch_size % len(names):
            raise ValueError(
                f'BalancedDomainSampler: batch_size={self.batch_size} is not '
                f'divisible by the {len(names)} domains {names}; every batch '
                'must hold an equal count per domain.')
        self.per_domain = self.batch_size // len(names)
        sizes = [len(v) for v in self.indices_by_domain.values()]
        if epoch_length == 'max':  # round up: every sample appears each epoch
            self.num_batches = math.ceil(max(sizes) / (self.per_domain * self.world_size))
        else:  # round down: no sample repeats within an epoch
            self.num_batches = min(sizes) // (self.per_domain * self.world_size)
        if self.num_batches == 0:
            raise ValueError(
                f'BalancedDomainSampler: domain sizes {dict(zip(names, sizes))} '
                f'give fewer than one batch of {self.per_domain} per domain per '
                f'rank (world size {self.world_size}).')

    def _domain_stream(self, d: str, needed: int, rng: np.random.Generator) -> np.ndarray:
        """``needed`` indices of domain ``d``: whole shuffled passes, repeated."""
        idx = self.indices_by_domain[d]
        passes = []
        while sum(len(p) for p in passes) < needed:
            passes.append(rng.permutation(idx) if self.shuffle else idx)
        return np.concatenate(passes)[:needed]

    def __iter__(self) -> Iterator[int]:
        rng = np.random.default_rng([self.seed, self.epoch])
        total = self.num_batches * self.world_size
        streams = [
            self._domain_stream(d, total * self.per_domain, rng).reshape(
                total, self.per_domain) for d in self.domains
        ]
        batches = np.concatenate(streams, axis=1)  # [total, batch_size]
        if self.shuffle:  # mix domains inside each batch
            batches = rng.permuted(batches, axis=1)
        mine = batches[self.rank::self.world_size]  # [num_batches, batch_size]
        return iter(mine.reshape(-1).tolist())

    def __len__(self) -> int:
        return self.num_batches * self.batch_size

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch so that each epoch draws a different order."""
        self.epoch = epoch


_LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def sync_sampler_batch_size(cfg) -> None:
    """Make every ``BalancedDomainSampler``'s batch size the loader's, in place.

    The sampler deals indices in groups of its own ``batch_size``; the
    ``DataLoader`` cuts them into batches of its ``batch_size``. Two
    different values give unbalanced batches without a word (measured:
    loader 8, sampler 16: per-domain counts 3:5, 6:2). A sampler without
    ``batch_size`` takes the loader's; two different values are an error.

    Args:
        cfg (mmengine.Config | dict): A config with ``*_dataloader`` entries.

    Raises:
        ValueError: Both are set and differ (the message names the fields).
    """
    for key in _LOADERS:
        loader = cfg.get(key, None)
        if not loader:
            continue
        sampler = loader.get('sampler', None) or {}
        if sampler.get('type') not in ('BalancedDomainSampler',
                                       'mmaction.BalancedDomainSampler'):
            continue
        check_batch_sizes(loader.get('batch_size'), sampler.get('batch_size'),
                          key)
        if sampler.get('batch_size') is None:
            sampler['batch_size'] = loader.get('batch_size')


def check_batch_sizes(loader_batch_size, sampler_batch_size,
                      where: str = 'train_dataloader') -> None:
    """Raise when a loader's and its balanced sampler's batch sizes differ."""
    if (loader_batch_size is not None and sampler_batch_size is not None
            and int(loader_batch_size) != int(sampler_batch_size)):
        raise ValueError(
            f'{where}.batch_size={loader_batch_size} differs from '
            f'{where}.sampler.batch_size={sampler_batch_size} '
            '(BalancedDomainSampler): the loader would cut the balanced '
            'groups into unbalanced batches. Set one value for both, or leave '
            f'{where}.sampler.batch_size out (it is then the loader\'s).')
