"""The sweep: cells and trials, configs of cells, the three rules' table, resume and refusal."""
import csv
import json
import math
import os.path as osp
import shutil

import pytest

from mmaction_merdg.apis import grid
from mmaction_merdg.apis.grid import Cell, make_cells, run_grid
from mmaction_merdg.apis.grid_table import render, summarise

from ..conftest import REPO

FAKE = 'tests.apis.grid_fakes:run_fake_cell'
LAMBDA = grid.MER_WEIGHT
RULES = ('training-domain', 'leave-one-domain-out', 'oracle')


def test_make_cells_order_trials_and_heldout_runs():
    cells = make_cells(['synthetic'], ['fusion', 'simmmdg'], 'both', [0, 1])
    assert len(cells) == 8
    assert [c.seed for c in cells] == [0] * 4 + [1] * 4  # every method for seed 0 first
    assert cells[1] == Cell('synthetic', 'source0-source1-to-target', 'rgb-flow-audio', 'fusion',
                            True, 0)
    # 3 trials; only MER-DG's weight is drawn, so Fusion alone has one trial and
    # no held-out runs, Fusion + MER-DG 3 trials x (1 + 2 held-out sources).
    cells = make_cells(['synthetic_vector'], ['fusion'], 'both', [0], trials=3,
                       leave_one_out=True, search_keys=[LAMBDA])
    assert [(c.mer, c.trial, c.holdout) for c in cells] == [(False, 0, None)] + [
        (True, t, h) for t in range(3) for h in (None, 'source0', 'source1')]
    assert grid.grid_cost(cells) == dict(full=4, heldout=6, total=10)
    with pytest.raises(ValueError, match='unknown'):
        make_cells(['synthetic'], ['erm2'], 'both', [0])
    with pytest.raises(ValueError, match='mer'):
        make_cells(['synthetic'], ['fusion'], 'maybe', [0])


def test_bad_search_input_is_refused_before_anything_runs():
    with pytest.raises(ValueError, match=r"search-keys.*model.nope"):
        make_cells(['synthetic'], ['fusion'], 'both', [0], trials=2, search_keys=['model.nope'])
    with pytest.raises(ValueError, match='trials'):
        make_cells(['synthetic'], ['fusion'], 'both', [0], trials=0)
    # A family whose shift has one source (a registered family of one shift).
    import dataclasses
    one = dataclasses.replace(grid.FAMILIES['synthetic'], name='one_source',
                              shifts=((('source0', ), ('target', )), ))
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(grid.FAMILIES, 'one_source', one)
        mp.setitem(grid.DATASETS, 'one_source',
                   dict(shifts=one.shift_names, subsets=one.subset_names))
        with pytest.raises(ValueError, match='needs >= 2 source'):
            make_cells(['one_source'], ['fusion'], 'both', [0], trials=2, leave_one_out=True)
    cfg = grid.load_config(osp.join(REPO, 'configs/fusion_synthetic_vector.py'))
    with pytest.raises(KeyError, match=r"'model.cls_head.nope'.*fusion_synthetic_vector"):
        grid.apply_params(cfg, {'model.cls_head.nope': 1.0}, 'fusion_synthetic_vector.py')
    with pytest.raises(ValueError, match='1 source'):
        cfg.val_evaluator.source_domains = ['source0']
        grid.leave_one_domain_out(cfg, 'source0')


def test_cells_are_composed_and_name_their_shipped_file():
    c = Cell('synthetic', 'source0-source1-to-target', 'rgb-flow-audio', 'cmrf', True, 0)
    assert grid.resolve_config(REPO, c).endswith('configs/cmrf_merdg_synthetic.py')
    c = Cell('hac', 'human-animal-to-cartoon', 'rgb-flow-audio', 'simmmdg', False, 0)
    assert osp.basename(grid.resolve_config(REPO, c)).startswith('simmmdg_')
    # Another shift and subset: no file, the same composition as --shift/--modalities.
    c = Cell('epic_kitchens', 'd2d3-to-d1', 'rgb-flow', 'simmmdg', True, 0)
    assert grid.resolve_config(REPO, c) is None
    cfg, name = grid.cell_config(REPO, c)
    assert name.startswith('compose_experiment(') and 'd2d3-to-d1' in name
    assert cfg.train_dataloader.dataset.domains == ['D2', 'D3']
    assert cfg.test_dataloader.dataset.domains == ['D1']
    assert tuple(cfg.model.backbones) == ('imgs', 'flow_imgs')
    assert set(cfg.model.regularizers) == {'simmmdg', 'mer'}
    with pytest.raises(ValueError, match="has shifts"):
        grid.cell_config(REPO, Cell('epic_kitchens', 'd1d2-to-d9', 'rgb-flow', 'fusion', False, 0))


def test_trials_share_the_methods_values_and_differ_by_merdg_only():
    assert grid.trial_params('simmmdg', True, 0) == {}
    alone, mer = grid.trial_params('simmmdg', False, 2), grid.trial_params('simmmdg', True, 2)
    assert set(mer) - set(alone) == {LAMBDA}
    assert all(mer[k] == v for k, v in alone.items())
    assert 0.1 <= mer[LAMBDA] <= 30
    assert grid.trial_params('simmmdg', True, 2) == mer  # seeded: same values every call


def test_cell_config_sets_trial_values_and_holds_a_source_out():
    cell = Cell('synthetic_vector', 'source0-source1-to-target', 'rgb-flow-audio', 'fusion',
                True, 0, trial=1, holdout='source1')
    params = grid.trial_params('fusion', True, 1)
    cfg, name = grid.cell_config(REPO, cell, params)
    assert name == 'configs/merdg_synthetic_vector.py'  # the shipped file of this cell
    assert cfg.model.regularizers.mer.loss.loss_weight == params[LAMBDA]
    assert cfg.optim_wrapper.optimizer.lr == params['optim_wrapper.optimizer.lr']
    assert cfg.train_dataloader.dataset.domains == ['source0']
    # The world (who follows a source rule) is unchanged.
    assert cfg.train_dataloader.dataset.source_domains == ['source0', 'source1']
    val = cfg.val_dataloader.dataset.datasets
    assert [(d.domains, d.split) for d in val] == [(['source0'], 'val'), (['source1'], 'val')]
    assert (cfg.test_dataloader.dataset.domains, cfg.test_dataloader.dataset.split) == (
        ['source1'], 'val')  # never the target
    assert cfg.val_evaluator.source_domains == ['source0']
    assert cfg.val_evaluator.target_domains == ['source1']
    jat = Cell('synthetic_vector', 'source0-source1-to-target', 'rgb-flow-audio', 'jat', False, 0,
               holdout='source0')
    cfg, _ = grid.cell_config(REPO, jat)
    assert cfg.model.regularizers.jat.domains == ['source1']


def test_selection_rules_choose_from_what_they_see():
    recs = []
    for seed in (0, 1, 2):
        for t, lam in ((0, 3.0), (1, 1.0), (2, 20.0)):
            for holdout in (None, 'source0', 'source1'):
                lam_log = math.log(lam)
                target = (0.6 + 0.02 * lam_log) if holdout else 0.55 + 0.01 * seed - 0.01 * lam_log
                recs.append(dict(dataset='d', shift='s', subset='x', method='fusion', mer=True,
                                 seed=seed, trial=t, holdout=holdout, sources=['source0', 'source1'],
                                 params={LAMBDA: lam}, row_trials=3, target_acc=target,
                                 source_val_acc=0.9 - 0.01 * abs(lam_log - math.log(3))))
        recs.append(dict(dataset='d', shift='s', subset='x', method='fusion', mer=False,
                         seed=seed, trial=0, holdout=None, sources=['source0', 'source1'],
                         params={}, row_trials=1, target_acc=0.5, source_val_acc=0.8))
    entries = {(e['rule'], e['mer']): e for e in summarise(recs, RULES) if e['column'] == 'mean'}
    assert {c['trial'] for c in entries[('training-domain', True)]['chosen']} == {0}
    assert {c['trial'] for c in entries[('leave-one-domain-out', True)]['chosen']} == {2}
    assert {c['trial'] for c in entries[('oracle', True)]['chosen']} == {1}
    # Fusion alone has one trial and no held-out runs: every rule reports it.
    assert entries[('leave-one-domain-out', False)]['mean'] == pytest.approx(50.0)
    lodo = entries[('leave-one-domain-out', True)]
    assert lodo['mean'] == pytest.approx(100 * (0.56 - 0.01 * math.log(20)))
    assert lodo['n_pairs'] == 3 and lodo['delta'] == pytest.approx(lodo['mean'] - 50.0)
    # A trial missing a held-out run cannot be scored by leave-one-out.
    recs = [r for r in recs if not (r['trial'] == 2 and r['holdout'] == 'source1')]
    entries = {(e['rule'], e['mer']): e for e in summarise(recs, RULES) if e['column'] == 'mean'}
    assert {c['trial'] for c in entries[('leave-one-domain-out', True)]['chosen']} == {0}


def test_sweep_in_process_resumes_refuses_edits_and_renders_three_rules(tmp_path, monkeypatch):
    configs = tmp_path / 'repo' / 'configs'
    shutil.copytree(osp.join(REPO, 'configs'), configs,
                    ignore=shutil.ignore_patterns('epic_kitchens', 'hac'))
    repo = str(tmp_path / 'repo')
    # Cells compose from the plugin's config tree: here, the copy (edited below).
    from mmaction_merdg.apis import composition
    monkeypatch.setattr(composition, 'config_dir', lambda: str(configs))
    cells = make_cells(['synthetic_vector'], ['fusion'], 'both', [0, 1], trials=3,
                       leave_one_out=True, search_keys=[LAMBDA])
    work = str(tmp_path / 'sweep')
    kw = dict(log=lambda s: None, runner=FAKE, search_keys=[LAMBDA])
    records = run_grid(cells, work, repo, **kw)
    calls = open(osp.join(work, 'calls.log')).read().split()
    assert len(records) == len(cells) == 20 and len(calls) == 20
    assert not any(r['reused'] for r in records)
    spec = json.load(open(osp.join(cells[2].directory(work), 'cell.json')))
    assert spec['params'] == grid.trial_params('fusion', True, 0, [LAMBDA])
    # Resume: nothing runs again.
    records = run_grid(cells, work, repo, **kw)
    assert len(open(osp.join(work, 'calls.log')).read().split()) == 20
    assert all(r['reused'] for r in records)
    with pytest.raises(ValueError, match='options'):
        run_grid(cells, work, repo, cfg_options={'train_cfg.max_epochs': 1}, **kw)
    # The family config every cell of the row is composed from.
    leaf = configs / 'fusion_synthetic_vector.py'
    leaf.write_text(leaf.read_text() + '\ntrain_cfg = dict(max_epochs=7)\n')
    composition._TREE_SEEN.clear()  # the tree is re-stat'ed at most once a second
    with pytest.raises(ValueError, match='edited'):
        run_grid(cells, work, repo, **kw)

    paths = render(records, work, title='tiny', rules=RULES)
    md = open(paths['md']).read()
    for title in ('## Selection: training-domain validation',
                  '## Selection: leave-one-domain-out cross-validation',
                  '## Selection: oracle'):
        assert title in md
    assert '| Fusion + MER-DG |' in md and 'n=2 < 3' in md
    lams = grid.trial_params('fusion', True, 1, [LAMBDA])[LAMBDA], \
        grid.trial_params('fusion', True, 2, [LAMBDA])[LAMBDA]
    rows = list(csv.DictReader(open(paths['csv'])))
    lodo = [r for r in rows if r['rule'] == 'leave-one-domain-out' and r['mer'] == 'True'][0]
    assert lodo['chosen'].startswith(f't{1 + (lams[1] > lams[0])} ')  # the largest weight
    assert '\\begin{tabular}' in open(paths['tex']).read()


def test_in_process_failure_is_listed_and_rerun(tmp_path):
    cells = make_cells(['synthetic_vector'], ['fusion'], 'without', [0])
    work = str(tmp_path / 'sweep')
    records = run_grid(cells, work, REPO, log=lambda s: None,
                       runner='tests.apis.grid_fakes:run_failing_cell')
    assert records == []
    failed = grid.failed_cells(work)
    assert len(failed) == 1 and 'always fails' in failed[0]['error']
    assert osp.isfile(failed[0]['logs'][0])
    records = run_grid(cells, work, REPO, log=lambda s: None, runner=FAKE)
    assert len(records) == 1 and grid.failed_cells(work) == []


def test_heldout_cell_trains_for_real(tmp_path):
    """A leave-one-domain-out config runs end to end (tiny, 1 epoch)."""
    cell = Cell('synthetic_vector', 'source0-source1-to-target', 'rgb-flow-audio', 'fusion',
                False, 0, holdout='source0')
    records = run_grid([cell], str(tmp_path), REPO, log=lambda s: None,
                       cfg_options={'train_cfg.max_epochs': 1},
                       dataset_options=dict(samples_per_domain=16))
    assert len(records) == 1 and 0 <= records[0]['target_acc'] <= 1


def test_launcher_commands():
    cmd = grid.launcher_command('pytorch', 'cell.json', gpus=2)
    assert cmd[1:4] == ['-m', 'torch.distributed.run', '--nproc_per_node=2']
    assert cmd[-2:] == ['--launcher', 'pytorch']
    cmd = grid.launcher_command('slurm', 'cell.json', gpus=4, srun_args=['-p', 'gpu'])
    assert cmd[0] == 'srun' and '--gres=gpu:4' in cmd and '-p' in cmd
    with pytest.raises(ValueError, match='launcher'):
        grid.launcher_command('mpi', 'cell.json')


def test_a_changed_plugin_source_is_reused_with_a_warning_and_marked(tmp_path):
    """A finished cell trained by other plugin code: reused, said so, marked code_changed."""
    cells = make_cells(['synthetic_vector'], ['fusion'], 'without', [0])
    work, logs = str(tmp_path / 'sweep'), []
    kw = dict(runner=FAKE, log=logs.append)
    run_grid(cells, work, REPO, **kw)
    fp_path = osp.join(cells[0].directory(work), grid.FINGERPRINT_FILE)
    fp = json.load(open(fp_path))
    json.dump(dict(fp, code_sha256='0' * 64), open(fp_path, 'w'))
    records = run_grid(cells, work, REPO, **kw)
    assert records[0]['reused'] and records[0]['code_changed'] is True
    assert any('other mmaction_merdg source code' in line for line in logs)
    assert len(open(osp.join(work, 'calls.log')).read().split()) == 1  # not rerun
