"""weights_only=True stays on; our own training checkpoints still load."""
import os
import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub


class _Evil:
    def __reduce__(self):
        return (os.system, ('echo pwned',))


def test_mmengine_training_state_loads_with_weights_only(tmp_path):
    hub = MessageHub.get_instance('ckpt_policy_test')
    hub.update_scalar('train/loss', 1.5)
    hub.update_scalar('train/loss', np.float64(1.25))
    hub.update_info('merdg_domain_acc_state', dict(best_source_top1=0.5))
    ckpt = dict(meta=dict(epoch=1, seed=0), state_dict={'w': torch.ones(2)},
                message_hub=hub.state_dict(),
                extra=dict(arr=np.arange(4, dtype=np.int64), f32=np.float32(2.0)))
    path = tmp_path / 'epoch_1.pth'
    torch.save(ckpt, path)
    loaded = torch.load(path)  # torch >= 2.6 default: weights_only=True
    buf = loaded['message_hub']['log_scalars']['train/loss']
    assert isinstance(buf, HistoryBuffer)
    assert buf.current() == pytest.approx(1.25)
    assert loaded['extra']['arr'].tolist() == [0, 1, 2, 3]


def test_run_checkpoint_with_history_buffers_round_trips(tmp_path):
    """mmengine pickles HistoryBuffer methods via getattr; only those resolve."""
    hub = MessageHub.get_instance('ckpt_policy_methods')
    hub.update_scalar('train/lr', 0.1)
    path = tmp_path / 'hub.pth'
    torch.save(dict(message_hub=hub.state_dict()), path)
    buf = torch.load(path)['message_hub']['log_scalars']['train/lr']
    assert buf.statistics('mean') == pytest.approx(0.1)


class _GetattrEvil:
    def __reduce__(self):  # reach past the allowed methods
        return (getattr, (HistoryBuffer, '__init__'))


def test_getattr_is_not_a_general_escape_hatch(tmp_path):
    path = tmp_path / 'getattr_evil.pth'
    torch.save({'x': _GetattrEvil()}, path)
    with pytest.raises(pickle.UnpicklingError, match='only HistoryBuffer statistics'):
        torch.load(path)


def test_untrusted_pickle_is_still_refused(tmp_path):
    path = tmp_path / 'evil.pth'
    with open(path, 'wb') as f:
        pickle.dump({'state_dict': _Evil()}, f)
    with pytest.raises(pickle.UnpicklingError, match='Weights only load failed'):
        torch.load(path)
    from mmengine.runner import CheckpointLoader
    with pytest.raises(pickle.UnpicklingError):
        CheckpointLoader.load_checkpoint(str(path), map_location='cpu')
