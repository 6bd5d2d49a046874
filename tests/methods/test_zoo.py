"""The method registry: each method declared once, its fragment and classes exist, and every
regularizer the plugin registers belongs to a registered method."""
import os.path as osp

import pytest
from mmengine.config import Config

from mmaction.registry import MODELS
from mmaction_merdg.methods import (MERDG, METHODS, Default, LogUniform, MethodSpec,
                                    get_method, register_method)
from mmaction_merdg.models.regularizers import BaseRegularizer

from ..conftest import REPO

SPECS = list(METHODS.values()) + [MERDG]


def _fragment(spec):
    return Config.fromfile(osp.join(REPO, 'configs', '_base_', 'methods', f'{spec.fragment}.py'))


def test_names_titles_and_keys_are_unique():
    for attr in ('name', 'title', 'regularizer_key'):
        values = [getattr(s, attr) for s in SPECS if getattr(s, attr)]
        assert len(values) == len(set(values)), attr
    assert list(METHODS)[0] == 'fusion' and METHODS['fusion'].fragment is None
    assert all(name == spec.name and name == name.lower() for name, spec in METHODS.items())


@pytest.mark.parametrize('spec', [s for s in SPECS if s.fragment], ids=lambda s: s.name)
def test_fragment_defines_what_the_spec_names(spec):
    frag = _fragment(spec)
    reg = frag[spec.regularizer_var]
    cls = MODELS.get(reg['type'])
    assert cls is not None and issubclass(cls, BaseRegularizer), reg['type']
    if spec.model_var:
        assert isinstance(frag[spec.model_var], dict)
        if 'type' in frag[spec.model_var]:
            assert MODELS.get(frag[spec.model_var]['type']) is not None
    if spec.hooks_var:
        assert isinstance(frag[spec.hooks_var], list) and frag[spec.hooks_var]
    # A teacher is a hook; domain labels are the regularizer's `domains`.
    assert spec.needs_teacher == bool(spec.hooks_var)
    assert spec.needs_domains == ('domains' in cls.__init__.__code__.co_varnames)


def test_every_registered_regularizer_is_a_registered_method():
    registered = {s.name: MODELS.get(_fragment(s)[s.regularizer_var]['type'])
                  for s in SPECS if s.fragment}
    plugin = {cls for cls in MODELS.module_dict.values()
              if isinstance(cls, type) and issubclass(cls, BaseRegularizer)
              and cls is not BaseRegularizer and cls.__module__.startswith('mmaction_merdg')}
    assert plugin <= set(registered.values()), plugin - set(registered.values())


def test_get_method_names_the_valid_choices():
    assert get_method('jat').needs_domains
    with pytest.raises(ValueError, match=r"unknown method 'erm2'.*'fusion'.*'gmp'"):
        get_method('erm2')
    with pytest.raises(KeyError, match='already registered'):
        register_method(MethodSpec(name='fusion', title='again'))


def test_defaults_cite_a_source_and_family_entries_override_star():
    spec = MethodSpec(name='x', title='X', defaults={
        '*': {'a': Default(1, 'paper'), 'b': Default(2, 'paper')},
        'hac': {'b': Default(3, 'code')}})
    assert {k: d.value for k, d in spec.defaults_for('hac').items()} == {'a': 1, 'b': 3}
    assert {k: d.value for k, d in spec.defaults_for('epic_kitchens').items()} == {'a': 1, 'b': 2}
    for s in SPECS:
        for family, values in s.defaults.items():
            for path, default in values.items():
                assert isinstance(default, Default) and default.source.strip(), (s.name, path)
    assert isinstance(MERDG.search_space['model.regularizers.mer.loss.loss_weight'], LogUniform)


def test_requirements_are_readable():
    assert METHODS['nel'].requirements == ('2 views per training sample', )
    assert METHODS['mbcd'].requirements == ('an averaged teacher', )
    assert METHODS['gmp'].requirements == ('domain labels', )
    assert METHODS['fusion'].requirements == ()
