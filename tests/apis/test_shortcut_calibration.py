"""The vector-level benchmark end to end (both methods) and the Fusion-only
shortcut-effect check built on it; the 2 x 2 co-occurrence table."""
import json
import os.path as osp

import pytest
from mmengine.config import Config

from mmaction_merdg.apis import (cooccurrence_table, run_experiment, shortcut_effect,
                                 shortcut_effect_table)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TINY = dict(train_cfg=dict(max_epochs=1))


def tiny(config):
    cfg = Config.fromfile(osp.join(REPO, config))
    cfg.merge_from_dict(TINY)
    from mmaction_merdg.apis import set_dataset_options
    set_dataset_options(cfg, dict(samples_per_domain=16))
    return cfg


def test_vector_merdg_trains_and_tests(tmp_path):
    res = run_experiment(tiny('configs/merdg_synthetic_vector.py'), str(tmp_path), seed=0,
                         quiet=True)
    assert 0 <= res['target_acc'] <= 1 and 0 <= res['source_val_acc'] <= 1
    assert osp.isfile(res['best_checkpoint'])


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


def test_cooccurrence_table_contrasts():
    def r(sv, tg, oc, c):
        return dict(source_val_acc=sv, target_acc=tg, oracle_target_acc=oc, cooccurrence=c)
    t = cooccurrence_table(dict(fusion=r(.9, .5, .6, 1.0), fusion_cooccurrence0=r(.7, .6, .65, 0.0),
                                merdg=r(.85, .55, .6, 1.0), merdg_cooccurrence0=r(.7, .58, .6, 0.0)))
    assert t['fusion_drop']['source_val_acc'] == pytest.approx(20.0)
    assert t['fusion_drop']['target_acc'] == pytest.approx(-10.0)
    assert t['merdg_minus_fusion']['cooccurrence=1']['target_acc'] == pytest.approx(5.0)
    assert t['merdg_minus_fusion']['cooccurrence=0']['target_acc'] == pytest.approx(-2.0)
    assert '| Fusion drop | 1 - 0 | +20.00 | -10.00 | -5.00 |' in t['markdown']
    with pytest.raises(KeyError, match='merdg_cooccurrence0'):
        cooccurrence_table(dict(fusion=r(.9, .5, .6, 1.0), fusion_cooccurrence0=r(.7, .6, .6, 0),
                                merdg=r(.85, .55, .6, 1.0)))
