"""Which tensor each loss reads: the per-modality embedding dropout of the recognizer.

The official heads return each modality's embedding after ``Dropout(0.5)``
(RGB, flow; audio none) and every loss reads it; MBCD's fused head reads
un-dropped embeddings. A spy regularizer records what the regularizers get, a
forward hook what the fusion head gets.
"""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmaction_merdg.models.recognizers.multimodal_recognizer import OFFICIAL_EMBEDDING_DROPOUT
from mmaction_merdg.models.regularizers import BaseRegularizer

from ...conftest import REPO

MODS = ('imgs', 'flow_imgs', 'audios')


@MODELS.register_module(force=True)
class SpyRegularizer(BaseRegularizer):
    """Records the embeddings and logits it receives; adds nothing to optimise."""

    def __init__(self, feat_dims, num_classes, init_cfg=None):
        super().__init__(feat_dims, num_classes, init_cfg=init_cfg)
        self.seen = []

    def forward(self, batch):
        self.seen.append({m: f.detach().clone() for m, f in batch.feats.items()})
        return {}


def _cfg(name='fusion_synthetic_vector.py', **overrides):
    cfg = Config.fromfile(osp.join(REPO, 'configs', name)).model
    cfg.update(overrides)
    return cfg


def _build(cfg, spy=True):
    cfg = copy.deepcopy(cfg)
    if spy:
        cfg.regularizers = dict(cfg.get('regularizers') or {}, spy=dict(type='SpyRegularizer'))
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    model.init_weights()
    head_inputs = []
    model.cls_head.register_forward_pre_hook(
        lambda _, args: head_inputs.append({m: f.detach().clone() for m, f in args[0].items()}))
    return model.train(), head_inputs


def _batch(n=16):
    g = torch.Generator().manual_seed(3)
    inputs = {m: torch.randn(n, 1, 32, generator=g) for m in MODS}
    samples = [ActionDataSample().set_gt_label(i % 4) for i in range(n)]
    for i, s in enumerate(samples):
        s.set_field(f'source{i % 2}', 'domain')
    return inputs, samples


def test_official_dropout_reaches_the_head_and_every_regularizer_alike():
    model, head_inputs = _build(_cfg())
    assert model.embedding_dropout == OFFICIAL_EMBEDDING_DROPOUT
    assert model.cls_head.mlp[0].p == 0.0  # the head does not drop its input again
    model(*_batch(), mode='loss')
    seen, raw, head = model.regularizers.spy.seen[0], model.last_features, head_inputs[0]
    for m in MODS:
        assert torch.equal(seen[m], head[m])  # one draw, read by fusion and regularizers
    for m in ('imgs', 'flow_imgs'):  # Dropout(0.5): zeros, the rest scaled by 2
        alive = raw[m] != 0  # ReLU outputs: some are zero before any dropout
        dropped = alive & (seen[m] == 0)
        assert 0.3 < dropped.sum() / alive.sum() < 0.7
        kept = alive & ~dropped
        torch.testing.assert_close(seen[m][kept], 2 * raw[m][kept])
    assert torch.equal(seen['audios'], raw['audios'])  # the audio head has no dropout


def test_eval_mode_and_the_former_behaviour_read_undropped_embeddings():
    model, head_inputs = _build(_cfg())
    model.eval()
    model(*_batch(), mode='loss')
    for m in MODS:
        assert torch.equal(model.regularizers.spy.seen[0][m], model.last_features[m])
    legacy, head_inputs = _build(_cfg(embedding_dropout=None))
    assert legacy.embedding_dropout is None and legacy.cls_head.mlp[0].p == 0.5
    legacy(*_batch(), mode='loss')
    for m in MODS:  # regularizers un-dropped; the head drops inside its MLP
        assert torch.equal(legacy.regularizers.spy.seen[0][m], legacy.last_features[m])
        assert torch.equal(head_inputs[0][m], legacy.last_features[m])


@pytest.mark.parametrize('name,key', [('rnanet_synthetic_vector.py', 'loss_rna'),
                                      ('merdg_synthetic_vector.py', 'loss_mer')])
def test_losses_differ_between_dropout_draws_in_training_only(name, key):
    model, _ = _build(_cfg(name), spy=False)
    inputs, samples = _batch()

    def loss(seed):
        torch.manual_seed(seed)
        with torch.no_grad():
            return model(dict(inputs), samples, mode='loss')[key].item()

    assert loss(1) != loss(2)  # they read the dropped embeddings
    model.eval()
    assert loss(1) == loss(2)


def test_mbcd_reads_undropped_embeddings_without_head_input_dropout():
    cfg = _cfg('mbcd_synthetic_vector.py')
    cfg.regularizers.mbcd.require_teacher = False
    model, head_inputs = _build(cfg)
    assert model.embedding_dropout == dict(imgs=0.0, flow_imgs=0.0, audios=0.0)
    assert model.cls_head.mlp[0].p == 0.0
    model(*_batch(), mode='loss')
    for m in MODS:
        assert torch.equal(model.regularizers.spy.seen[0][m], model.last_features[m])
