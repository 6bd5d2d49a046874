"""Prediction with missing modalities equals a hand computation on a tiny model."""
import json

import pytest
import torch

from mmaction.registry import MODELS
from mmaction_merdg.models.recognizers.missing_modality import (fill_features,
                                                                missing_modalities)
from .test_multimodal_recognizer import batch, model_cfg

ALL = ('imgs', 'flow_imgs', 'audios')


def _model(**test_cfg):
    torch.manual_seed(0)
    cfg = model_cfg(ALL, mer=False)
    cfg['cls_head']['dropout_ratio'] = 0.0
    model = MODELS.build(dict(cfg, test_cfg=test_cfg or None))
    model.init_weights()
    return model.eval()


def _hand_scores(model, inputs, fills):
    """softmax(MLP(concat of per-modality features, stand-ins where given))."""
    with torch.no_grad():
        parts = []
        for m in ALL:
            if m in fills:
                parts.append(fills[m].expand(inputs['imgs'].shape[0], -1))
            else:
                x = inputs[m]
                n, v = x.shape[:2]
                f = model.backbones[m](x.reshape((n * v, ) + x.shape[2:]))
                f = torch.cat([t.flatten(2).mean(2) for t in f], 1) if isinstance(f, tuple) \
                    else f.flatten(2).mean(2)
                parts.append(f.view(n, v, -1).mean(1))
        return model.cls_head.mlp(torch.cat(parts, dim=1)).softmax(dim=1)


def _predict(model, inputs, samples):
    with torch.no_grad():
        out = model(inputs, samples, mode='predict')
    return torch.stack([ds.pred_score for ds in out])


def test_zero_fill_matches_hand_computation():
    model = _model(missing_modalities=['flow_imgs'], missing_fill='zero')
    inputs, samples = batch(ALL)
    got = _predict(model, inputs, samples)
    want = _hand_scores(model, inputs, dict(flow_imgs=torch.zeros(1, 64)))
    assert torch.allclose(got, want, atol=1e-6)
    # Differs from the full model, so the fill really acts.
    model.test_cfg = None
    assert not torch.allclose(_predict(model, inputs, samples), want, atol=1e-4)


def test_mean_fill_matches_hand_computation(tmp_path):
    means = dict(imgs=torch.linspace(-1, 1, 288), audios=torch.linspace(0, 2, 128))
    path = tmp_path / 'means.json'
    path.write_text(json.dumps(dict(feature_means={m: v.tolist() for m, v in means.items()})))
    model = _model(missing_modalities=['imgs', 'audios'], missing_fill='mean',
                   feature_mean_file=str(path))
    inputs, samples = batch(ALL)
    got = _predict(model, inputs, samples)
    want = _hand_scores(model, inputs, {m: v[None] for m, v in means.items()})
    assert torch.allclose(got, want, atol=1e-6)
    # Tensor mode follows the same path.
    logits = model(inputs, samples, mode='tensor')
    assert torch.allclose(logits.softmax(1), want, atol=1e-6)


def test_absent_input_needs_the_option():
    inputs, samples = batch(ALL)
    del inputs['audios']
    with pytest.raises(KeyError, match='missing_fill'):
        _predict(_model(), inputs, samples)
    model = _model(missing_fill='zero')  # absent modality filled, nothing declared
    got = _predict(model, inputs, samples)
    full, _ = batch(ALL)
    want = _hand_scores(model, full, dict(audios=torch.zeros(1, 128)))
    assert torch.allclose(got, want, atol=1e-6)


def test_config_errors_are_named(tmp_path):
    with pytest.raises(ValueError, match='missing_fill'):
        missing_modalities(dict(missing_modalities=['imgs']), ALL, {m: 0 for m in ALL})
    with pytest.raises(ValueError, match='does not have'):
        missing_modalities(dict(missing_modalities=['depth'], missing_fill='zero'), ALL, {})
    with pytest.raises(ValueError, match="'zero', 'mean'"):
        missing_modalities(dict(missing_fill='median'), ALL, {})
    with pytest.raises(ValueError, match='at least one'):
        fill_features({}, ['imgs'], dict(imgs=4), 'zero')
    model = _model(missing_modalities=['imgs'], missing_fill='mean',
                   feature_mean_file=str(tmp_path / 'nope.json'))
    inputs, samples = batch(ALL)
    with pytest.raises(FileNotFoundError, match='feature_mean_file'):
        _predict(model, inputs, samples)
    model = _model(missing_modalities=list(ALL), missing_fill='zero')
    with pytest.raises(ValueError, match='no modality'):
        _predict(model, inputs, samples)
