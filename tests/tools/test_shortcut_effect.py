"""tools/analysis/shortcut_effect.py and compare_shortcut_effect.py: the Fusion-only
shortcut-effect check on the vector-level benchmark, and the paired comparison of two
such results."""
import json
import os.path as osp

import pytest

from ..conftest import REPO, load_tool

TINY = dict(train_cfg=dict(max_epochs=1))
shortcut = load_tool('analysis/shortcut_effect.py')
compare = load_tool('analysis/compare_shortcut_effect.py')
shortcut_effect, shortcut_effect_table = shortcut.shortcut_effect, shortcut.shortcut_effect_table


def test_shortcut_effect_on_vector_fusion(tmp_path):
    logs = []
    kw = dict(dataset_options=dict(samples_per_domain=16), cfg_options=TINY, log=logs.append)
    res = shortcut_effect(osp.join(REPO, 'configs/fusion_synthetic_vector.py'), [0, 1],
                          str(tmp_path), **kw)
    assert [r['seed'] for r in res['runs']['0']] == [0, 1] == [r['seed'] for r in res['runs']['1']]
    for cooc in ('0', '1'):
        for r in res['runs'][cooc]:
            assert 0 <= r['target_acc'] <= 100
            stored = json.loads((tmp_path / f'cooccurrence={cooc}' / f'seed_{r["seed"]}'
                                 / 'result.json').read_text())
            assert stored['options']['cooccurrence'] == float(cooc)
            assert abs(100 * stored['target_acc'] - r['target_acc']) < 1e-9
    eff = res['effect']['target_acc']
    one = [r['target_acc'] for r in res['runs']['1']]
    zero = [r['target_acc'] for r in res['runs']['0']]
    assert eff['diff']['mean'] == pytest.approx(sum(one) / 2 - sum(zero) / 2)
    assert set(res['criteria']) == {'source_val_up', 'target_down', 'all'}
    assert res['class_evidence']['chance'] == 25.0
    assert '| target_acc |' in shortcut_effect_table(res)
    assert (tmp_path / 'shortcut_effect.json').is_file()
    # Finished cells are read back, not retrained.
    logs.clear()
    again = shortcut_effect(osp.join(REPO, 'configs/fusion_synthetic_vector.py'), [0, 1],
                            str(tmp_path), **kw)
    assert again['runs'] == res['runs']


def _result(gap_by_value):
    """A shortcut_effect result of 4 seeds whose target accuracy is the seed + a shift."""
    runs = {v: [dict(seed=s, source_val_acc=80.0 + s, target_acc=50.0 + s + 0.1 * s * s
                     + shift, oracle_target_acc=60.0 + s) for s in range(4)]
            for v, shift in gap_by_value.items()}
    return dict(runs=runs, dataset_options={}, seeds=list(range(4)))


def test_compare_methods_pairs_by_seed_and_tests_the_gap_change(tmp_path, capsys):
    base = _result({'0': 0.0, '1': -20.0})
    other = _result({'0': -1.0, '1': -5.0})
    cmp = compare.compare_methods(base, other)
    assert cmp['per_value']['1']['target_acc']['diff']['mean'] == pytest.approx(15.0)
    assert cmp['per_value']['0']['target_acc']['diff']['mean'] == pytest.approx(-1.0)
    assert cmp['per_value']['0']['target_acc']['seeds'] == [0, 1, 2, 3]
    assert cmp['gap_change']['target_acc']['diff']['mean'] == pytest.approx(16.0)
    assert cmp['per_value']['1']['source_val_acc']['diff']['mean'] == pytest.approx(0.0)
    table = compare.compare_methods_table(cmp, ('M', 'F'))
    assert '| gap at 1 - gap at 0 | target_acc | | | +16.00' in table
    a, b = tmp_path / 'a.json', tmp_path / 'b.json'
    a.write_text(json.dumps(other))
    b.write_text(json.dumps(base))
    out = compare.main([str(a), str(b), '--names', 'M', 'F', '--out', str(tmp_path / 'c.json')])
    assert out['gap_change']['target_acc']['diff']['mean'] == pytest.approx(16.0)
    assert '| M - F [95% CI] |' in capsys.readouterr().out
    b.write_text(json.dumps(dict(base, seeds=[0, 1])))
    with pytest.raises(SystemExit, match='seeds differ'):
        compare.main([str(a), str(b)])
