"""The main job end to end on tiny data: two seeds, the table with paired tests, summary.json."""
import json

import pytest

from ..conftest import load_tool


def test_quickstart_prints_multi_seed_table_with_paired_tests(tmp_path, capsys):
    qs = load_tool('quickstart.py')
    rc = qs.main(['--work-dir', str(tmp_path), '--epochs', '1', '--seeds', '0', '1',
                  '--dataset-options', 'samples_per_domain=16'])
    assert rc == 0
    summary = json.loads((tmp_path / 'summary.json').read_text())
    assert set(summary['cells']) == {'fusion@0', 'fusion@1', 'merdg@0', 'merdg@1'}
    for key, cell in summary['cells'].items():
        vals = cell['target_acc']['values']
        assert len(vals) == 2 and all(0 <= v <= 100 for v in vals)
        assert cell['target_acc']['mean'] == pytest.approx(sum(vals) / 2)
    # The contrasts are paired differences of the cells' per-seed values.
    con = summary['contrasts']['MER-DG - Fusion @ 1']['target_acc']
    m, f = summary['cells']['merdg@1']['target_acc'], summary['cells']['fusion@1']['target_acc']
    assert con['delta'] == pytest.approx(m['mean'] - f['mean'])
    assert summary['merdg_weight'] == qs.MERDG_WEIGHT['value']
    for run in summary['runs']['merdg@1'].values():
        assert run['seed'] in (0, 1)
    out = capsys.readouterr().out
    assert summary['markdown'] in out
    assert 'chosen by leave-one-domain-out cross-validation' in out
    for row in ('| Fusion | 0 |', '| Fusion | 1 |', '| MER-DG - Fusion | 0 |',
                '| MER-DG - Fusion | 1 |', '| Fusion drop | 1 - 0 |'):
        assert row in out


def test_quickstart_refuses_cooccurrence_option(tmp_path):
    qs = load_tool('quickstart.py')
    with pytest.raises(SystemExit):
        qs.main(['--work-dir', str(tmp_path), '--dataset-options', 'cooccurrence=0.5'])
