"""The quick start's 2 x 2 table: both methods at both co-occurrence settings."""
import pytest

from mmaction_merdg.apis import cooccurrence_table


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
