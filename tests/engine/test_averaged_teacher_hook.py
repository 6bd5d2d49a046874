"""CMRF's teacher: mmengine's averaged model through AveragedTeacherHook, end to end."""
import os.path as osp

import torch
from mmengine.hooks import Hook

from mmaction.registry import HOOKS

from mmaction_merdg.engine.hooks import AveragedTeacherHook

from ..conftest import REPO, load_tool

TINY = ['--dataset-options', 'samples_per_domain=8', 'rgb_shape=(8,16,16)',
        'audio_shape=(16,16)']


@HOOKS.register_module()
class _StudentWeightsRecorder(Hook):
    """Test helper: the student's parameters after every training iteration."""
    priority = 'LOWEST'
    snapshots = []

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        type(self).snapshots.append({k: p.detach().clone()
                                     for k, p in runner.model.named_parameters()})


def test_cmrf_teacher_is_the_simple_average_and_train_test_run(tmp_path):
    # 2 iterations per epoch x 2 epochs; averaging from iteration 2 (index 1).
    cfg = tmp_path / 'cmrf_tiny.py'
    cfg.write_text(f'''_base_ = ['{osp.join(REPO, 'configs', 'cmrf_merdg_synthetic.py')}']
train_dataloader = dict(batch_size=8, sampler=dict(batch_size=8))
val_dataloader = dict(batch_size=16)
test_dataloader = dict(batch_size=16)
train_cfg = dict(max_epochs=2)
param_scheduler = [dict(type='CosineAnnealingLR', T_max=2, by_epoch=True, eta_min=1e-5)]
default_hooks = dict(logger=dict(interval=1))
custom_hooks = [dict(type='AveragedTeacherHook', begin_iter=2),
                dict(type='_StudentWeightsRecorder')]
''')
    _StudentWeightsRecorder.snapshots.clear()
    train, test = load_tool('train.py'), load_tool('test.py')
    work = str(tmp_path / 'work')
    runner = train.main([str(cfg), '--work-dir', work, '--seed', '0'] + TINY)
    hook = [h for h in runner.hooks if isinstance(h, AveragedTeacherHook)][0]
    snaps = _StudentWeightsRecorder.snapshots
    assert len(snaps) == 4
    assert int(hook.ema_model.steps) == 3  # iterations 2, 3 and 4
    reg = runner.model.regularizers['cmrf']
    assert reg.teacher_active and reg._teacher[0] is hook.ema_model
    teacher = dict(hook.ema_model.module.named_parameters())
    checked = 0
    for name, p in teacher.items():
        mean = torch.stack([s[name] for s in snaps[1:]]).mean(0)
        assert torch.allclose(p, mean, atol=1e-6), name
        checked += 1
    assert checked == len(snaps[0])
    # The student moved, so the average is not just the last weights.
    name = 'regularizers.cmrf.projectors.imgs.layers.0.weight'
    assert not torch.allclose(teacher[name], snaps[-1][name])
    # Distillation ran once the average had started.
    log = open(osp.join(work, sorted(d for d in __import__('os').listdir(work)
                                     if d[:2] == '20')[-1], 'vis_data', 'scalars.json')).read()
    assert '"cmrf/teacher_active": 1.0' in log and '"loss_distill": 0.0,' in log
    metrics = test.main([str(cfg), osp.join(work, 'epoch_2.pth'), '--work-dir',
                         str(tmp_path / 'test')] + TINY)
    assert 'target/top1' in metrics
