"""ResumeGuardHook: what --resume resumes, and the epoch a kill left unvalidated."""
import os.path as osp
import shutil

import pytest
import torch

from mmaction_merdg.engine.checkpoint_files import resolve_resume_checkpoint

from .fault_injection import REPO, Killed
from .fault_injection import selection as _selection
from .fault_injection import train_tiny as _train
from .fault_injection import uninterrupted  # noqa: F401
from .fault_injection import write_tiny_vector_config


def test_kill_during_the_last_validation_then_resume_selects_the_same(
        tmp_path, uninterrupted):
    """Before: the resumed run never validated epoch 3 and selected epoch 2."""
    assert uninterrupted['selection'][0].endswith('epoch_3.pth')
    kill = write_tiny_vector_config(
        tmp_path, name='kill.py',
        extra="custom_hooks = [dict(type='KillDuringValHook', epoch=3)]")
    work_dir = tmp_path / 'run'
    with pytest.raises(Killed):
        _train(kill, work_dir)
    assert osp.exists(work_dir / 'epoch_3.pth')
    # The control: the same resume without re-validation selects epoch 2.
    runner = _train(uninterrupted['cfg'], work_dir, '--resume', str(
        work_dir / 'epoch_3.pth'), '--work-dir', str(tmp_path / 'control'),
                    '--cfg-options',
                    'default_hooks.resume_guard.revalidate=False')
    assert _selection(runner)[0].endswith('epoch_2.pth')
    runner = _train(uninterrupted['cfg'], work_dir, '--resume')
    assert _selection(runner) == uninterrupted['selection']


def _write_checkpoint(path, **extra):
    torch.save(dict(state_dict={'w': torch.zeros(2)}, **extra), path)


def test_resolve_falls_back_from_an_incomplete_or_empty_pointer(tmp_path):
    _write_checkpoint(tmp_path / 'epoch_1.pth')
    _write_checkpoint(tmp_path / 'epoch_2.pth')
    data = (tmp_path / 'epoch_2.pth').read_bytes()
    (tmp_path / 'epoch_2.pth').write_bytes(data[:len(data) // 2])
    pointer = tmp_path / 'last_checkpoint'
    pointer.write_text(str(tmp_path / 'epoch_2.pth'))
    assert resolve_resume_checkpoint(str(tmp_path), None) == str(
        tmp_path / 'epoch_1.pth')
    pointer.write_text('')  # killed while mmengine wrote the pointer
    assert resolve_resume_checkpoint(str(tmp_path), None) == str(
        tmp_path / 'epoch_1.pth')
    # An explicit path is not replaced: the error names the alternative.
    with pytest.raises(ValueError, match=r"(?s)epoch_2.pth': it is truncated"
                       r".*newest complete checkpoint next to it is "
                       r"'.*epoch_1.pth'"):
        resolve_resume_checkpoint(str(tmp_path), str(tmp_path / 'epoch_2.pth'))
    (tmp_path / 'epoch_1.pth').write_bytes(b'')
    with pytest.raises(ValueError, match='holds no complete'):
        resolve_resume_checkpoint(str(tmp_path), None)


def test_resume_of_a_corrupt_last_checkpoint_takes_the_newest_complete(
        tmp_path, uninterrupted):
    """Before: 'checkpoint file is corrupted', no fallback."""
    work_dir = tmp_path / 'run'
    work_dir.mkdir()
    for name in ('epoch_2.pth', 'epoch_3.pth'):
        shutil.copy(uninterrupted['run'] / name, work_dir / name)
    data = (work_dir / 'epoch_3.pth').read_bytes()
    (work_dir / 'epoch_3.pth').write_bytes(data[:len(data) // 2])
    (work_dir / 'last_checkpoint').write_text(str(work_dir / 'epoch_3.pth'))
    runner = _train(uninterrupted['cfg'], work_dir, '--resume')
    # Resumed from epoch 2 (re-trained epoch 3): the uninterrupted selection.
    assert _selection(runner)[:2] == uninterrupted['selection'][:2]


@pytest.mark.parametrize('change, match', [
    ("_base_ = ['{base}']\n", None),  # the control: the same config resumes
    ("_base_ = ['{base}']\nmodel = dict(cls_head=dict(num_classes=5))\n",
     r'with another shape: cls_head'),
    ("_base_ = ['{root}/configs/merdg_synthetic_vector.py']\n"
     'train_dataloader = dict(batch_size=8, sampler=dict(batch_size=8))\n',
     r'missing in the checkpoint: .*regularizers'),
])
def test_resume_into_another_model_is_refused_with_the_keys(
        tmp_path, uninterrupted, change, match):
    """Before: errors from inside torch's Adam or mmengine."""
    work_dir = tmp_path / 'run'
    work_dir.mkdir()
    shutil.copy(uninterrupted['run'] / 'epoch_2.pth', work_dir / 'epoch_2.pth')
    cfg = tmp_path / 'changed.py'
    cfg.write_text(change.format(base=uninterrupted['cfg'], root=REPO) +
                   'train_cfg = dict(max_epochs=3)\ncustom_hooks = []\n')
    args = [str(cfg), work_dir, '--resume', str(work_dir / 'epoch_2.pth'),
            '--cfg-options', 'train_cfg.max_epochs=2']
    if match is None:
        _train(*args)
        return
    with pytest.raises(ValueError, match=r"(?s)cannot resume from '.*epoch_2"
                       r".pth': its weights do not fit.*" + match):
        _train(*args)
