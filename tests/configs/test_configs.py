"""Every config of the repository loads with Config.fromfile and builds its model;
the config tree keeps its shape (short `_base_` chains, generated leaves up to date)."""
import ast
import glob
import json
import os.path as osp

import pytest
from mmengine.config import Config

from mmaction.registry import MODELS

from mmaction_merdg.apis import iter_loader_datasets

from ..conftest import REPO, load_tool

CONFIGS = sorted(
    p for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
    if '_base_' not in p.split(osp.sep))
ALL_FILES = sorted(glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True))
MAX_DEPTH = 3
#: model config (JSON) -> modalities of the model it built, see below.
_BUILT_MODALITIES = {}


def test_configs_found():
    names = [osp.relpath(p, REPO) for p in CONFIGS]
    for entry in ('configs/merdg_epic_d1d2_d3.py', 'configs/merdg_synthetic.py',
                  'configs/fusion_synthetic.py'):
        assert entry in names


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: osp.relpath(p, osp.join(REPO, 'configs')))
def test_config_loads_and_builds(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmaction'
    assert 'mmaction_merdg' in cfg.custom_imports['imports']
    assert cfg.default_hooks.checkpoint.save_best == 'source/top1'
    # Many leaves share their model (the shifts of one method and subset): a
    # model config already built in this session is not built again, which
    # keeps this test at one paper-size build per distinct model.
    key = json.dumps(cfg.model.to_dict(), sort_keys=True, default=str)
    if key not in _BUILT_MODALITIES:  # no init_weights: no checkpoint is read
        _BUILT_MODALITIES[key] = tuple(MODELS.build(cfg.model).modalities)
    modalities = _BUILT_MODALITIES[key]
    assert set(modalities) == set(cfg.model.backbones)
    # One statement of the modality subset: every dataset's `modalities` is the
    # model's, and the pipelines pack what the sample names.
    for ds in iter_loader_datasets(cfg):
        assert tuple(ds.modalities) == tuple(modalities)
        assert ds.pipeline[-1]['type'] == 'PackMultiModalInputs'
        assert 'collect_keys' not in ds.pipeline[-1]


def base_depth(path: str, _seen=()) -> int:
    """Longest `_base_` chain below ``path``, in inheritance steps; a step into an
    ``mmaction::`` base counts as one (its own bases are MMAction2's business)."""
    with open(path) as f:
        tree = ast.parse(f.read())
    bases = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == '_base_' for t in node.targets):
            value = ast.literal_eval(node.value)
            bases = [value] if isinstance(value, str) else list(value)
    depth = 0
    for base in bases:
        if '::' in base:
            depth = max(depth, 1)
            continue
        child = osp.normpath(osp.join(osp.dirname(path), base))
        assert child not in _seen, f'{path}: _base_ cycle through {child}'
        depth = max(depth, 1 + base_depth(child, _seen + (path, )))
    return depth


def test_base_depth_counts_steps(tmp_path):
    (tmp_path / 'a.py').write_text("_base_ = ['mmaction::_base_/default_runtime.py']\n")
    (tmp_path / 'b.py').write_text("_base_ = ['./a.py']\nx = 1\n")
    (tmp_path / 'c.py').write_text("_base_ = './b.py'\n")
    (tmp_path / 'd.py').write_text("x = 1\n")
    assert [base_depth(str(tmp_path / f'{n}.py')) for n in 'abcd'] == [1, 2, 3, 0]


@pytest.mark.parametrize('path', ALL_FILES, ids=lambda p: osp.relpath(p, osp.join(REPO, 'configs')))
def test_base_chain_at_most_three_deep(path):
    assert base_depth(path) <= MAX_DEPTH, f'{path}: _base_ chain deeper than {MAX_DEPTH}'


def test_generated_configs_are_up_to_date(capsys):
    """tools/misc/generate_configs.py --check: no generated leaf is stale."""
    assert load_tool('misc/generate_configs.py').main(['--check']) == 0, capsys.readouterr().out


def test_generated_configs_check_catches_stale_and_orphans(tmp_path, capsys):
    """--check on a copy fails for an edited leaf and for an orphaned generated file."""
    import shutil
    configs = tmp_path / 'configs'
    shutil.copytree(osp.join(REPO, 'configs'), configs)
    generator = load_tool('misc/generate_configs.py')
    assert generator.main(['--check', '--out', str(configs)]) == 0
    leaf = sorted((configs / 'hac').glob('merdg_*.py'))[0]
    orphan = configs / 'hac' / 'merdg_old-name.py'
    orphan.write_text(leaf.read_text())
    leaf.write_text(leaf.read_text() + 'x = 1\n')
    capsys.readouterr()
    assert generator.main(['--check', '--out', str(configs)]) == 1
    out = capsys.readouterr().out
    assert leaf.name in out and orphan.name in out
    # Without --check the generator repairs both.
    assert generator.main(['--out', str(configs)]) == 0
    assert generator.main(['--check', '--out', str(configs)]) == 0
    assert not orphan.exists()


def test_epic_entry_point_is_the_paper_recipe():
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'merdg_epic_d1d2_d3.py'))
    assert cfg.model.mer_loss.loss_weight == 3.0
    assert cfg.model.projector.out_channels == 128
    assert cfg.model.backbones.imgs.slow_pathway.depth == 101
    assert cfg.model.backbones.flow_imgs.in_channels == 2
    assert cfg.optim_wrapper.optimizer == dict(type='Adam', lr=1e-4, weight_decay=1e-4)
    assert cfg.train_dataloader.batch_size == 16
    assert cfg.train_dataloader.sampler.type == 'BalancedDomainSampler'
    assert cfg.train_dataloader.dataset.type == 'EpicKitchensMMDataset'
    assert list(cfg.train_dataloader.dataset.domains) == ['D1', 'D2']
    assert list(cfg.test_dataloader.dataset.domains) == ['D3']
