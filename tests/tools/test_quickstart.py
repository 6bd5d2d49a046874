"""The main job end to end on tiny data: four runs, the 2 x 2 table and summary.json."""
import json

from ..conftest import load_tool


def test_quickstart_writes_summary_and_2x2_table(tmp_path, capsys):
    qs = load_tool('quickstart.py')
    rc = qs.main(['--work-dir', str(tmp_path), '--epochs', '1', '--dataset-options',
                  'samples_per_domain=16', 'rgb_shape=[8,16,16]', 'audio_shape=[16,16]'])
    assert rc == 0
    summary = json.loads((tmp_path / 'summary.json').read_text())
    runs = {'fusion', 'merdg', 'fusion_cooccurrence0', 'merdg_cooccurrence0'}
    assert set(summary) == runs | {'table', 'total_seconds'}
    for key in runs:
        res = summary[key]
        for k in ('source_val_acc', 'target_acc', 'oracle_target_acc', 'seconds'):
            assert k in res
        assert 0 <= res['target_acc'] <= 1 and res['seconds'] > 0
        # One epoch: the selected checkpoint is the only one, so the target
        # accuracy logged at validation equals the test figure.
        assert abs(res['selected_val_target_acc'] - res['target_acc']) < 1e-9
        assert res['oracle_target_acc'] >= res['target_acc'] - 1e-9
        assert res['cooccurrence'] == (0.0 if key.endswith('cooccurrence0') else 1.0)
    # The table's contrasts are the differences of its cells (in points).
    table = summary['table']
    f, m = table['cells']['fusion'], table['cells']['merdg']
    assert abs(f['cooccurrence=1']['target_acc'] - 100 * summary['fusion']['target_acc']) < 1e-9
    assert abs(table['fusion_drop']['target_acc']
               - (f['cooccurrence=1']['target_acc'] - f['cooccurrence=0']['target_acc'])) < 1e-9
    for c in ('cooccurrence=0', 'cooccurrence=1'):
        assert abs(table['merdg_minus_fusion'][c]['source_val_acc']
                   - (m[c]['source_val_acc'] - f[c]['source_val_acc'])) < 1e-9
    out = capsys.readouterr().out
    assert table['markdown'] in out
    for row in ('| Fusion | 0 |', '| Fusion | 1 |', '| MER-DG | 0 |', '| MER-DG | 1 |',
                '| Fusion drop | 1 - 0 |', '| MER-DG - Fusion | 0 |', '| MER-DG - Fusion | 1 |'):
        assert row in out


def test_quickstart_refuses_cooccurrence_option(tmp_path):
    import pytest
    qs = load_tool('quickstart.py')
    with pytest.raises(SystemExit):
        qs.main(['--work-dir', str(tmp_path), '--dataset-options', 'cooccurrence=0.5'])
