"""A hung dataloader worker becomes an error naming the worker and the sample.

With ``num_workers > 0`` PyTorch waits forever for a batch by default
(``DataLoader(timeout=0)``): a transform that hangs in one worker (a FIFO in
place of a frame, a stalled network mount) hung the training forever
(measured). :class:`LoaderWatchHook`:

* gives every dataloader with workers and no ``timeout`` of its own a
  timeout (``timeout``, default 300 s; PyTorch then raises "DataLoader timed
  out after N seconds");
* records, in shared memory, the sample each worker is on (its pipeline is
  wrapped by :class:`WatchedPipeline`), so that
  :func:`explain_loader_timeout` (called by ``tools/train.py`` and
  ``tools/test.py``) turns PyTorch's error into one naming the worker, the
  sample index, its files and how long it has been on it.

A per-loader ``timeout=...`` in the config wins; ``timeout=0`` there keeps
PyTorch's wait-forever.
"""
import multiprocessing
import time
from typing import List, Optional

from mmengine.hooks import Hook

from mmaction.registry import HOOKS

_PATH_KEYS = ('filename', 'frame_dir', 'audio_path', 'flow_dir', 'video_path')
_SLOTS = 64  # workers watched per loader


class WatchedPipeline:
    """A pipeline that notes, per worker, the sample it is transforming.

    Args:
        pipeline (callable): The dataset's pipeline.
        busy (multiprocessing.Array): ``[2 * slots]`` doubles:
            ``(sample_idx, start time)`` per worker; ``-1`` when idle.
    """

    def __init__(self, pipeline, busy) -> None:
        self.pipeline = pipeline
        self.busy = busy

    def __getattr__(self, name):  # Compose's .transforms and the like
        if name in ('pipeline', 'busy'):
            raise AttributeError(name)
        return getattr(self.pipeline, name)

    def __call__(self, data_info: dict):
        from torch.utils.data import get_worker_info
        info = get_worker_info()
        slot = None if info is None else info.id % _SLOTS
        if slot is not None:
            self.busy[2 * slot] = float(data_info.get('sample_idx', -2))
            self.busy[2 * slot + 1] = time.time()
        try:
            return self.pipeline(data_info)
        finally:
            if slot is not None:
                self.busy[2 * slot] = -1.0


def _datasets(dataset) -> List:
    inner = getattr(dataset, 'datasets', None)
    if inner is not None:
        return [d for sub in inner for d in _datasets(sub)]
    inner = getattr(dataset, 'dataset', None)  # RepeatDataset and the like
    return _datasets(inner) if inner is not None else [dataset]


def _sample_files(dataset, idx: int) -> str:
    for sub in _datasets(dataset):
        try:
            if idx >= len(sub):
                idx -= len(sub)
                continue
            info = sub.get_data_info(idx)
        except Exception:  # noqa: BLE001 (best effort, for the message)
            return ''
        paths = {k: v for k, v in info.items()
                 if k in _PATH_KEYS or k.endswith(('_path', '_dir'))}
        return f' ({paths})' if paths else ''
    return ''


def watch_loader(loader, name: str, timeout: float) -> None:
    """Set a default timeout on ``loader`` and watch its workers' samples."""
    if not getattr(loader, 'num_workers', 0):
        return
    if getattr(loader, '_merdg_busy', None) is not None:
        return
    if loader.timeout == 0 and not getattr(loader, '_merdg_timeout_set',
                                           False) and timeout:
        loader.timeout = float(timeout)
    busy = multiprocessing.Array('d', [-1.0] * (2 * _SLOTS), lock=False)
    for dataset in _datasets(loader.dataset):
        pipeline = getattr(dataset, 'pipeline', None)
        if pipeline is not None and not isinstance(pipeline, WatchedPipeline):
            dataset.pipeline = WatchedPipeline(pipeline, busy)
    object.__setattr__(loader, '_merdg_busy', busy)
    object.__setattr__(loader, '_merdg_name', name)


def explain_loader_timeout(err: BaseException, loaders) -> Optional[str]:
    """A message naming the stuck worker and sample, for a timeout error.

    Args:
        err (BaseException): The error a training or test raised.
        loaders (Iterable): Dataloaders that may have raised it.

    Returns:
        str or None: None when ``err`` is not a dataloader timeout.
    """
    if 'DataLoader timed out' not in str(err):
        return None
    now = time.time()
    stuck = []
    for loader in loaders:
        busy = getattr(loader, '_merdg_busy', None)
        if busy is None:
            continue
        for slot in range(_SLOTS):
            idx, start = busy[2 * slot], busy[2 * slot + 1]
            if idx >= 0:
                stuck.append((start, slot, int(idx), loader))
    if not stuck:
        return (f'{err}: no worker was inside a sample\'s pipeline (a worker '
                'may have died or hung in collate); raise the loader\'s '
                'timeout if the storage is slow.')
    start, slot, idx, loader = min(stuck)
    return (f"{loader._merdg_name}: dataloader worker {slot} has been on "
            f'sample {idx}{_sample_files(loader.dataset, idx)} for '
            f'{now - start:.0f} s and returned nothing within the timeout of '
            f'{loader.timeout:g} s: a transform hangs on it (a FIFO or '
            'another non-regular file, a stalled network mount?). Fix or '
            f'remove that sample, or raise {loader._merdg_name}.timeout if the '
            'storage is just slow.')


def runner_loaders(runner) -> List:
    """The dataloaders of a runner's built loops."""
    loaders = []
    for name in ('_train_loop', '_val_loop', '_test_loop'):
        loader = getattr(getattr(runner, name, None), 'dataloader', None)
        if loader is not None:
            loaders.append(loader)
    return loaders


@HOOKS.register_module()
class LoaderWatchHook(Hook):
    """Default dataloader timeout, and the sample a hung worker is on.

    Enabled for every config by ``configs/_base_/default_runtime.py``
    (``default_hooks.loader_watch``). See the module docstring.

    Args:
        timeout (float): Seconds to wait for a batch from workers, for
            loaders whose config sets no ``timeout``. 0 waits forever.
            Defaults to 300.
    """

    priority = 'VERY_HIGH'

    def __init__(self, timeout: float = 300.0) -> None:
        if timeout < 0:
            raise ValueError(f'LoaderWatchHook: timeout must be >= 0, got '
                             f'{timeout}')
        self.timeout = timeout

    def before_train(self, runner) -> None:
        self._watch(runner, 'train_dataloader')

    def before_val(self, runner) -> None:
        self._watch(runner, 'val_dataloader')

    def before_test(self, runner) -> None:
        self._watch(runner, 'test_dataloader')

    def _watch(self, runner, name: str) -> None:
        loop = getattr(runner, '_' + name.replace('dataloader', 'loop'), None)
        loader = getattr(loop, 'dataloader', None)
        if loader is None:
            return
        configured = (runner.cfg.get(name) or {}).get('timeout', None)
        if configured is not None:
            object.__setattr__(loader, '_merdg_timeout_set', True)
        watch_loader(loader, name, self.timeout)
