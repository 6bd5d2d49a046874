"""Grid runner: cells, resume, refusal of edited configs, the table with the paired test."""
import csv
import json
import os.path as osp
import shutil

import pytest

from mmaction_merdg.apis import grid
from mmaction_merdg.apis.grid import Cell, make_cells, render, run_grid

from ..conftest import REPO


def fake_experiment(calls):
    """Deterministic stand-in for run_experiment: MER-DG adds 2 points +- a seed effect."""
    def run(cfg, work_dir, seed, quiet):
        calls.append(work_dir)
        base = 0.50 + 0.01 * seed + (0.05 if 'simmmdg' in cfg.filename else 0.0)
        mer = (cfg.model.get('regularizers') or {}).get('mer') is not None
        acc = base + (0.02 + 0.003 * seed if mer else 0.0)
        res = dict(target_acc=acc, source_val_acc=0.9, seconds=0.0, seed=seed)
        with open(osp.join(work_dir, 'result.json'), 'w') as f:
            json.dump(res, f)
        return res
    return run


def test_make_cells_order_and_errors():
    cells = make_cells(['synthetic'], ['fusion', 'simmmdg'], 'both', [0, 1])
    assert len(cells) == 8
    assert [c.seed for c in cells] == [0] * 4 + [1] * 4  # every method for seed 0 first
    assert cells[1] == Cell('synthetic', 'source0-source1-to-target', 'rgb-flow-audio', 'fusion', True, 0)
    assert len(make_cells(['synthetic'], ['cmrf'], 'with', [0])) == 1
    with pytest.raises(ValueError, match='unknown'):
        make_cells(['synthetic'], ['erm2'], 'both', [0])
    with pytest.raises(ValueError, match='mer'):
        make_cells(['synthetic'], ['fusion'], 'maybe', [0])


def test_resolve_config_names():
    c = Cell('synthetic', 'source0-source1-to-target', 'rgb-flow-audio', 'fusion', True, 0)
    assert grid.resolve_config(REPO, c).endswith('configs/merdg_synthetic.py')
    c = Cell('synthetic', 'source0-source1-to-target', 'rgb-flow-audio', 'cmrf', True, 0)
    assert grid.resolve_config(REPO, c).endswith('configs/cmrf_merdg_synthetic.py')
    c = Cell('epic_kitchens', 'd1d2-to-d3', 'rgb-flow-audio', 'fusion', False, 0)
    assert 'configs/epic_kitchens/fusion_' in grid.resolve_config(REPO, c)
    c = Cell('hac', 'human-animal-to-cartoon', 'rgb-flow-audio', 'simmmdg', False, 0)
    assert osp.basename(grid.resolve_config(REPO, c)).startswith('simmmdg_')
    # Other shifts / subsets / a method + MER-DG on real data are composed, not shipped.
    for c in (Cell('epic_kitchens', 'd2d3-to-d1', 'rgb-flow', 'simmmdg', False, 0),
              Cell('hac', 'human-animal-to-cartoon', 'rgb-flow-audio', 'simmmdg', True, 0)):
        with pytest.raises(FileNotFoundError, match='compose_experiment'):
            grid.resolve_config(REPO, c)


def test_tiny_grid_resumes_refuses_edits_and_renders_paired_test(tmp_path, monkeypatch):
    # 2 methods x {without, with} x 2 seeds on copies of the synthetic configs.
    configs = tmp_path / 'repo' / 'configs'
    shutil.copytree(osp.join(REPO, 'configs'), configs)
    repo = str(tmp_path / 'repo')
    cells = make_cells(['synthetic'], ['fusion', 'simmmdg'], 'both', [0, 1])
    work = str(tmp_path / 'grid')
    calls = []
    records = run_grid(cells, work, repo, log=lambda s: None, experiment=fake_experiment(calls))
    assert len(calls) == 8 and not any(r['reused'] for r in records)
    for c in cells:
        assert osp.isfile(osp.join(c.directory(work), 'fingerprint.json'))

    # Resume: nothing runs again.
    records = run_grid(cells, work, repo, log=lambda s: None, experiment=fake_experiment(calls))
    assert len(calls) == 8 and all(r['reused'] for r in records)

    # Other options are another experiment.
    with pytest.raises(ValueError, match='options'):
        run_grid(cells, work, repo, cfg_options={'train_cfg.max_epochs': 1},
                 log=lambda s: None, experiment=fake_experiment(calls))
    # An edited config is refused for its finished cells.
    leaf = configs / 'simmmdg_synthetic.py'
    leaf.write_text(leaf.read_text() + '\ntrain_cfg = dict(max_epochs=7)\n')
    with pytest.raises(ValueError, match='edited'):
        run_grid(cells, work, repo, log=lambda s: None, experiment=fake_experiment(calls))
    assert len(calls) == 8

    paths = render(records, work, title='tiny')
    md = open(paths['md']).read()
    # fusion: 50/51 alone, 52/53.3 with MER-DG -> delta +2.15 over 2 seeds.
    assert '| fusion + MER-DG | 52.65 ± 0.92 (Δ +2.15, p=' in md
    assert '| simmmdg | 55.50 ± 0.71 |' in md
    rows = list(csv.DictReader(open(paths['csv'])))
    mer_mean = [r for r in rows if r['method'] == 'simmmdg' and r['mer'] == 'True'
                and r['column'] == 'mean'][0]
    assert float(mer_mean['delta']) == pytest.approx(2.15)
    assert 0 < float(mer_mean['p']) < 0.2
    assert osp.getsize(paths['png']) > 1000


def test_launcher_commands():
    cmd = grid.launcher_command('pytorch', 'cell.json', gpus=2)
    assert cmd[1:4] == ['-m', 'torch.distributed.run', '--nproc_per_node=2']
    assert cmd[-2:] == ['--launcher', 'pytorch']
    cmd = grid.launcher_command('slurm', 'cell.json', gpus=4, srun_args=['-p', 'gpu'])
    assert cmd[0] == 'srun' and '--gres=gpu:4' in cmd and '-p' in cmd
    with pytest.raises(ValueError, match='launcher'):
        grid.launcher_command('mpi', 'cell.json')
