"""SyntheticMMDGDataset: determinism, shapes, the co-occurrence knob, errors."""
import numpy as np
import pytest
from scipy.stats import chi2_contingency

from mmaction_merdg.datasets import SyntheticMMDGDataset

SRC = ['source0', 'source1']


def make(**kw):
    args = dict(domains=SRC, split='train', samples_per_domain=64, rgb_shape=(8, 16, 16),
                audio_shape=(32, 32))
    args.update(kw)
    return SyntheticMMDGDataset(**args)


def token_diffs(ds, m='audios', first='imgs'):
    """n_m XOR n_first per sample: the quantity the rule ties to the label."""
    return np.array([info['tokens'][m] ^ info['tokens'][first] for info in ds.data_list])


def test_deterministic_and_split_specific():
    a, b = make(), make()
    assert a.data_list == b.data_list
    for i in (0, 17, 100):
        ra, rb = a.render(a.get_data_info(i)), b.render(b.get_data_info(i))
        for m in ra:
            np.testing.assert_array_equal(ra[m], rb[m])
    val = make(split='val')
    first_val = val.render(val.get_data_info(0))['imgs']
    assert [d['label'] for d in val.data_list] != [d['label'] for d in a.data_list] or \
        not np.array_equal(first_val, a.render(a.get_data_info(0))['imgs'])
    other_world = make(seed=1)
    assert not np.array_equal(other_world.templates['imgs'], a.templates['imgs'])


@pytest.mark.parametrize('modalities', [('imgs', 'audios'), ('imgs', 'flow_imgs'),
                                        ('flow_imgs', 'audios'), ('imgs', 'flow_imgs', 'audios')])
def test_shapes_per_modality(modalities):
    ds = make(modalities=modalities)
    out = ds.render(ds.get_data_info(0))
    expected = dict(imgs=(1, 3, 8, 16, 16), flow_imgs=(1, 2, 4, 16, 16), audios=(1, 1, 32, 32))
    assert {m: out[m].shape for m in out} == {m: expected[m] for m in modalities}
    assert all(out[m].dtype == np.float32 for m in out)


def test_pipeline_packs_inputs_and_domain():
    pack = dict(type='PackActionInputs', collect_keys=('imgs', 'audios'),
                algorithm_keys=('domain', ))
    ds = make(modalities=('imgs', 'audios'), pipeline=[pack])
    item = ds[3]
    assert set(item['inputs']) == {'imgs', 'audios'}
    assert item['data_samples'].domain in SRC
    assert int(item['data_samples'].gt_label) == ds.get_data_info(3)['label']
    assert ds.get_domain_labels() == [d['domain'] for d in ds.data_list]


def test_classes_balanced_and_modalities_informative_but_imperfect():
    ds = make(samples_per_domain=400, reliability=0.6)
    labels = np.array([d['label'] for d in ds.data_list])
    assert np.bincount(labels).tolist() == [200] * 4
    for m in ('imgs', 'flow_imgs', 'audios'):
        shown = np.array([d['shown_class'][m] for d in ds.data_list])
        acc = (shown == labels).mean()
        assert 0.55 < acc < 0.65  # informative (chance 0.25) but imperfect


def test_full_cooccurrence_rule_in_sources_only():
    ds = make(cooccurrence=1.0, samples_per_domain=200)
    labels = np.array([d['label'] for d in ds.data_list])
    doms = np.array([d['domain'] for d in ds.data_list])
    for dom in SRC:
        diff = token_diffs(ds)[doms == dom]
        lab = labels[doms == dom]
        # The pair determines the label within a domain...
        for v in np.unique(diff):
            assert len(np.unique(lab[diff == v])) == 1
        # ...while each token alone is label-free (uniform given the label).
        tok = np.array([d['tokens']['audios'] for d in ds.data_list])[doms == dom]
        assert chi2_contingency(np.histogram2d(tok, lab, bins=[4, 4])[0])[1] > 0.001
    # The rules differ between the two source domains.
    assert not all(np.array_equal(ds.rules['source0'][m], ds.rules['source1'][m])
                   for m in ('flow_imgs', 'audios'))
    target = make(domains=['target'], split='test', cooccurrence=1.0, samples_per_domain=400)
    assert not any(d['follows_rule'] for d in target.data_list)
    t_lab = np.array([d['label'] for d in target.data_list])
    p = chi2_contingency(np.histogram2d(token_diffs(target), t_lab, bins=[4, 4])[0])[1]
    assert p > 0.01


def test_rule_anchors_on_first_configured_modality():
    """Without RGB the flow/audio pair alone must determine the label."""
    ds = make(modalities=('flow_imgs', 'audios'), cooccurrence=1.0, samples_per_domain=200)
    labels = np.array([d['label'] for d in ds.data_list])
    doms = np.array([d['domain'] for d in ds.data_list])
    diff = token_diffs(ds, 'audios', first='flow_imgs')
    for dom in SRC:
        for v in np.unique(diff[doms == dom]):
            assert len(np.unique(labels[(doms == dom) & (diff == v)])) == 1


def test_zero_cooccurrence_pairing_independent_of_label():
    ds = make(cooccurrence=0.0, samples_per_domain=1000)
    labels = np.array([d['label'] for d in ds.data_list])
    for m in ('flow_imgs', 'audios'):
        table = np.histogram2d(token_diffs(ds, m), labels, bins=[4, 4])[0]
        assert chi2_contingency(table)[1] > 0.01
    assert not any(d['follows_rule'] for d in ds.data_list)
    # The domain shift remains: the two sources' RGB styles differ.
    assert not np.allclose(ds.styles['source0']['imgs']['offset'],
                           ds.styles['source1']['imgs']['offset'])


def test_partial_cooccurrence_fraction():
    ds = make(cooccurrence=0.5, samples_per_domain=1000)
    frac = np.mean([d['follows_rule'] for d in ds.data_list])
    assert 0.46 < frac < 0.54


@pytest.mark.parametrize('kw,match', [
    (dict(domains=['kitchen9']), 'unknown domains'),
    (dict(source_domains=['nope']), 'unknown domains'),
    (dict(split='dev'), 'split'),
    (dict(modalities=('depth', )), 'modalities'),
    (dict(cooccurrence=1.5), r'cooccurrence must lie in \[0, 1\]'),
    (dict(reliability=-0.1), 'reliability'),
    (dict(num_classes=1), 'num_classes'),
    (dict(rgb_shape=(8, 4, 4)), 'rgb_shape'),
])
def test_bad_arguments(kw, match):
    with pytest.raises(ValueError, match=match):
        make(**kw)


def test_token_bits_are_global_and_linearly_readable():
    """Each bit of a token flips the sign of one global pattern (pooled mean)."""
    ds = make()
    assert ds.token_bits == 2
    for m in ('imgs', 'flow_imgs'):
        tok = ds.tokens[m]  # [4, C, T, H, W]
        pooled = tok.reshape(4, tok.shape[1], -1).mean(-1)  # global average pool
        assert np.allclose(tok, pooled[:, :, None, None, None] * np.ones_like(tok[:1]))
        for b in range(2):  # a linear read-out of each bit exists
            sign = np.array([1 if (t >> b) & 1 else -1 for t in range(4)])
            basis = pooled[sign > 0].mean(0) - pooled[sign < 0].mean(0)
            assert np.all(np.sign(pooled @ basis) == sign)
    assert np.allclose(ds.tokens['audios'].sum(0), 0)  # signs cancel: label-free mean
