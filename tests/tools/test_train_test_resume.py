"""End to end through tools/train.py and tools/test.py: train -> val -> test -> resume."""
import os
import os.path as osp
import shutil
import subprocess
import sys

import torch

from ..conftest import REPO, TINY_DATA, load_tool, write_tiny_synthetic_config


def _state(path):
    return torch.load(path, map_location='cpu')['state_dict']


def test_train_val_test_and_resume_reproduce(tmp_path):
    train, test = load_tool('train.py'), load_tool('test.py')
    cfg = write_tiny_synthetic_config(tmp_path)
    run_a = str(tmp_path / 'a')
    runner = train.main([cfg, '--work-dir', run_a, '--seed', '3'] + TINY_DATA)
    hub_a = runner.message_hub
    best = hub_a.get_info('best_ckpt')
    assert best and osp.basename(best).startswith('best_source_top1_epoch_')
    state_a = hub_a.get_info('merdg_domain_acc_state')
    assert set(state_a) == {'best_source_top1', 'selected_target_top1', 'oracle_target_top1'}
    assert state_a['oracle_target_top1'] >= state_a['selected_target_top1']

    metrics_a = test.main([cfg, osp.join(run_a, 'epoch_2.pth'), '--work-dir',
                           str(tmp_path / 'ta')] + TINY_DATA)
    assert set(['target/top1', 'target/mean_class_acc', 'domain/target/top1']) <= set(metrics_a)

    # Resume a fresh run from A's epoch-1 checkpoint (weights_only=True loading).
    run_b = str(tmp_path / 'b')
    os.makedirs(run_b)
    shutil.copy(osp.join(run_a, 'epoch_1.pth'), osp.join(run_b, 'epoch_1.pth'))
    runner_b = train.main([cfg, '--work-dir', run_b, '--seed', '3', '--resume',
                           osp.join(run_b, 'epoch_1.pth')] + TINY_DATA)
    sa, sb = _state(osp.join(run_a, 'epoch_2.pth')), _state(osp.join(run_b, 'epoch_2.pth'))
    assert sa.keys() == sb.keys()
    for k in sa:
        assert torch.allclose(sa[k].float(), sb[k].float(), atol=1e-5), k
    metrics_b = test.main([cfg, osp.join(run_b, 'epoch_2.pth'), '--work-dir',
                           str(tmp_path / 'tb')] + TINY_DATA)
    assert metrics_b == metrics_a
    # The selection/oracle state came back with the MessageHub.
    assert runner_b.message_hub.get_info('merdg_domain_acc_state') == state_a


def test_cpu_ddp_two_processes_with_torchrun(tmp_path):
    cfg = write_tiny_synthetic_config(tmp_path, epochs=1)
    env = dict(os.environ, OMP_NUM_THREADS='1', PORT='29517')
    env['PATH'] = osp.dirname(sys.executable) + os.pathsep + env.get('PATH', '')
    res = subprocess.run(
        ['bash', osp.join(REPO, 'tools', 'dist_train.sh'), cfg, '2', '--work-dir',
         str(tmp_path / 'ddp')] + TINY_DATA, capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    assert osp.isfile(tmp_path / 'ddp' / 'epoch_1.pth')
    log = res.stdout + res.stderr
    assert 'Distributed launcher: pytorch' in log or 'launcher: pytorch' in log
    assert 'source/top1' in log


def test_test_tool_refuses_a_checkpoint_of_another_model(tmp_path):
    """Before: a mismatch warning, chance accuracy, exit 0. Now: an error."""
    import pytest
    from mmengine.config import Config

    from mmaction.registry import MODELS
    test = load_tool('test.py')
    cfg = write_tiny_synthetic_config(tmp_path, epochs=1)
    model = MODELS.build(Config.fromfile(cfg).model)
    other = tmp_path / 'other.pth'
    torch.save(dict(state_dict={'backbone.conv.weight': torch.zeros(1)}), other)
    args = ['--work-dir', str(tmp_path / 't')] + TINY_DATA
    with pytest.raises(ValueError, match=r"(?s)other.pth' does not fit the model"
                       r'.*missing in the checkpoint'):
        test.main([cfg, str(other)] + args)
    empty = tmp_path / 'empty.pth'
    empty.write_bytes(b'')
    with pytest.raises(ValueError, match=r"empty.pth' is empty"):
        test.main([cfg, str(empty)] + args)
    # A partial load is an explicit choice.
    state = model.state_dict()
    state.pop(sorted(state)[-1])
    partial = tmp_path / 'partial.pth'
    torch.save(dict(state_dict=state), partial)
    with pytest.raises(ValueError, match=r'(?s)1 key\(s\) missing'):
        test.main([cfg, str(partial)] + args)
    metrics = test.main([cfg, str(partial), '--allow-partial-checkpoint'] + args)
    assert 'target/top1' in metrics


class _Killed(RuntimeError):
    """Stands for a run killed in the middle of an epoch."""


def _register_kill_hook():
    from mmengine.hooks import Hook

    from mmaction.registry import HOOKS

    @HOOKS.register_module(name='KillAtIterHook', force=True)
    class KillAtIterHook(Hook):

        def __init__(self, epoch, batch_idx):
            self.epoch, self.batch_idx = epoch, batch_idx

        def after_train_iter(self, runner, batch_idx, data_batch=None,
                             outputs=None):
            if runner.epoch == self.epoch and batch_idx == self.batch_idx:
                raise _Killed(f'killed at [{self.epoch + 1}][{batch_idx + 1}]')


def test_resume_after_mid_epoch_kill_is_exact_with_dropout(tmp_path):
    """Uninterrupted vs killed at [2][1/2] and resumed, shipped dropout 0.5.

    Before ExactResumeHook the resumed run ended elsewhere; the control at
    the end (the same resume with the hook disabled) still does.
    """
    import pytest
    _register_kill_hook()
    train = load_tool('train.py')
    cfg = write_tiny_synthetic_config(
        tmp_path, epochs=2,
        extra='model = dict(cls_head=dict(dropout_ratio=0.5))  # shipped')
    run_a, run_b = str(tmp_path / 'a'), str(tmp_path / 'b')
    # 8 samples per domain: 2 iterations per epoch.
    args = ['--seed', '3', '--dataset-options', 'samples_per_domain=8',
            'rgb_shape=(8,16,16)', 'audio_shape=(16,16)']
    runner_a = train.main([cfg, '--work-dir', run_a] + args)
    kill_cfg = tmp_path / 'kill_config.py'
    kill_cfg.write_text(f"_base_ = ['{cfg}']\ncustom_hooks = [dict("
                        "type='KillAtIterHook', epoch=1, batch_idx=0)]\n")
    with pytest.raises(_Killed):
        train.main([str(kill_cfg), '--work-dir', run_b] + args)
    assert not osp.exists(osp.join(run_b, 'epoch_2.pth'))
    assert 'rng_state' in torch.load(osp.join(run_b, 'epoch_1.pth'))
    run_c = str(tmp_path / 'c')  # the control resumes the same file
    os.makedirs(run_c)
    shutil.copy(osp.join(run_b, 'epoch_1.pth'), run_c)
    runner_b = train.main([cfg, '--work-dir', run_b, '--resume',
                           osp.join(run_b, 'epoch_1.pth')] + args)

    def final(runner):
        scalars = runner.message_hub.log_scalars
        return {k: scalars[k].current() for k in
                ('val/source/top1', 'val/target/top1', 'train/loss')}

    sa = _state(osp.join(run_a, 'epoch_2.pth'))
    sb = _state(osp.join(run_b, 'epoch_2.pth'))
    assert final(runner_b) == final(runner_a)
    assert sa.keys() == sb.keys()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    train.main([cfg, '--work-dir', run_c, '--resume',
                osp.join(run_c, 'epoch_1.pth'), '--cfg-options',
                'default_hooks.exact_resume.enabled=False'] + args)
    sc = _state(osp.join(run_c, 'epoch_2.pth'))
    assert not all(torch.equal(sa[k], sc[k]) for k in sa)
