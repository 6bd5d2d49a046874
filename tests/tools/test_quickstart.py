"""The main job end to end on tiny data: both runs, the table and summary.json."""
import json

from ..conftest import load_tool


def test_quickstart_writes_summary(tmp_path, capsys):
    qs = load_tool('quickstart.py')
    rc = qs.main(['--work-dir', str(tmp_path), '--epochs', '1', '--dataset-options',
                  'samples_per_domain=16', 'rgb_shape=[8,16,16]', 'audio_shape=[16,16]'])
    assert rc == 0
    summary = json.loads((tmp_path / 'summary.json').read_text())
    assert set(summary) == {'fusion', 'merdg'}
    for res in summary.values():
        for key in ('source_val_acc', 'target_acc', 'oracle_target_acc', 'seconds'):
            assert key in res
        assert 0 <= res['target_acc'] <= 1 and res['seconds'] > 0
        # One epoch: the selected checkpoint is the only one, so the target
        # accuracy logged at validation equals the test figure.
        assert abs(res['selected_val_target_acc'] - res['target_acc']) < 1e-9
        assert res['oracle_target_acc'] >= res['target_acc'] - 1e-9
    out = capsys.readouterr().out
    assert '| fusion |' in out and '| merdg |' in out
