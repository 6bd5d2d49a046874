import json
import math
import os.path as osp
from types import SimpleNamespace

import pytest
import torch
from mmengine.model import BaseModel

import mmaction_merdg  # noqa: F401  (registers the hook)
from mmaction.registry import HOOKS
from mmaction_merdg.engine.hooks import ModalityEntropyLoggerHook


def _orthonormal(n, k, seed):
    q, _ = torch.linalg.qr(torch.randn(n, k, generator=torch.Generator().manual_seed(seed)))
    return q


class _ToyMER:
    """A regularizer's logging contract: ``last_tensors()``."""

    def __init__(self):
        self.tensors = {}

    def last_tensors(self):
        return dict(self.tensors)


class ToyTwoModalityModel(BaseModel):
    """Sets its MER-DG regularizer's ``last_tensors()`` in ``loss`` as
    ``MERRegularizer`` does.

    ``imgs`` projections have rank 3 (equal singular values), ``audios`` are a
    rotation of ``imgs``: RankMe 3 for both and CKA 1 between them. The pooled
    features (``last_features``) have rank 5. ``with_proj=False`` mimics the
    Fusion baseline, which has no projections.
    """

    def __init__(self, with_proj=True):
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(1))
        self.with_proj = with_proj
        self.regularizers = dict(mer=_ToyMER()) if with_proj else {}
        self.last_features = {}

    def forward(self, inputs, data_samples=None, mode='tensor'):
        n = inputs.shape[0]
        z = 4.0 * _orthonormal(n, 3, 0) @ _orthonormal(8, 3, 1).T  # [N, 8], rank 3
        if self.with_proj:
            self.regularizers['mer'].tensors = dict(
                imgs=z.detach(), audios=(z @ _orthonormal(8, 8, 2)).detach())
        f = _orthonormal(n, 5, 3) @ _orthonormal(16, 5, 4).T  # [N, 16], rank 5
        self.last_features = dict(imgs=f, audios=f[:, :12])
        return dict(loss_cls=(self.w - inputs.mean()).pow(2).sum())


def _runner(tmp_path, backend, hook_cfg, with_proj=True):
    from mmengine.runner import Runner
    data = [dict(inputs=torch.randn(4)) for _ in range(32)]
    return Runner(
        model=ToyTwoModalityModel(with_proj),
        work_dir=str(tmp_path),
        train_dataloader=dict(dataset=data, sampler=dict(type='DefaultSampler', shuffle=False),
                              batch_size=8, collate_fn=dict(type='default_collate')),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        train_cfg=dict(by_epoch=False, max_iters=6),
        custom_hooks=[hook_cfg],
        default_hooks=dict(checkpoint=None, logger=dict(type='LoggerHook', interval=100)),
        visualizer=dict(type='Visualizer', vis_backends=[dict(type=backend)],
                        name=f'vis_{backend}_{osp.basename(str(tmp_path))}'),
        default_scope='mmaction',
        experiment_name=backend)


def _tb_scalars(logdir):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    acc = EventAccumulator(logdir)
    acc.Reload()
    return {tag: [(e.step, e.value) for e in acc.Scalars(tag)] for tag in acc.Tags()['scalars']}


def test_hook_is_registered():
    hook = HOOKS.build(dict(type='ModalityEntropyLoggerHook', interval=3))
    assert isinstance(hook, ModalityEntropyLoggerHook) and hook.interval == 3


def test_hook_logs_to_tensorboard_every_interval(tmp_path):
    runner = _runner(tmp_path, 'TensorboardVisBackend',
                     dict(type='ModalityEntropyLoggerHook', interval=2))
    runner.train()
    event_dirs = [osp.dirname(p) for p in
                  __import__('glob').glob(str(tmp_path / '**' / 'events.out.tfevents*'),
                                          recursive=True)]
    assert event_dirs, 'no TensorBoard event file written'
    scalars = _tb_scalars(event_dirs[0])
    for tag in ['entropy/proj/imgs/marg', 'entropy/proj/imgs/spec', 'entropy/proj/imgs/rankme',
                'entropy/proj/audios/rankme', 'entropy/proj/cka/audios-imgs',
                'entropy/feat/imgs/rankme', 'entropy/feat/cka/audios-imgs']:
        assert tag in scalars, sorted(scalars)
        assert [s for s, _ in scalars[tag]] == [2, 4, 6]
    assert scalars['entropy/proj/imgs/rankme'][0][1] == pytest.approx(3.0, rel=1e-3)
    assert scalars['entropy/proj/audios/rankme'][0][1] == pytest.approx(3.0, rel=1e-3)
    assert scalars['entropy/feat/imgs/rankme'][0][1] == pytest.approx(5.0, rel=1e-3)
    assert scalars['entropy/proj/cka/audios-imgs'][0][1] == pytest.approx(1.0, abs=1e-4)
    # Rank-3 features in 8 dims are strongly correlated: spec is large and positive.
    assert scalars['entropy/proj/imgs/spec'][0][1] > 1.0


def test_hook_writes_local_backend_and_unwraps_model_wrappers(tmp_path):
    # A Fusion-like model (no projections) still gets its pooled features logged.
    runner = _runner(tmp_path, 'LocalVisBackend',
                     dict(type='ModalityEntropyLoggerHook', interval=3, log_cka=False),
                     with_proj=False)
    runner.train()
    files = __import__('glob').glob(str(tmp_path / '**' / 'scalars.json'), recursive=True)
    rows = [json.loads(line) for f in files for line in open(f)]
    logged = [r for r in rows if 'entropy/feat/imgs/rankme' in r]
    assert [r['step'] for r in logged] == [3, 6]
    assert not any(k.startswith('entropy/proj/') for r in rows for k in r)
    assert not any('entropy/feat/cka/audios-imgs' in r for r in rows)

    # A wrapped model (DataParallel is a registered wrapper) is unwrapped.
    hook = ModalityEntropyLoggerHook(interval=1)
    calls = []
    inner = ToyTwoModalityModel()
    inner(torch.zeros(6, 4), mode='loss')
    fake_runner = SimpleNamespace(
        model=torch.nn.DataParallel(inner), iter=0,
        visualizer=SimpleNamespace(add_scalars=lambda d, step: calls.append((step, d))))
    hook.after_train_iter(fake_runner, 0)
    assert len(calls) == 1 and calls[0][0] == 1
    assert math.isfinite(calls[0][1]['entropy/proj/audios/marg'])


def test_hook_without_projections_logs_nothing():
    hook = ModalityEntropyLoggerHook(interval=1)
    calls = []
    vis = SimpleNamespace(add_scalars=lambda *a, **k: calls.append(a))
    fake_runner = SimpleNamespace(model=torch.nn.Linear(2, 2), iter=0, visualizer=vis)
    hook.after_train_iter(fake_runner, 0)
    assert calls == []
    with pytest.raises(ValueError):
        ModalityEntropyLoggerHook(interval=0)


def test_hook_reads_the_terms_the_loss_logged():
    """Projections' marg/spec come from the step's outputs (mer/<m>/...), not a recomputation;
    encoder features, which the loss does not see, are computed with the loss's term functions."""
    from mmaction_merdg.models.losses.modality_entropy_loss import logdet_term, marginal_term
    hook = ModalityEntropyLoggerHook(interval=1, log_cka=False)
    z = torch.randn(16, 8, generator=torch.Generator().manual_seed(0))
    logged = {'mer/imgs/marg': torch.tensor(0.125), 'mer/imgs/spec': torch.tensor(-2.5),
              'loss_cls': torch.tensor(1.0)}
    proj = hook.compute(dict(imgs=z), 'proj', logged)
    assert proj['entropy/proj/imgs/marg'] == 0.125 and proj['entropy/proj/imgs/spec'] == -2.5
    feat = hook.compute(dict(imgs=z), 'feat', logged)
    assert feat['entropy/feat/imgs/marg'] == pytest.approx(float(marginal_term(z, 1e-4)))
    assert feat['entropy/feat/imgs/spec'] == pytest.approx(float(logdet_term(z, 1e-4)))
    # Without logged terms (e.g. called by hand) the projections' terms are computed the same way.
    assert hook.compute(dict(imgs=z), 'proj')['entropy/proj/imgs/spec'] == \
        pytest.approx(float(logdet_term(z, 1e-4)))
