"""Make ``--resume`` continue a run exactly, random numbers included.

mmengine 0.10.7 checkpoints hold the weights, optimizer, schedulers and the
MessageHub, but no random-number state: a resumed run re-seeds at start, so
dropout masks, augmentation draws and the dataloader's worker seeds differ
from those of an uninterrupted run, and with the shipped head (dropout 0.5)
the resumed run ends elsewhere (measured: source/top1 0.5625 vs 0.6328).

How this hook makes it exact (epoch-based loops, checkpoints at epoch ends,
the shipped configs' ``CheckpointHook(interval=1)``):

* ``after_train_epoch`` (before ``CheckpointHook`` saves, by priority) takes a
  snapshot of every generator the training consumes: torch CPU and CUDA,
  numpy's global ``RandomState``, Python's ``random``, and the sampler's
  seed; ``before_save_checkpoint`` writes it to ``checkpoint['rng_state']``
  as tensors and plain types (the ``weights_only=True`` policy of
  :mod:`mmaction_merdg.compat.checkpoint_policy` loads it unchanged).
  mmengine's ``Runner.resume`` calls no hook with the checkpoint, so
  ``before_train`` of a resumed run reads the state from the resumed file.
* ``before_train_epoch`` of the next epoch sets the generators back to that
  snapshot, in the uninterrupted run as in a resumed one. What runs in between (validation, logging,
  best-checkpoint saving) therefore cannot shift the training stream, so
  both runs start the epoch in the same state.
* Dataloader workers are seeded per epoch from ``(seed, epoch, rank,
  worker_id)`` (mmengine seeds them from ``seed + worker_id`` only: the same
  draws every epoch without persistent workers, a stream a resumed run cannot
  rebuild with them). Persistent workers are restarted at each epoch for
  that, which costs their start-up time once per epoch.

Mid-epoch checkpoints: mmengine's ``EpochBasedTrainLoop`` resumes from the
start of the saved epoch (it restores ``iter`` but replays the epoch from
its first batch), and ``IterBasedTrainLoop`` replays the loader up to the saved
iteration. Neither continues exactly from a mid-epoch snapshot, so resuming
from one logs a warning saying so; checkpoints at epoch ends are exact.

DDP: the snapshot is rank 0's and is applied on every rank; this is exact
when ranks draw the same numbers (``randomness.diff_rank_seed=False``, the
default here).
"""
import random
from functools import partial
from typing import Optional

import numpy as np
import torch
from mmengine.dist import get_dist_info
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.runner import IterBasedTrainLoop
from mmengine.runner.checkpoint import (_load_checkpoint,
                                        find_latest_checkpoint)

from mmaction.registry import HOOKS

_KEY = 'rng_state'


def capture_rng_state() -> dict:
    """The states of torch (CPU, CUDA), numpy and Python ``random``.

    Returns:
        dict: Tensors and plain Python types only.
    """
    name, keys, pos, has_gauss, cached = np.random.get_state()
    version, py_state, gauss_next = random.getstate()
    state = dict(
        torch=torch.get_rng_state(),
        numpy=dict(name=str(name), keys=torch.from_numpy(
            keys.astype(np.int64)), pos=int(pos), has_gauss=int(has_gauss),
                   cached_gaussian=float(cached)),
        python=dict(version=int(version),
                    state=torch.tensor(py_state, dtype=torch.int64),
                    gauss_next=gauss_next))
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def restore_rng_state(state: dict) -> None:
    """Inverse of :func:`capture_rng_state`."""
    torch.set_rng_state(state['torch'])
    if 'cuda' in state and torch.cuda.is_available():
        cuda = state['cuda'][:torch.cuda.device_count()]
        torch.cuda.set_rng_state_all(cuda)
    np_state = state['numpy']
    np.random.set_state(
        (np_state['name'], np_state['keys'].numpy().astype(np.uint32),
         np_state['pos'], np_state['has_gauss'],
         np_state['cached_gaussian']))
    py = state['python']
    random.setstate((py['version'], tuple(int(v) for v in py['state']),
                     py['gauss_next']))


def seed_worker_for_epoch(worker_id: int, num_workers: int, rank: int,
                          seed: int, epoch: int) -> None:
    """Seed a dataloader worker from ``(seed, epoch, rank, worker_id)``."""
    worker_seed = int(np.random.SeedSequence(
        [seed, epoch, rank, worker_id]).generate_state(1)[0])
    np.random.seed(worker_seed)
    random.seed(worker_seed)
    torch.manual_seed(worker_seed)


@HOOKS.register_module()
class ExactResumeHook(Hook):
    """Save and restore the random-number state so that resume is exact.

    See the module docstring for what is saved and when it is restored.
    Enabled for every config by ``configs/_base_/default_runtime.py``
    (``default_hooks.exact_resume``).

    Args:
        enabled (bool): False turns the hook into a no-op (``default_hooks``
            entries cannot be set to None for non-mmengine keys). Defaults
            to True.
        seed_workers (bool): Seed dataloader workers per epoch (and restart
            persistent ones). Defaults to True.
    """

    # Above CheckpointHook (VERY_LOW): the snapshot exists when it saves.
    priority = 'LOW'

    def __init__(self, enabled: bool = True, seed_workers: bool = True) -> None:
        self.enabled = enabled
        self.seed_workers = seed_workers
        self._snapshot: Optional[dict] = None

    def after_train_epoch(self, runner) -> None:
        if not self.enabled:
            return
        sampler = getattr(runner.train_dataloader, 'sampler', None)
        self._snapshot = dict(
            rng=capture_rng_state(),
            # The epoch the snapshot starts (the loop increments after this).
            epoch=int(runner.epoch) + 1,
            sampler_seed=getattr(sampler, 'seed', None))

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if self.enabled and self._snapshot is not None:
            checkpoint[_KEY] = self._snapshot

    def before_train(self, runner) -> None:
        # mmengine's Runner.resume() calls no hook with the checkpoint
        # (only load_checkpoint() calls after_load_checkpoint), so the
        # resumed file is read again here for its random-number state.
        if not self.enabled or not getattr(runner, '_resume', False):
            return
        path = runner._load_from or find_latest_checkpoint(runner.work_dir)
        if path is not None:
            self.load_snapshot(runner, _load_checkpoint(path,
                                                        map_location='cpu'))

    def load_snapshot(self, runner, checkpoint: dict) -> None:
        """Take the snapshot of a resumed ``checkpoint``."""
        snapshot = checkpoint.get(_KEY)
        loop = getattr(runner, '_train_loop', None)
        if snapshot is None and isinstance(loop, IterBasedTrainLoop):
            print_log(
                'ExactResumeHook: an iteration-based loop (IterBasedTrainLoop) '
                'has no epoch ends, where the random-number state is saved; '
                'mmengine replays the loader up to the saved iteration, so the '
                'resumed run will not reproduce an uninterrupted one exactly.',
                logger='current', level=30)
            return
        if snapshot is None:
            print_log(
                'ExactResumeHook: the checkpoint holds no random-number state '
                '(written before this hook existed): the resumed run will not '
                'reproduce an uninterrupted one.', logger='current',
                level=30)
            return
        epoch, it = checkpoint['meta'].get('epoch'), checkpoint['meta'].get(
            'iter')
        try:
            per_epoch = len(runner.train_dataloader)
        except TypeError:  # an infinite loader (IterBasedTrainLoop)
            per_epoch = None
        mid_epoch = epoch != snapshot['epoch'] or (
            per_epoch and it is not None and it != epoch * per_epoch)
        if epoch is not None and mid_epoch:
            print_log(
                f'ExactResumeHook: the checkpoint was saved inside epoch '
                f'{epoch} (iteration {it}); the random-number state is that '
                f"of the start of epoch {snapshot['epoch']}, and mmengine "
                'replays the interrupted epoch from its first batch: the '
                'resumed run is not exact. Resume from an epoch-end '
                'checkpoint for an exact continuation.', logger='current',
                level=30)
            return
        self._snapshot = snapshot

    def before_train_epoch(self, runner) -> None:
        if not self.enabled:
            return
        snapshot = self._snapshot
        if snapshot is not None and snapshot['epoch'] == runner.epoch:
            restore_rng_state(snapshot['rng'])
            sampler = getattr(runner.train_dataloader, 'sampler', None)
            if snapshot.get('sampler_seed') is not None and hasattr(
                    sampler, 'seed'):
                sampler.seed = snapshot['sampler_seed']
        if self.seed_workers:
            self._seed_workers(runner)

    def _seed_workers(self, runner) -> None:
        loader = runner.train_dataloader
        num_workers = getattr(loader, 'num_workers', 0)
        if not num_workers or runner.seed is None:
            return
        rank, _ = get_dist_info()
        loader.worker_init_fn = partial(
            seed_worker_for_epoch, num_workers=num_workers, rank=rank,
            seed=int(runner.seed), epoch=int(runner.epoch))
        iterator = getattr(loader, '_iterator', None)
        if iterator is not None:  # persistent workers keep the old seeds
            iterator._shutdown_workers()
            loader._iterator = None
