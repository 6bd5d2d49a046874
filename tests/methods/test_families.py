"""The dataset families: each declared once, its config exists and is what the spec says."""
import os.path as osp

import pytest
from mmengine.config import Config

from mmaction_merdg.apis import iter_loader_datasets
from mmaction_merdg.methods import FAMILIES, family_of_dataset, get_family, subset_name
from mmaction_merdg.modalities import MODALITIES

from ..conftest import REPO


@pytest.mark.parametrize('name', list(FAMILIES))
def test_family_config_holds_the_canonical_shift_and_modalities(name):
    fam = FAMILIES[name]
    cfg = Config.fromfile(osp.join(REPO, 'configs', fam.config))
    sources, targets = (list(d) for d in fam.canonical_shift)
    assert cfg.val_evaluator.type == 'DomainAccMetric'
    assert (cfg.val_evaluator.source_domains, cfg.val_evaluator.target_domains) == (
        sources, targets)
    assert list(cfg.train_dataloader.dataset.domains) == sources
    assert list(cfg.test_dataloader.dataset.domains) == targets
    assert tuple(cfg.model.backbones) == fam.modalities
    for ds in iter_loader_datasets(cfg):
        assert ds.type == fam.dataset_type and tuple(ds.modalities) == fam.modalities
    # The family config is Fusion: no method, no MER-DG.
    assert not cfg.model.get('regularizers')
    assert family_of_dataset(fam.dataset_type) is fam


def test_shifts_are_disjoint_and_named():
    for fam in FAMILIES.values():
        for sources, targets in fam.shifts:
            assert set(sources) | set(targets) <= set(fam.domains)
            assert not set(sources) & set(targets) and sources and targets
        assert len(set(fam.shift_names)) == len(fam.shifts)
        assert all(set(s) <= set(MODALITIES) and len(s) >= 2 for s in fam.modality_subsets)
    epic = FAMILIES['epic_kitchens']
    assert epic.shift_names == ('d1d2-to-d3', 'd2d3-to-d1', 'd1d3-to-d2')
    assert FAMILIES['hac'].shift_name(['human'], ['animal', 'cartoon']) == \
        'human-to-animal-cartoon'
    assert epic.subset_names == ('rgb-flow-audio', 'rgb-flow', 'rgb-audio', 'flow-audio')
    assert FAMILIES['synthetic'].subset_names == ('rgb-flow-audio', )
    assert subset_name(('flow_imgs', 'audios')) == 'flow-audio'


def test_unknown_family_names_the_valid_ones():
    with pytest.raises(ValueError, match=r"unknown dataset family 'epic'.*'epic_kitchens'"):
        get_family('epic')
    assert family_of_dataset('VideoDataset') is None
