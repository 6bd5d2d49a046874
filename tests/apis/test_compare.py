"""compare_runs on hand-made run_seeds results (paired by seed, against scipy)."""
import json
import re

import pytest
from scipy import stats as sps

from mmaction_merdg.apis import compare_runs, comparison_to_markdown, load_run


def _run_json(path, name, target, source, seeds=None):
    seeds = seeds if seeds is not None else list(range(len(target)))
    runs = [dict(seed=s, source_val_acc=sv, target_acc=t, oracle_target_acc=max(t, t + 0.01),
                 seconds=1.0) for s, t, sv in zip(seeds, target, source)]
    with open(path, 'w') as f:
        json.dump(dict(format='mmaction_merdg.run_seeds/1', name=name, runs=runs), f)
    return str(path)


A_T = [0.612, 0.589, 0.634, 0.601, 0.627, 0.595]
B_T = [0.598, 0.581, 0.602, 0.603, 0.600, 0.579]
SRC = [0.9, 0.91, 0.89, 0.9, 0.92, 0.9]


def test_compare_matches_scipy_on_hand_made_runs(tmp_path):
    a = _run_json(tmp_path / 'a.json', 'merdg', A_T, SRC)
    b = _run_json(tmp_path / 'b.json', 'fusion', B_T, [s - 0.001 * i for i, s in enumerate(SRC)])
    res = compare_runs(load_run(a), load_run(b))
    t = res['metrics']['target_acc']
    ref_t = sps.ttest_rel([100 * v for v in A_T], [100 * v for v in B_T])
    ref_w = sps.wilcoxon([100 * (x - y) for x, y in zip(A_T, B_T)])
    assert t['ttest']['p'] == pytest.approx(ref_t.pvalue, rel=1e-9)
    assert t['wilcoxon']['p'] == pytest.approx(ref_w.pvalue, rel=1e-9)
    assert t['unit'] == '%' and t['a']['mean'] == pytest.approx(100 * sum(A_T) / 6)
    assert list(res['metrics']) == ['target_acc', 'source_val_acc', 'oracle_target_acc']
    res_all = compare_runs(load_run(a), load_run(b), metrics=['all'])
    assert 'seconds' not in res_all['metrics'] and len(res_all['metrics']) == 3
    assert re.search(r'\| target \(at best source-val\) +\| 60\.97 ± ', comparison_to_markdown(res))
    assert res['seeds'] == list(range(6))


def test_compare_says_plainly_when_not_significant(tmp_path):
    a = _run_json(tmp_path / 'a.json', 'A', [0.60, 0.61, 0.59, 0.605, 0.595], SRC[:5])
    b = _run_json(tmp_path / 'b.json', 'B', [0.602, 0.601, 0.603, 0.599, 0.60], SRC[:5])
    res = compare_runs(load_run(a), load_run(b), metrics=['target_acc'])
    assert not res['metrics']['target_acc']['significant']
    out = comparison_to_markdown(res)
    assert 'NOT significant' in out and re.search(r'\| no +\|', out)


def test_compare_pairs_by_seed_and_reports_unpaired(tmp_path):
    # Same values in a different order and with an extra seed: the pairing must follow seeds.
    a = _run_json(tmp_path / 'a.json', 'A', [0.7, 0.5, 0.6, 0.9], SRC[:4], seeds=[2, 0, 1, 7])
    b = _run_json(tmp_path / 'b.json', 'B', [0.49, 0.58, 0.71], SRC[:3], seeds=[0, 1, 2])
    res = compare_runs(load_run(a), load_run(b))
    assert res['seeds'] == [0, 1, 2] and res['unpaired'] == [7]
    vals = res['metrics']['target_acc']['values']
    assert vals['a'] == pytest.approx([50.0, 60.0, 70.0])
    assert vals['b'] == pytest.approx([49.0, 58.0, 71.0])
    with pytest.raises(ValueError, match='not in both runs'):
        compare_runs(load_run(a), load_run(b), metrics=['nope'])


def test_display_names_daggers_and_latex(tmp_path):
    """Registry titles, a dagger and a warning for n < 3, a booktabs LaTeX table."""
    from mmaction_merdg.apis.compare import comparison_to_latex, display_name
    assert display_name('simmmdg-merdg') == 'SimMMDG + MER-DG'
    assert display_name('merdg') == 'MER-DG' and display_name('rnanet') == 'RNA-Net'
    assert display_name('my_run') == 'my_run'
    a = _run_json(tmp_path / 'a.json', 'merdg', A_T[:2], SRC[:2])
    b = _run_json(tmp_path / 'b.json', 'fusion', B_T[:2], SRC[:2])
    with pytest.warns(UserWarning, match='only 2 paired seeds'):
        res = compare_runs(load_run(a), load_run(b), metrics=['target_acc'])
    assert res['names'] == ['MER-DG', 'Fusion']
    md = comparison_to_markdown(res)
    assert '†' in md and 'n = 2 paired seeds: p-values from so few pairs' in md
    tex = comparison_to_latex(res)
    assert '\\toprule' in tex and '\\bottomrule' in tex and '$^\\dagger$' in tex
    assert '[95\\% CI]' in tex and '$\\pm$' in tex
    # No dagger from three seeds on.
    a = _run_json(tmp_path / 'a3.json', 'merdg', A_T[:3], SRC[:3])
    b = _run_json(tmp_path / 'b3.json', 'fusion', B_T[:3], SRC[:3])
    assert '†' not in comparison_to_markdown(compare_runs(load_run(a), load_run(b)))
