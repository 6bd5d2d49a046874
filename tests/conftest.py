"""Shared test helpers. Tests run on CPU with tiny shapes, on one torch thread."""
import os
import os.path as osp

import pytest
import torch

import mmaction_merdg  # noqa: F401  (registers modules; makes mmaction.models importable)

# One intra-op thread here and in every process a test starts (tools, torchrun,
# spawned workers inherit the variables). The tests' shapes are too small to
# gain from more; on a machine shared with other jobs the default (one thread
# per core) spins in OpenMP barriers: measured on 2 cores under load ~12,
# tests/tools/test_count_ops.py + test_get_flops.py took 121 s with the
# default and 6 s with one thread. Results also stop depending on the number
# of cores (the order of float reductions).
for _var in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[_var] = '1'
torch.set_num_threads(1)

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
REAL_FIXTURES = osp.join(osp.dirname(REPO), 'shared', 'fixtures', 'real')


@pytest.fixture(autouse=True)
def _mmaction_scope():
    """Build from MMAction2's registries, as a Runner with default_scope does."""
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('mmaction'):
        yield


@pytest.fixture
def real_fixtures():
    """Path of ../shared/fixtures/real; skips when the folder is absent."""
    if not osp.isdir(REAL_FIXTURES):
        pytest.skip(f'real fixtures not found at {REAL_FIXTURES} '
                    '(../shared is provided to developers and CI only)')
    return REAL_FIXTURES


def load_tool(relpath):
    """Import a script under tools/ (not a package) as a module."""
    import importlib.util
    path = osp.join(REPO, 'tools', relpath)
    spec = importlib.util.spec_from_file_location(
        'tool_' + relpath.replace('/', '_').replace('.py', ''), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_tiny_synthetic_config(tmp_path, base='configs/merdg_synthetic.py', epochs=2,
                                extra=''):
    """A CPU-seconds variant of a synthetic config (no dropout, 2 epochs).

    Use it with ``TINY_DATA`` (``--dataset-options`` of the tools) for tiny data.
    """
    text = f'''_base_ = ['{osp.join(REPO, base)}']
train_dataloader = dict(batch_size=8, sampler=dict(batch_size=8))
val_dataloader = dict(batch_size=16)
test_dataloader = dict(batch_size=16)
model = dict(cls_head=dict(dropout_ratio=0.0))
train_cfg = dict(max_epochs={epochs})
param_scheduler = [dict(type='CosineAnnealingLR', T_max={epochs}, by_epoch=True, eta_min=1e-5)]
default_hooks = dict(logger=dict(interval=1))
{extra}
'''
    path = tmp_path / 'tiny_config.py'
    path.write_text(text)
    return str(path)


# Tiny synthetic data, for the tools' --dataset-options.
TINY_DATA = ['--dataset-options', 'samples_per_domain=16', 'rgb_shape=(8,16,16)',
             'audio_shape=(16,16)']
