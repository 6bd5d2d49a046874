"""PackMultiModalInputs: the sample's `modalities` decide what is packed."""
import numpy as np
import pytest
import torch

from mmaction.datasets.transforms import PackActionInputs
from mmaction_merdg.datasets import SyntheticMMDGDataset
from mmaction_merdg.datasets.transforms import PackMultiModalInputs


def sample(modalities, extra=()):
    rng = np.random.RandomState(0)
    shapes = dict(imgs=(1, 3, 4, 8, 8), flow_imgs=(1, 2, 2, 8, 8), audios=(1, 1, 16, 16))
    results = {m: rng.randn(*shapes[m]).astype('f4') for m in tuple(modalities) + tuple(extra)}
    results.update(modalities=modalities, label=2, domain='D1')
    return results


@pytest.mark.parametrize('modalities', [('imgs', 'audios'), ('flow_imgs', ),
                                        ('imgs', 'flow_imgs', 'audios')])
def test_packs_exactly_the_sample_modalities_like_pack_action_inputs(modalities):
    # A decoded key the subset does not name (here audio) is not packed.
    packed = PackMultiModalInputs()(sample(modalities, extra=('audios', )))
    reference = PackActionInputs(collect_keys=modalities, algorithm_keys=('domain', ))(
        sample(modalities, extra=('audios', )))
    assert list(packed['inputs']) == list(modalities)
    for m in modalities:
        assert torch.equal(packed['inputs'][m], reference['inputs'][m])
    assert packed['data_samples'].domain == 'D1'
    assert int(packed['data_samples'].gt_label) == 2


def test_canonical_order_and_errors():
    packed = PackMultiModalInputs()(sample(('audios', 'imgs')))
    assert list(packed['inputs']) == ['imgs', 'audios']
    results = sample(('imgs', ))
    del results['modalities']
    with pytest.raises(KeyError, match='no `modalities` field'):
        PackMultiModalInputs()(results)
    results = sample(('imgs', ))
    results['modalities'] = ('imgs', 'audios')
    with pytest.raises(KeyError, match=r"\['audios'\] were not produced"):
        PackMultiModalInputs()(results)
    with pytest.raises(ValueError, match='Unknown modalities'):
        PackMultiModalInputs()(dict(sample(('imgs', )), modalities=('depth', )))


def test_synthetic_dataset_subset_drives_packing():
    ds = SyntheticMMDGDataset(domains=['source0'], samples_per_domain=2, modalities=('flow_imgs', 'audios'),
                              rgb_shape=(4, 8, 8), audio_shape=(8, 8),
                              pipeline=[dict(type='PackMultiModalInputs')])
    assert list(ds[0]['inputs']) == ['flow_imgs', 'audios']
