"""Report, at the end of every training epoch, how many samples were replaced.

With ``skip_unreadable=True`` the multimodal datasets replace a training
sample whose media cannot be read by another sample of the same domain and log
a warning per event (in the worker that met it). This hook adds the total over
all dataloader workers at the end of each epoch, so that a run that quietly
trained on replacements says so in its log.
"""
import logging

from mmengine.dataset import ConcatDataset, RepeatDataset
from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmaction.registry import HOOKS


def _datasets(dataset):
    """The leaf datasets of ``dataset`` (through Concat/Repeat wrappers)."""
    if isinstance(dataset, ConcatDataset):
        for d in dataset.datasets:
            yield from _datasets(d)
    elif isinstance(dataset, RepeatDataset):
        yield from _datasets(dataset.dataset)
    else:
        yield dataset


@HOOKS.register_module()
class SkippedSampleLoggerHook(Hook):
    """Log the per-epoch number of unreadable samples that were replaced.

    Enabled for every config by ``configs/_base_/default_runtime.py``
    (``default_hooks.skipped_samples``); a no-op for datasets without the skip
    policy.
    """

    priority = 'BELOW_NORMAL'

    def after_train_epoch(self, runner) -> None:
        for dataset in _datasets(runner.train_dataloader.dataset):
            if not getattr(dataset, 'skip_unreadable', False) or not hasattr(
                    dataset, 'pop_replaced_count'):
                continue
            count = dataset.pop_replaced_count()
            print_log(
                f'{type(dataset).__name__}: {count} unreadable training '
                f'sample(s) replaced by samples of the same domain in epoch '
                f'{runner.epoch + 1} (skip_unreadable=True); distinct skipped '
                'samples are named in the warnings above.', logger='current',
                level=logging.WARNING if count else logging.INFO)
