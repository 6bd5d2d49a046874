"""Older checkpoints (both former key layouts of MER-DG's heads) load, and the converter
rewrites them to the current keys."""
import copy
import importlib.util
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmaction.registry import MODELS
from mmaction_merdg.models.necks import MERProjector
from mmaction_merdg.models.recognizers.checkpoint_keys import upgrade_state_dict

from ...conftest import REPO

PREFIXES = ('projectors.', 'regularizers.mer.projectors.')


def _model():
    torch.manual_seed(0)
    return MODELS.build(copy.deepcopy(
        Config.fromfile(osp.join(REPO, 'configs', 'merdg_synthetic_vector.py')).model))


def _old_state(model, prefix):
    """The model's state with MER-DG's heads as one MERProjector per modality at ``prefix``."""
    bank = model.regularizers.mer.projectors
    torch.manual_seed(5)
    heads = {m: MERProjector(bank.fc1_weight[m].shape[0], bank.hidden_channels,
                             bank.out_channels) for m in bank}
    state = {k: v for k, v in model.state_dict().items()
             if not k.startswith('regularizers.mer.projectors.')}
    state.update({f'{prefix}{m}.{k}': v for m, h in heads.items()
                  for k, v in h.state_dict().items()})
    return state, heads


def _check(model, heads):
    feats = {m: torch.randn(4, model.feat_dims[m]) for m in heads}
    with torch.no_grad():
        for m, head in heads.items():
            torch.testing.assert_close(model.regularizers.mer.projectors[m](feats[m]),
                                       head(feats[m]))


@pytest.mark.parametrize('prefix', PREFIXES)
def test_both_former_layouts_load_strictly(prefix):
    state, heads = _old_state(_model(), prefix)
    fresh = _model()
    fresh.load_state_dict(state, strict=True)
    _check(fresh, heads)
    # the stacked layout at the former top-level place loads too
    stacked = {k.replace('regularizers.mer.projectors.', 'projectors.'): v
               for k, v in _model().state_dict().items()}
    fresh.load_state_dict(stacked, strict=True)


def _converter():
    path = osp.join(REPO, 'tools', 'misc', 'convert_checkpoint.py')
    spec = importlib.util.spec_from_file_location('convert_checkpoint', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize('prefix', PREFIXES)
def test_converter_rewrites_to_the_current_keys(tmp_path, prefix):
    model = _model()
    state, heads = _old_state(model, prefix)
    ema = {'module.' + k: v for k, v in state.items()}
    src, dst = tmp_path / 'old.pth', tmp_path / 'new.pth'
    torch.save(dict(meta=dict(epoch=3), state_dict=state, ema_state_dict=ema), src)
    assert _converter().main([str(src), str(dst)]) == 0
    new = torch.load(dst, weights_only=False)
    assert set(new['state_dict']) == set(model.state_dict()) and new['meta'] == dict(epoch=3)
    assert set(new['ema_state_dict']) == {'module.' + k for k in model.state_dict()}
    fresh = _model()
    fresh.load_state_dict(new['state_dict'], strict=True)
    _check(fresh, heads)
    assert upgrade_state_dict(dict(new['state_dict'])).keys() == new['state_dict'].keys()
    with pytest.raises(SystemExit):
        _converter().main([str(src), str(src)])
