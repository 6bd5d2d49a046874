"""Search spaces of the registry: valid, drawable, and every key a setting of the method's config."""
import pytest

from mmaction_merdg.apis import grid
from mmaction_merdg.methods import (MERDG, METHODS, Choice, LogUniform, Uniform, sample_trial,
                                    validate_space)

from ..conftest import REPO


@pytest.mark.parametrize('name', list(METHODS))
def test_every_key_of_every_space_is_a_setting_of_its_config(name):
    spec = METHODS[name]
    assert spec.search_space, f'{name} has no search space'
    validate_space(name, spec.search_space)
    assert sample_trial(name, spec.search_space, 0) == {}  # trial 0 = the defaults
    params = grid.trial_params(name, True, 1)
    assert set(params) == set(spec.search_space) | set(MERDG.search_space)
    cell = grid.Cell('synthetic_vector', 'source0-source1-to-target', 'rgb-flow-audio', name,
                     True, 0, trial=1)
    cfg, _ = grid.cell_config(REPO, cell, params)  # raises on a key the config lacks
    lr = cfg.optim_wrapper.optimizer.lr
    assert lr == params['optim_wrapper.optimizer.lr'] and 3e-5 <= lr <= 3e-3


def test_weights_range_a_decade_around_their_defaults():
    space = METHODS['simmmdg'].search_space
    assert space['model.regularizers.simmmdg.contrast_weight'] == LogUniform(0.3, 30.0)
    assert MERDG.search_space[grid.MER_WEIGHT] == LogUniform(0.1, 30.0)


@pytest.mark.parametrize('space,err,match', [
    ({'a.b': Choice(())}, ValueError, 'no values'),
    ({'a.b': LogUniform(0.0, 1.0)}, ValueError, 'low'),
    ({'a.b': Uniform(2.0, 1.0)}, ValueError, 'low <= high'),
    ({'a.b': LogUniform(1.0, float('inf'))}, ValueError, 'non-finite'),
    ({'a.b': 0.5}, TypeError, 'expected a LogUniform'),
    ({'a..b': Uniform(0, 1)}, TypeError, 'dotted'),
])
def test_empty_or_malformed_distributions_are_errors_naming_them(space, err, match):
    with pytest.raises(err, match=match):
        validate_space('m', space)
    with pytest.raises(err, match=match):
        sample_trial('m', space, 1)


def test_unknown_keys_are_errors_and_draws_are_seeded():
    space = {'x.lr': LogUniform(1e-4, 1e-2), 'x.w': Uniform(0, 1)}
    with pytest.raises(ValueError, match="unknown keys \\['x.nope'\\]"):
        sample_trial('m', space, 1, keys=['x.nope'])
    a, b = sample_trial('m', space, 3), sample_trial('m', space, 3)
    assert a == b and sample_trial('m', space, 3, keys=['x.w']) == {'x.w': a['x.w']}
