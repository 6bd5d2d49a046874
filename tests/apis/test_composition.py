"""compose_experiment / parse_shift: every shift x subset x method x +-MER-DG of every family
composes (cheap, no model build), the pieces land where they must, and bad input fails
before anything is built, naming the value and the valid choices."""
import itertools

import pytest

from mmaction.registry import DATASETS
from mmaction_merdg.apis import compose_experiment, iter_loader_datasets, parse_shift
from mmaction_merdg.apis.composition import (apply_modalities, apply_shift, parse_modalities,
                                             set_config_path)
from mmaction_merdg.methods import FAMILIES, METHODS


def all_shifts(domains):
    """Every (sources, targets): non-empty, disjoint subsets, in the family's domain order."""
    subsets = [list(c) for r in range(1, len(domains)) for c in
               itertools.combinations(domains, r)]
    return [(s, t) for s in subsets for t in subsets if not set(s) & set(t)]


def check_shift(cfg, sources, targets):
    train = list(iter_loader_datasets(cfg, loaders=('train_dataloader', )))
    val_src, val_tgt = cfg.val_dataloader.dataset.datasets
    test = list(iter_loader_datasets(cfg, loaders=('test_dataloader', )))
    assert [list(d.domains) for d in train] == [sources]
    assert (list(val_src.domains), list(val_tgt.domains)) == (sources, targets)
    assert [list(d.domains) for d in test] == [targets]
    for ev in (cfg.val_evaluator, cfg.test_evaluator):
        assert (ev.source_domains, ev.target_domains) == (sources, targets)
    for reg in (cfg.model.get('regularizers') or {}).values():
        if reg and 'domains' in reg:
            assert reg['domains'] == sources


@pytest.mark.parametrize('family', list(FAMILIES))
def test_every_shift_subset_method_and_mer_composes(family):
    fam = FAMILIES[family]
    shifts = all_shifts(fam.domains)
    n = 0
    for (sources, targets), subset, method, mer in itertools.product(
            shifts, fam.modality_subsets, METHODS, (False, True)):
        cfg = compose_experiment(family, method, mer, sources, targets, subset)
        check_shift(cfg, sources, targets)
        assert tuple(cfg.model.backbones) == subset
        assert all(tuple(d.modalities) == subset for d in iter_loader_datasets(cfg))
        assert ('mer' in (cfg.model.get('regularizers') or {})) == mer
        n += 1
    assert n == len(shifts) * len(fam.modality_subsets) * len(METHODS) * 2
    # 3 domains: 12 shifts, 9 of them single-source.
    assert len(shifts) == 12 and sum(len(s) == 1 for s, _ in shifts) == 9


def test_defaults_are_the_canonical_shift_and_targets_follow_sources():
    cfg = compose_experiment('epic_kitchens')
    check_shift(cfg, ['D1', 'D2'], ['D3'])
    check_shift(compose_experiment('epic_kitchens', 'jat', sources=['D2']), ['D2'], ['D1', 'D3'])
    check_shift(compose_experiment('hac', targets=['human']), ['animal', 'cartoon'], ['human'])


def test_single_source_real_annotations(real_fixtures):
    """D1 -> D2 + D3 and human -> animal + cartoon on the real annotation files."""
    import os.path as osp
    for family, sources, targets, ann, lengths in (
            ('epic_kitchens', ['D1'], ['D2', 'D3'], 'mm_sada_epic',
             (1543, 435, 750 + 974, 750 + 974)),
            ('hac', ['human'], ['animal', 'cartoon'], 'simmmdg_hac',
             (1111, 276, 730 + 176 + 870 + 218, 730 + 176 + 870 + 218))):
        cfg = compose_experiment(family, 'gmp', True, sources, targets, 'rgb,audio')
        datasets = list(iter_loader_datasets(cfg))
        # The test set is the target validation set (its pipeline starts with the
        # step that turns a bare video path into a sample, dataset samples pass it).
        test, val = dict(datasets[3]), dict(datasets[2])
        test_steps, val_steps = test.pop('pipeline'), val.pop('pipeline')
        assert test == val
        assert [s for s in test_steps if s['type'] != 'VideoFileSample'] == val_steps
        built = [DATASETS.build(dict(ds, ann_root=osp.join(real_fixtures, ann), pipeline=[]))
                 for ds in datasets[:3]]
        assert tuple(len(ds) for ds in built) == lengths[:3]
        assert set(built[0].get_domain_labels()) == set(sources)
        assert cfg.model.regularizers.gmp.domains == sources


def test_parse_shift():
    assert parse_shift('D1,D2:D3') == (['D1', 'D2'], ['D3'])
    assert parse_shift(' D1 : D2 , D3 ') == (['D1'], ['D2', 'D3'])
    for bad, match in (('D1,D2', 'SOURCES:TARGETS'), ('D1:D2:D3', 'SOURCES:TARGETS'),
                       (':D3', 'no source'), ('D1,D2:', 'no target'),
                       ('D1,D2:D2', r"\['D2'\] are both source and target"),
                       ('D1,D1:D2', 'listed twice')):
        with pytest.raises(ValueError, match=match):
            parse_shift(bad)


def test_parse_modalities():
    assert parse_modalities('audio,rgb') == ('imgs', 'audios')
    assert parse_modalities(['flow_imgs', 'imgs']) == ('imgs', 'flow_imgs')
    with pytest.raises(ValueError, match=r"unknown \['depth'\].*'rgb', 'flow', 'audio'"):
        parse_modalities('rgb,depth')
    with pytest.raises(ValueError, match='given twice'):
        parse_modalities('rgb,imgs')
    with pytest.raises(ValueError, match=r"epic_kitchens runs the subsets \['rgb-flow-audio'"):
        parse_modalities('rgb', FAMILIES['epic_kitchens'])


@pytest.mark.parametrize('kwargs,match', [
    (dict(family='epic'), r"unknown dataset family 'epic'; valid families: \['synthetic'"),
    (dict(family='hac', method='erm'), r"unknown method 'erm'; valid methods: \['fusion'"),
    (dict(family='epic_kitchens', sources=['D4']),
     r"unknown domains \['D4'\]; epic_kitchens has domains \['D1', 'D2', 'D3'\]"),
    (dict(family='epic_kitchens', sources=[], targets=['D3']), 'no source domain'),
    (dict(family='epic_kitchens', sources=['D1', 'D2', 'D3']), 'no target domain'),
    (dict(family='hac', sources=['human'], targets=['human', 'cartoon']),
     r"\['human'\] are both source and target"),
    (dict(family='synthetic_vector', modalities='rgb'), 'runs the subsets'),
    (dict(family='synthetic', modalities='rgb,sound'), r"unknown \['sound'\]"),
])
def test_bad_input_names_value_and_choices(kwargs, match):
    with pytest.raises(ValueError, match=match):
        compose_experiment(**kwargs)


def test_shift_and_subset_apply_to_a_method_config_and_cfg_options_come_last():
    cfg = compose_experiment('synthetic', 'jat', True, cfg_options={
        'model.regularizers.mer.loss.loss_weight': 1.0, 'train_dataloader.batch_size': 8})
    assert cfg.model.regularizers.mer.loss.loss_weight == 1.0
    assert cfg.train_dataloader.batch_size == 8
    apply_shift(cfg, ['source1'], ['target'])
    check_shift(cfg, ['source1'], ['target'])
    # The synthetic world stays the same world: only which of its domains are used changes.
    assert all(d.source_domains == ['source0', 'source1'] for d in iter_loader_datasets(cfg))
    apply_modalities(cfg, 'flow,audio')
    assert tuple(cfg.model.backbones) == ('flow_imgs', 'audios')
    assert tuple(cfg.model.get('feat_dims') or cfg.model.backbones) == ('flow_imgs', 'audios')
    with pytest.raises(ValueError, match=r"no backbone for \['imgs'\]"):
        apply_modalities(cfg, 'rgb,audio')
    with pytest.raises(ValueError, match=r"unknown domains \['D1'\]; synthetic has domains"):
        apply_shift(cfg, ['D1'], ['target'])


def test_set_config_path():
    cfg = dict(a=dict(b=[dict(c=1), dict(c=2)]))
    set_config_path(cfg, 'a.b.-1.c', 5)
    set_config_path(cfg, 'a.b.0.d', 6)  # the last part may be new
    assert cfg == dict(a=dict(b=[dict(c=1, d=6), dict(c=5)]))
    with pytest.raises(ValueError, match=r"no 'x' under a"):
        set_config_path(cfg, 'a.x.y', 1)
    with pytest.raises(ValueError, match='no index of a list of 2'):
        set_config_path(cfg, 'a.b.7.c', 1)


def test_composed_config_dumps_to_a_standalone_leaf(tmp_path):
    from mmengine.config import Config
    cfg = compose_experiment('hac', 'nel', True, ['human'], ['cartoon'], 'rgb,flow')
    path = str(tmp_path / 'leaf.py')
    cfg.dump(path)
    text = open(path).read()
    assert '_base_' not in text
    back = Config.fromfile(path)
    assert back.model.to_dict() == cfg.model.to_dict()
    assert back.train_dataloader.to_dict() == cfg.train_dataloader.to_dict()
    check_shift(back, ['human'], ['cartoon'])


def test_subset_narrows_the_video_file_step_of_the_test_pipeline():
    # inference_recognizer(model, 'clip.mp4') runs cfg.test_pipeline: its
    # VideoFileSample must make a sample of the subset's modalities only.
    cfg = compose_experiment('hac', 'fusion', mer=True, modalities='rgb,audio')
    for pipeline in (cfg.test_pipeline, cfg.test_dataloader.dataset.pipeline):
        steps = [s for s in pipeline if s['type'] == 'VideoFileSample']
        assert len(steps) == 1 and tuple(steps[0]['modalities']) == ('imgs', 'audios')
    full = compose_experiment('hac', 'fusion', mer=True)
    assert tuple(full.test_pipeline[0]['modalities']) == ('imgs', 'flow_imgs', 'audios')
