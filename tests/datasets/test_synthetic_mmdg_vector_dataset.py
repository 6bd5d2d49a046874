"""SyntheticMMDGVectorDataset: the clip benchmark's world rendered as vectors."""
import numpy as np
import pytest

from mmaction_merdg.datasets import SyntheticMMDGDataset, SyntheticMMDGVectorDataset

SRC = ['source0', 'source1']
KW = dict(domains=SRC, split='train', samples_per_domain=64, cooccurrence=0.5,
          cooccurrence_form='split', target_rule='own')


def test_same_generative_draws_as_the_clip_dataset():
    """Labels, shown classes, tokens and 'split' rules are the clip dataset's.

    (The 'xor' source codes are drawn after the rendering parts, which differ
    between the variants, to keep the clip benchmark's earlier worlds.)"""
    vec = SyntheticMMDGVectorDataset(**KW)
    clip = SyntheticMMDGDataset(rgb_shape=(8, 16, 16), audio_shape=(16, 16), **KW)
    assert vec.data_list == clip.data_list
    for d in SRC + ['target']:
        for m in vec.modalities:
            np.testing.assert_array_equal(vec.split_rules[d][m], clip.split_rules[d][m])


def test_shapes_determinism_and_cache():
    ds = SyntheticMMDGVectorDataset(vector_dims=dict(audios=8), **KW)
    out = ds.render(ds.get_data_info(5))
    assert {m: v.shape for m, v in out.items()} == dict(imgs=(1, 32), flow_imgs=(1, 32),
                                                          audios=(1, 8))
    again = SyntheticMMDGVectorDataset(vector_dims=dict(audios=8), **KW)
    for m, v in again.render(again.get_data_info(5)).items():
        np.testing.assert_array_equal(v, out[m])
    out['imgs'][:] = 0  # callers get copies: the cache is not corrupted
    assert np.abs(ds.render(ds.get_data_info(5))['imgs']).sum() > 0


def test_tokens_are_orthogonal_unit_rms_directions():
    ds = SyntheticMMDGVectorDataset(**KW)
    tok = ds.tokens['imgs']  # [4, 32]
    assert tok.shape == (4, 32)
    np.testing.assert_allclose(np.sqrt((tok**2).mean(1)), 1.0, rtol=1e-5)
    bit0 = tok[1] - tok[0]  # flips bit 0 only
    bit1 = tok[2] - tok[0]  # flips bit 1 only
    assert abs(bit0 @ bit1) < 1e-4
    half = SyntheticMMDGVectorDataset(token_extent=0.5, **KW)
    assert np.all(half.tokens['imgs'][:, 16:] == 0) and np.any(half.tokens['imgs'][:, :16])


@pytest.mark.parametrize('dims,match', [(dict(depth=8), 'unknown modalities'),
                                        (dict(imgs=2), '>= 4')])
def test_bad_vector_dims(dims, match):
    with pytest.raises(ValueError, match=match):
        SyntheticMMDGVectorDataset(vector_dims=dims, **KW)


def test_num_views_renders_noisy_views_of_the_cached_sample():
    one = SyntheticMMDGVectorDataset(**KW)
    two = SyntheticMMDGVectorDataset(num_views=2, **KW)
    a, b = one.render(one.get_data_info(9)), two.render(two.get_data_info(9))
    for m in a:
        assert b[m].shape == (2, 32)
        np.testing.assert_array_equal(b[m][:1], a[m])  # view 1: the single view
        assert not np.array_equal(b[m][0], b[m][1])
    np.testing.assert_array_equal(two.render(two.get_data_info(9))['imgs'], b['imgs'])
