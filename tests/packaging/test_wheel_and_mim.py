"""The wheel carries configs and tools (mmaction_merdg/.mim) and mim runs them.

Builds the wheel from a copy of the repository (so the checkout's
mmaction_merdg/.mim is not touched), installs it with ``--no-deps`` into a
temporary target and runs, with only that target on PYTHONPATH:
the config API, ``mim train`` (one tiny epoch) and ``mim test``.
"""
import glob
import importlib.util
import os
import os.path as osp
import shutil
import subprocess
import sys
import zipfile

import pytest

from ..conftest import REPO

TINY = ['--dataset-options', 'samples_per_domain=4', 'rgb_shape=(8,16,16)',
        'audio_shape=(16,16)']


def _copy_repo(dst):
    keep = ['setup.py', 'setup.cfg', 'MANIFEST.in', 'README.md', 'model-index.yml',
            'requirements', 'configs', 'tools', 'demo', 'mmaction_merdg']
    ignore = shutil.ignore_patterns('__pycache__', '*.pyc', '.mim', '*.egg-info')
    for name in keep:
        src = osp.join(REPO, name)
        if osp.isdir(src):
            shutil.copytree(src, osp.join(dst, name), ignore=ignore)
        elif osp.isfile(src):
            shutil.copy(src, osp.join(dst, name))


@pytest.fixture(scope='module')
def wheel(tmp_path_factory):
    """Path of a wheel built from a copy of the checkout."""
    src = tmp_path_factory.mktemp('src')
    _copy_repo(str(src))
    out = tmp_path_factory.mktemp('dist')
    if importlib.util.find_spec('build') is not None:
        cmd = [sys.executable, '-m', 'build', '--wheel', '--no-isolation',
               '--outdir', str(out), str(src)]
    else:
        cmd = [sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation',
               '-w', str(out), str(src)]
    subprocess.run(cmd, check=True, capture_output=True, cwd=str(src))
    wheels = glob.glob(osp.join(str(out), 'mmaction_merdg-*.whl'))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope='module')
def target(wheel, tmp_path_factory):
    """A directory holding the installed wheel (and nothing else)."""
    tgt = tmp_path_factory.mktemp('site')
    subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', '--no-deps',
                    '--target', str(tgt), wheel], check=True, capture_output=True)
    return str(tgt)


def _run(args, target, cwd):
    env = dict(os.environ, PYTHONPATH=target)  # the wheel, not the checkout
    proc = subprocess.run([sys.executable] + args, cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


def test_wheel_holds_configs_tools_and_model_index(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    mim = [n for n in names if n.startswith('mmaction_merdg/.mim/')]
    repo_configs = {osp.relpath(p, REPO) for p in
                    glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True)}
    shipped = {n[len('mmaction_merdg/.mim/'):] for n in mim}
    assert repo_configs and repo_configs <= shipped, sorted(repo_configs - shipped)[:5]
    for tool in ('tools/train.py', 'tools/test.py', 'tools/dist_train.sh',
                 'tools/dist_test.sh', 'tools/slurm_train.sh'):
        assert tool in shipped, tool
    assert 'model-index.yml' in shipped
    # The demo the README names: its script and the installed entry point's module.
    assert 'demo/demo.py' in shipped and 'mmaction_merdg/demo.py' in names
    entry = [n for n in names if n.endswith('.dist-info/entry_points.txt')]
    assert 'mmaction-merdg-demo = mmaction_merdg.demo:main' in \
        zipfile.ZipFile(wheel).read(entry[0]).decode()
    assert not any('__pycache__' in n or n.startswith('tests/') for n in names)
    meta = [n for n in names if n.endswith('.dist-info/METADATA')]
    text = zipfile.ZipFile(wheel).read(meta[0]).decode()
    requires = [line for line in text.splitlines() if line.startswith('Requires-Dist:')
                and 'extra ==' not in line]
    # Ranges, never exact pins: the plugin must not replace a user's torch.
    assert requires and not any('==' in line for line in requires), requires
    assert any(line.startswith('Requires-Dist: torch') for line in requires)
    # Every library the package imports at run time is required (the pinned list's
    # names, but the OpenCV twin, mmcv-lite of mmaction's own stack and tensorboard,
    # an optional visualizer backend).
    import re
    required = {re.split(r'[<>=!; \[]', line.split(':', 1)[1].strip())[0].lower()
                for line in requires}
    with open(osp.join(REPO, 'requirements', 'runtime.txt')) as f:
        pinned = {re.split(r'[<>=!; \[]', line.split('#')[0].strip())[0].lower()
                  for line in f if line.split('#')[0].strip()}
    optional = {'opencv-contrib-python', 'mmcv-lite', 'tensorboard'}
    assert pinned - optional <= required, sorted(pinned - optional - required)


def test_installed_wheel_locates_its_configs(target, tmp_path):
    shipped = osp.join(target, 'mmaction_merdg', '.mim', 'configs', 'merdg_synthetic.py')
    # A user's config inheriting the shipped one through its absolute path.
    user_cfg = tmp_path / 'mine.py'
    user_cfg.write_text(f"_base_ = ['{shipped}']\nmodel = dict(cls_head=dict(num_classes=4))\n")
    out = _run(['-c', 'from mmaction_merdg.apis import get_config_path; '
                'from mmengine.config import Config; '
                'print(get_config_path("merdg_synthetic.py")); '
                f'c = Config.fromfile("{user_cfg}"); print(c.model.type, c.default_scope)'],
               target, str(tmp_path))
    lines = out.strip().splitlines()
    assert lines[-2] == shipped
    assert lines[-1].split() == ['MultiModalRecognizer', 'mmaction']


@pytest.mark.skipif(importlib.util.find_spec('mim') is None,
                    reason='openmim not installed (it is in requirements/tests.txt)')
def test_mim_train_and_test_from_the_installed_wheel(target, tmp_path):
    work = tmp_path / 'work'
    # A bare name: mim finds it in mmaction_merdg/.mim/configs and runs .mim/tools/train.py.
    out = _run(['-m', 'mim', 'train', 'mmaction_merdg', 'merdg_synthetic.py',
                '--work-dir', str(work), '--seed', '5',
                '--cfg-options', 'train_cfg.max_epochs=1',
                'default_hooks.logger.interval=1'] + TINY,
               target, str(tmp_path))
    assert osp.join(target, 'mmaction_merdg', '.mim', 'tools', 'train.py') in out
    ckpt = work / 'epoch_1.pth'
    assert ckpt.is_file()
    dumped = (work / 'merdg_synthetic.py').read_text()
    assert "seed=5" in dumped.replace(' ', '')  # --seed beats the runtime base's seed=0
    out = _run(['-m', 'mim', 'test', 'mmaction_merdg', 'merdg_synthetic.py',
                '--checkpoint', str(ckpt), '--work-dir', str(tmp_path / 'test')] + TINY,
               target, str(tmp_path))
    assert 'target/top1' in out
    # mim search reads .mim/model-index.yml and the metafiles it imports.
    out = _run(['-m', 'mim', 'search', 'mmaction_merdg'], target, str(tmp_path))
    assert 'config id: merdg_tiny-slowfast-slowonly-resnetaudio' in out
