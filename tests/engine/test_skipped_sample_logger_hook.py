"""SkippedSampleLoggerHook reports the replacements of each epoch."""
from types import SimpleNamespace

from mmengine.dataset import BaseDataset, ConcatDataset
from mmengine.logging import MMLogger

from mmaction_merdg.engine.hooks import SkippedSampleLoggerHook


class _Skipping(BaseDataset):
    skip_unreadable = True

    def __init__(self, count):
        self.count = count
        super().__init__(lazy_init=True)

    def load_data_list(self):
        return [dict(x=0)]

    def pop_replaced_count(self):
        count, self.count = self.count, 0
        return count


def test_logs_total_per_epoch(capfd):
    MMLogger.get_instance('skipped_hook_test')
    ds = _Skipping(3)
    concat = ConcatDataset([ds, _Skipping(0)], lazy_init=True)
    runner = SimpleNamespace(epoch=1,
                             train_dataloader=SimpleNamespace(dataset=concat))
    SkippedSampleLoggerHook().after_train_epoch(runner)
    out = capfd.readouterr().out
    assert '_Skipping: 3 unreadable training sample(s) replaced by samples of ' \
           'the same domain in epoch 2' in out
    assert '0 unreadable' in out
    assert ds.count == 0
