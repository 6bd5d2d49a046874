"""Each method config trains 2 iterations and tests through tools/train.py and tools/test.py.

CMRF's run (with its teacher hook) is in tests/engine/test_averaged_teacher_hook.py.
"""
import os.path as osp

import pytest

from ..conftest import REPO, load_tool

TINY = ['--dataset-options', 'samples_per_domain=8', 'rgb_shape=(8,16,16)',
        'audio_shape=(16,16)']


@pytest.mark.parametrize('config', ['simmmdg_merdg_synthetic.py', 'rnanet_synthetic.py',
                                    'moosa_merdg_synthetic.py', 'mbcd_synthetic.py',
                                    'jat_merdg_synthetic.py', 'gmp_synthetic.py',
                                    'nel_merdg_synthetic.py'])
def test_method_trains_and_tests(tmp_path, config):
    cfg = tmp_path / 'tiny.py'
    cfg.write_text(f'''_base_ = ['{osp.join(REPO, 'configs', config)}']
train_dataloader = dict(batch_size=8, sampler=dict(batch_size=8))
val_dataloader = dict(batch_size=16)
test_dataloader = dict(batch_size=16)
train_cfg = dict(max_epochs=1)
param_scheduler = [dict(type='CosineAnnealingLR', T_max=1, by_epoch=True, eta_min=1e-5)]
default_hooks = dict(logger=dict(interval=1))
''')
    train, test = load_tool('train.py'), load_tool('test.py')
    work = str(tmp_path / 'work')
    runner = train.main([str(cfg), '--work-dir', work, '--seed', '0'] + TINY)
    assert runner.iter == 2
    logged = runner.message_hub.log_scalars
    expected = dict(simmmdg_merdg_synthetic=('loss_supcon', 'loss_distance', 'loss_translation',
                                             'loss_mer'),
                    rnanet_synthetic=('loss_rna', ),
                    moosa_merdg_synthetic=('loss_entropy_weighting', 'loss_jigsaw',
                                           'loss_translation', 'loss_mer'),
                    mbcd_synthetic=('loss_unimodal', 'loss_distill_fused',
                                    'loss_distill_unimodal', 'mbcd/teacher_active'),
                    jat_merdg_synthetic=('loss_unimodal', 'loss_modality_adv',
                                         'loss_domain_adv_local', 'loss_domain_adv_global',
                                         'loss_mer'),
                    gmp_synthetic=('loss_gmp', ),
                    nel_merdg_synthetic=('loss_supcon', 'loss_unc', 'loss_nee',
                                         'loss_mer'))[config[:-3]]
    for key in expected:
        assert f'train/{key}' in logged, key
    assert ('train/loss_mer' in logged) == ('merdg' in config)
    if 'mbcd' in config:  # the EMA teacher, averaged from the first step, distils at the second
        assert logged['train/mbcd/teacher_active'].current() == 1
        assert logged['train/loss_distill_fused'].current() > 0
    metrics = test.main([str(cfg), osp.join(work, 'epoch_1.pth'), '--work-dir',
                         str(tmp_path / 'test')] + TINY)
    assert 0.0 <= metrics['target/top1'] <= 1.0
