"""summarise_sweep on hand-made runs: each value against the baseline."""
import os.path as osp

import pytest

from mmaction_merdg.apis import plot_sweep, slug, summarise_sweep, sweep_to_markdown


def _fake_run(name, accs):
    return dict(name=name, runs=[dict(seed=s, target_acc=a, source_val_acc=0.9)
                                 for s, a in enumerate(accs)])


def test_sweep_summary_compares_each_value_with_the_baseline(tmp_path):
    runs = {slug(0): _fake_run('0', [0.5 + 0.01 * s + d
                                     for s, d in enumerate([0.0, 0.001, -0.001])])}
    runs[slug(3)] = _fake_run('3', [0.55, 0.561, 0.569])
    runs[slug('vne')] = _fake_run('vne', [0.5, 0.51, 0.52])
    res = summarise_sweep('model.regularizers.mer.loss.loss_weight', [0, 3, 'vne'], runs, 0)
    assert 'vs_baseline' not in res['rows'][0]
    assert res['rows'][1]['vs_baseline']['diff']['mean'] == pytest.approx(5.0, abs=0.1)
    assert res['rows'][1]['vs_baseline']['significant']
    md = sweep_to_markdown(res)
    assert '(baseline)' in md and '| 3 | 3 |' in md
    plot_sweep(res, str(tmp_path / 'sweep.png'))
    assert osp.getsize(tmp_path / 'sweep.png') > 1000
