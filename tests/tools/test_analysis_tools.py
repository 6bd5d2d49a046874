"""End-to-end tests of tools/analysis on hand-made results and tiny synthetic configs."""
import importlib.util
import json
import os.path as osp
import subprocess
import sys

import pytest
from scipy import stats as sps

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOLS = osp.join(ROOT, 'tools', 'analysis')


def _tool(name):
    sys.path.insert(0, TOOLS)
    spec = importlib.util.spec_from_file_location(f'analysis_{name}', osp.join(TOOLS, f'{name}.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _run_json(path, name, target, source, seeds=None):
    seeds = seeds if seeds is not None else list(range(len(target)))
    runs = [dict(seed=s, source_val_acc=sv, target_acc=t, oracle_target_acc=max(t, t + 0.01),
                 seconds=1.0) for s, t, sv in zip(seeds, target, source)]
    with open(path, 'w') as f:
        json.dump(dict(format='mmaction_merdg.run_seeds/1', name=name, runs=runs), f)
    return str(path)


# ---------------------------------------------------------------- compare.py
A_T = [0.612, 0.589, 0.634, 0.601, 0.627, 0.595]
B_T = [0.598, 0.581, 0.602, 0.603, 0.600, 0.579]
SRC = [0.9, 0.91, 0.89, 0.9, 0.92, 0.9]


def test_compare_matches_scipy_on_hand_made_runs(tmp_path):
    compare = _tool('compare')
    a = _run_json(tmp_path / 'a.json', 'merdg', A_T, SRC)
    b = _run_json(tmp_path / 'b.json', 'fusion', B_T, [s - 0.001 * i for i, s in enumerate(SRC)])
    res = compare.main([a, b, '--work-dir', str(tmp_path / 'out')])
    t = res['metrics']['target_acc']
    ref_t = sps.ttest_rel([100 * v for v in A_T], [100 * v for v in B_T])
    ref_w = sps.wilcoxon([100 * (x - y) for x, y in zip(A_T, B_T)])
    assert t['ttest']['p'] == pytest.approx(ref_t.pvalue, rel=1e-9)
    assert t['wilcoxon']['p'] == pytest.approx(ref_w.pvalue, rel=1e-9)
    assert t['unit'] == '%' and t['a']['mean'] == pytest.approx(100 * sum(A_T) / 6)
    assert list(res['metrics'])[:3] == ['target_acc', 'source_val_acc', 'oracle_target_acc']
    md = open(tmp_path / 'out' / 'compare.md').read()
    assert '| target (at best source-val) | 60.97 ± ' in md
    assert json.load(open(tmp_path / 'out' / 'compare.json'))['seeds'] == list(range(6))


def test_compare_says_plainly_when_not_significant(tmp_path, capsys):
    compare = _tool('compare')
    a = _run_json(tmp_path / 'a.json', 'A', [0.60, 0.61, 0.59, 0.605, 0.595], SRC[:5])
    b = _run_json(tmp_path / 'b.json', 'B', [0.602, 0.601, 0.603, 0.599, 0.60], SRC[:5])
    res = compare.main([a, b, '--metrics', 'target_acc'])
    assert not res['metrics']['target_acc']['significant']
    out = capsys.readouterr().out
    assert 'NOT significant' in out and '| no |' in out


def test_compare_pairs_by_seed_and_reports_unpaired(tmp_path):
    compare = _tool('compare')
    # Same values in a different order and with an extra seed: the pairing must follow seeds.
    a = _run_json(tmp_path / 'a.json', 'A', [0.7, 0.5, 0.6, 0.9], SRC[:4], seeds=[2, 0, 1, 7])
    b = _run_json(tmp_path / 'b.json', 'B', [0.49, 0.58, 0.71], SRC[:3], seeds=[0, 1, 2])
    res = compare.compare_runs(compare.load_run(a), compare.load_run(b))
    assert res['seeds'] == [0, 1, 2] and res['unpaired'] == [7]
    vals = res['metrics']['target_acc']['values']
    assert vals['a'] == pytest.approx([50.0, 60.0, 70.0]) and vals['b'] == pytest.approx([49.0, 58.0, 71.0])
    with pytest.raises(ValueError, match='not in both runs'):
        compare.compare_runs(compare.load_run(a), compare.load_run(b), metrics=['nope'])


def test_compare_cli_help_explains():
    out = subprocess.run([sys.executable, osp.join(TOOLS, 'compare.py'), '--help'],
                         capture_output=True, text=True, check=True).stdout
    assert 'paired t-test' in out and 'Wilcoxon' in out and '--work-dir' in out


# ------------------------------------------------- analysis logic on hand-made runs
def _fake_run(name, accs):
    return dict(name=name, runs=[dict(seed=s, target_acc=a, source_val_acc=0.9)
                                 for s, a in enumerate(accs)])


def _fake_sweep_runs(gap_of_knob, values=(0, 0.5, 1), seeds=4):
    co = _tool('cooccurrence_sweep')
    runs = {'fusion': {}, 'merdg': {}}
    for v in values:
        fus = [0.50 + 0.01 * s for s in range(seeds)]
        jitter = [0.004, -0.003, 0.002, -0.001][:seeds]
        mer = [f + gap_of_knob(v) + j for f, j in zip(fus, jitter)]
        runs['fusion'][co.slug(v)] = _fake_run('f', fus)
        runs['merdg'][co.slug(v)] = _fake_run('m', mer)
    return co, runs


def test_cooccurrence_verdict_flags_a_gain_that_does_not_shrink():
    co, runs = _fake_sweep_runs(lambda v: 0.05)  # +5 points whatever the knob
    res = co.analyse([0, 0.5, 1], runs)
    assert res['rows'][0]['gap']['mean'] == pytest.approx(5.0, abs=0.5)
    assert abs(res['trend']['slope']) < 1.0
    assert 'does NOT shrink' in res['verdict'] and 'in doubt' in res['verdict']


def test_cooccurrence_verdict_supports_a_gain_that_grows_with_the_knob():
    co, runs = _fake_sweep_runs(lambda v: 0.06 * v)  # 0 at the randomised end, +6 at 1
    res = co.analyse([0, 0.5, 1], runs)
    assert res['trend']['slope'] == pytest.approx(6.0, abs=0.5) and res['trend']['p'] < 0.05
    assert res['trend']['end_contrast']['mean'] == pytest.approx(6.0, abs=0.5)
    assert 'as the paper\'s explanation predicts' in res['verdict']


def test_cooccurrence_verdict_without_any_gain(tmp_path):
    co, runs = _fake_sweep_runs(lambda v: 0.0)
    res = co.analyse([0, 0.5, 1], runs)
    assert 'no significant gain at any setting' in res['verdict']
    co.plot(res, str(tmp_path / 'c.png'))
    assert osp.getsize(tmp_path / 'c.png') > 1000
    assert '| 0.5 | 4 |' in co.to_markdown(res)


def test_sweep_summary_compares_each_value_with_the_baseline(tmp_path):
    sw = _tool('sweep')
    runs = {sw.slug(v): _fake_run(str(v), [0.5 + 0.01 * s + d for s, d in
                                          enumerate([0.0, 0.001, -0.001])])
            for v, _ in [(0, 0)]}
    runs[sw.slug(3)] = _fake_run('3', [0.55, 0.561, 0.569])
    runs[sw.slug('vne')] = _fake_run('vne', [0.5, 0.51, 0.52])
    res = sw.summarise_sweep('model.mer_loss.loss_weight', [0, 3, 'vne'], runs, 0)
    assert 'vs_baseline' not in res['rows'][0]
    assert res['rows'][1]['vs_baseline']['diff']['mean'] == pytest.approx(5.0, abs=0.1)
    assert res['rows'][1]['vs_baseline']['significant']
    md = sw.to_markdown(res)
    assert '(baseline)' in md and '| 3 | 3 |' in md
    sw.plot_sweep(res, str(tmp_path / 'sweep.png'))
    assert osp.getsize(tmp_path / 'sweep.png') > 1000
