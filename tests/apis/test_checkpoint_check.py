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


def _fusion_checkpoint_for_merdg(tmp_path):
    """A Fusion checkpoint and the MER-DG vector config (another model)."""
    import os.path as osp

    from mmengine.config import Config

    from mmaction.registry import MODELS

    from ..conftest import REPO
    fusion = Config.fromfile(osp.join(REPO, 'configs',
                                      'fusion_synthetic_vector.py'))
    path = _save(tmp_path, MODELS.build(fusion.model).state_dict(),
                 'fusion.pth')
    return path, osp.join(REPO, 'configs', 'merdg_synthetic_vector.py')


def test_inference_api_and_demo_refuse_another_models_checkpoint(tmp_path):
    """Before: the demo gave confident results from a Fusion checkpoint."""
    from mmaction_merdg.apis.inference import init_multimodal_recognizer
    path, merdg = _fusion_checkpoint_for_merdg(tmp_path)
    with pytest.raises(ValueError, match=r"(?s)fusion.pth' does not fit the "
                       r'model.*missing in the checkpoint: regularizers'):
        init_multimodal_recognizer(merdg, path)
    model = init_multimodal_recognizer(merdg, path,
                                       allow_partial_checkpoint=True)
    assert model.cfg is not None
    from ..conftest import load_tool
    with pytest.raises(ValueError, match='does not fit the model'):
        load_tool('../demo/demo.py').main([merdg, path, 'video.mp4'])


def test_robustness_refuses_another_models_checkpoint(tmp_path):
    """Before: chance-level results, exit 0."""
    from mmengine.config import Config

    from mmaction_merdg.apis import evaluate_robustness
    path, merdg = _fusion_checkpoint_for_merdg(tmp_path)
    with pytest.raises(ValueError, match=r"fusion.pth' does not fit the model"):
        evaluate_robustness(Config.fromfile(merdg), path, str(tmp_path / 'r'),
                            corruptions=[])
