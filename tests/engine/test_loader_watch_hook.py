"""LoaderWatchHook: a worker that hangs is an error naming it and its sample."""
import time

import pytest
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS

from .fault_injection import train_tiny, write_tiny_vector_config


@TRANSFORMS.register_module(name='HangOnSample', force=True)
class HangOnSample(BaseTransform):
    """Hangs (sleeps far past the timeout) on one sample."""

    def __init__(self, sample_idx: int) -> None:
        self.sample_idx = sample_idx

    def transform(self, results):
        if results.get('sample_idx') == self.sample_idx:
            time.sleep(120)
        return results


def test_a_hung_worker_is_named_with_its_sample(tmp_path):
    """Before: training hung forever (no loader timeout)."""
    cfg = write_tiny_vector_config(tmp_path, epochs=1, extra='''
train_dataloader = dict(num_workers=2, persistent_workers=False, dataset=dict(
    pipeline=[dict(type='HangOnSample', sample_idx=5),
              dict(type='PackMultiModalInputs', algorithm_keys=('domain', ))]))
default_hooks = dict(loader_watch=dict(timeout=2))
''')
    start = time.time()
    with pytest.raises(TimeoutError, match=r'train_dataloader: dataloader '
                       r'worker \d has been on sample 5 .*within the timeout '
                       r'of 2 s: a transform hangs on it'):
        train_tiny(cfg, tmp_path / 'run')
    assert time.time() - start < 60


def test_the_default_and_an_explicit_timeout():
    from types import SimpleNamespace

    from torch.utils.data import DataLoader

    from mmaction_merdg.engine.hooks.loader_watch_hook import LoaderWatchHook
    loader = DataLoader(list(range(4)), num_workers=1)
    runner = SimpleNamespace(_train_loop=SimpleNamespace(dataloader=loader),
                             cfg=dict(train_dataloader=dict()))
    LoaderWatchHook().before_train(runner)
    assert loader.timeout == 300
    explicit = DataLoader(list(range(4)), num_workers=1, timeout=0)
    runner = SimpleNamespace(_train_loop=SimpleNamespace(dataloader=explicit),
                             cfg=dict(train_dataloader=dict(timeout=0)))
    LoaderWatchHook().before_train(runner)
    assert explicit.timeout == 0  # the config's 0 waits forever, as asked
    single = DataLoader(list(range(4)), num_workers=0)
    runner = SimpleNamespace(_train_loop=SimpleNamespace(dataloader=single),
                             cfg=dict(train_dataloader=dict()))
    LoaderWatchHook().before_train(runner)
    assert single.timeout == 0  # PyTorch refuses a timeout without workers
