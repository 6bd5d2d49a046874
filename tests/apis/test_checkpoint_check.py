"""check_checkpoint_fits: a checkpoint of another model is refused."""
import pytest
import torch
from torch import nn

from mmaction_merdg.apis.checkpoint_check import (check_checkpoint_fits,
                                                  load_state_dict_file)


def _model():
    return nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.Linear(3, 2))


def _save(tmp_path, state, name='ckpt.pth'):
    path = str(tmp_path / name)
    torch.save(dict(meta=dict(epoch=1), state_dict=state), path)
    return path


def test_matching_checkpoint_passes(tmp_path):
    model = _model()
    path = _save(tmp_path, {'module.' + k: v
                            for k, v in model.state_dict().items()})
    assert not check_checkpoint_fits(model, path)


def test_other_model_is_refused_with_a_summary(tmp_path):
    other = nn.Sequential(nn.Linear(4, 5), nn.Linear(5, 2))
    path = _save(tmp_path, other.state_dict())
    with pytest.raises(ValueError) as err:
        check_checkpoint_fits(_model(), path)
    msg = str(err.value)
    assert "ckpt.pth' does not fit the model Sequential" in msg
    assert ('5 key(s) missing in the checkpoint: 1.num_batches_tracked, '
            '1.running_mean, 1.running_var, 2.bias, 2.weight') in msg
    assert 'unexpected' not in msg
    assert '4 key(s) with another shape: 0.weight (5, 4) vs (3, 4)' in msg
    assert '--allow-partial-checkpoint' in msg


def test_partial_load_is_an_explicit_option(tmp_path):
    model = _model()
    state = model.state_dict()
    state.pop('2.bias')
    state['extra.weight'] = torch.zeros(1)
    path = _save(tmp_path, state)
    with pytest.raises(ValueError, match=r'(?s)1 key\(s\) missing.*2\.bias'):
        check_checkpoint_fits(model, path)
    mismatch = check_checkpoint_fits(model, path, allow_partial=True)
    assert mismatch.missing == ['2.bias']
    assert mismatch.unexpected == ['extra.weight']


def test_empty_and_truncated_files_name_the_file(tmp_path):
    empty = tmp_path / 'empty.pth'
    empty.write_bytes(b'')
    with pytest.raises(ValueError, match=r"empty.pth' is empty \(0 bytes\)"):
        load_state_dict_file(str(empty))
    whole = _save(tmp_path, _model().state_dict(), 'whole.pth')
    cut = tmp_path / 'cut.pth'
    cut.write_bytes(open(whole, 'rb').read()[:300])
    with pytest.raises(ValueError, match=r"cut.pth' \(300 bytes\) cannot be "
                       'loaded: it is truncated'):
        load_state_dict_file(str(cut))
    with pytest.raises(FileNotFoundError, match='none.pth'):
        load_state_dict_file(str(tmp_path / 'none.pth'))
