"""tools/analysis/cooccurrence_sweep.py: the analysis on hand-made runs (the figures
docs/analysis.md reads), then the sweep end to end on the vector-level configs."""
import json
import os.path as osp

import pytest

from mmaction_merdg.apis import slug

from ..conftest import REPO, load_tool

cooc = load_tool('analysis/cooccurrence_sweep.py')


def _fake_run(name, accs):
    return dict(name=name, runs=[dict(seed=s, target_acc=a, source_val_acc=0.9)
                                 for s, a in enumerate(accs)])


def _fake_sweep_runs(gap_of_knob, values=(0, 0.5, 1), seeds=4, fusion_drop=0.0):
    runs = {'fusion': {}, 'merdg': {}}
    for v in values:
        fus = [0.50 + 0.01 * s - fusion_drop * v + 0.002 * (s % 2) * v for s in range(seeds)]
        jitter = [0.004, -0.003, 0.002, -0.001][:seeds]
        mer = [f + gap_of_knob(v) + j for f, j in zip(fus, jitter)]
        runs['fusion'][slug(v)] = _fake_run('f', fus)
        runs['merdg'][slug(v)] = _fake_run('m', mer)
    return runs


# The figures docs/analysis.md reads: a significant gain at the randomised end
# with a flat trend (the gain does not shrink), a significant positive slope
# (the gain grows with the co-occurrences), Fusion's target drop (the shortcut
# misleads Fusion), no significant gain anywhere.
def test_cooccurrence_figures_for_a_gain_that_does_not_shrink():
    res = cooc.analyse([0, 0.5, 1], _fake_sweep_runs(lambda v: 0.05))  # +5 points
    low = res['rows'][0]['gap']
    assert low['mean'] == pytest.approx(5.0, abs=0.5) and low['significant']
    assert abs(res['trend']['slope']) < 1.0 and res['trend']['p'] >= 0.05
    # Fusion's accuracy does not depend on the knob: the instrument check shows it.
    fusion = res['shortcut']['fusion']['target']
    assert abs(fusion['mean']) < 0.5 and not fusion['significant']
    assert 'verdict' not in res  # figures only; the reading is in docs/analysis.md


def test_cooccurrence_figures_when_the_shortcut_hurts_fusion():
    res = cooc.analyse([0, 0.5, 1], _fake_sweep_runs(lambda v: 0.06 * v, fusion_drop=0.08))
    fusion = res['shortcut']['fusion']['target']
    assert fusion['mean'] == pytest.approx(-8.0, abs=0.5) and fusion['significant']
    assert '| Fusion | -7.9' in cooc.cooccurrence_to_markdown(res)


def test_cooccurrence_figures_for_a_gain_that_grows_with_the_knob():
    res = cooc.analyse([0, 0.5, 1], _fake_sweep_runs(lambda v: 0.06 * v))
    assert res['trend']['slope'] == pytest.approx(6.0, abs=0.5) and res['trend']['p'] < 0.05
    assert res['trend']['end_contrast']['mean'] == pytest.approx(6.0, abs=0.5)
    md = cooc.cooccurrence_to_markdown(res)
    assert 'Trend of the gap: slope +6.' in md and 'Verdict' not in md


def test_cooccurrence_figures_without_any_gain(tmp_path):
    res = cooc.analyse([0, 0.5, 1], _fake_sweep_runs(lambda v: 0.0))
    assert not any(r['gap']['significant'] and r['gap']['mean'] > 0 for r in res['rows'])
    cooc.plot_cooccurrence(res, str(tmp_path / 'c.png'))
    assert osp.getsize(tmp_path / 'c.png') > 1000
    assert '| 0.5 | 4 |' in cooc.cooccurrence_to_markdown(res)


def test_cooccurrence_sweep_end_to_end(tmp_path):
    """Both vector-level configs (the sweep's plumbing is the same for the clip level)."""
    res = cooc.main(['--fusion-config', osp.join(REPO, 'configs', 'fusion_synthetic_vector.py'),
                     '--merdg-config', osp.join(REPO, 'configs', 'merdg_synthetic_vector.py'),
                     '--values', '0', '1', '--seeds', '1', '--work-dir', str(tmp_path),
                     '--cfg-options', 'train_cfg.max_epochs=1',
                     '--dataset-options', 'samples_per_domain=16'])
    assert [r['value'] for r in res['rows']] == [0, 1]
    opts = json.load(open(tmp_path / 'cooccurrence=0.0' / 'fusion' / 'run_options.json'))
    assert opts['dataset_options']['cooccurrence'] == 0
    for v in ('0.0', '1.0'):
        for name in ('fusion', 'merdg'):
            run = json.load(open(tmp_path / f'cooccurrence={v}' / name / 'seeds.json'))['runs'][0]
            assert 0 <= run['target_acc'] <= 1 and osp.isfile(run['best_checkpoint'])
    assert res['trend'] is None  # one seed: no test is claimed
    assert 'gap' not in res['rows'][0]
    assert osp.getsize(tmp_path / 'cooccurrence.png') > 1000
