"""Method fragments state the official defaults, which are also the classes' defaults
(how a fragment is applied: tests/methods/test_contract.py)."""
import inspect
import os.path as osp

import pytest
from mmengine.config import Config

from mmaction.registry import HOOKS, MODELS

from ..conftest import REPO

FRAGMENTS = dict(merdg='mer_regularizer', simmmdg='simmmdg_regularizer',
                 rnanet='rna_regularizer', cmrf='cmrf_regularizer',
                 moosa='moosa_regularizer', mbcd='mbcd_regularizer', nel='nel_regularizer',
                 jat='jat_regularizer', gmp='gmp_regularizer')


@pytest.mark.parametrize('method', sorted(FRAGMENTS))
def test_fragment_equals_class_defaults(method):
    cfg = Config.fromfile(osp.join(REPO, 'configs', '_base_', 'methods', f'{method}.py'))
    reg = dict(cfg[FRAGMENTS[method]])
    cls = MODELS.get(reg.pop('type'))
    defaults = {k: p.default for k, p in inspect.signature(cls).parameters.items()
                if p.default is not inspect.Parameter.empty}
    for key, value in reg.items():
        assert key in defaults, key
        if isinstance(value, dict) and isinstance(defaults[key], dict):
            # The fragment may spell out more keys than the class default.
            assert {k: value.get(k) for k in defaults[key]} == defaults[key], key
        elif defaults[key] is not None:
            assert value == defaults[key], key


def test_official_hyperparameters():
    methods = osp.join(REPO, 'configs', '_base_', 'methods')
    sim = Config.fromfile(osp.join(methods, 'simmmdg.py')).simmmdg_regularizer
    assert (sim.temperature, sim.base_temperature, sim.contrast_weight, sim.distance_weight,
            sim.translation_weight) == (0.1, 0.07, 3.0, 0.7, 0.1)
    cmrf = Config.fromfile(osp.join(methods, 'cmrf.py'))
    r = cmrf.cmrf_regularizer
    assert (r.mix_alpha, r.distill_weight, r.unimodal_weight, r.contrast_weight) == \
        (0.1, 3.0, 2.0, 3.0)
    hook = cmrf.cmrf_hooks[0]
    assert hook.begin_iter == 400 and hook.ema_type == 'StochasticWeightAverage'
    assert HOOKS.get(hook.type) is not None
    assert Config.fromfile(osp.join(methods, 'rnanet.py')).rna_regularizer.loss_weight == 1.0
    mer = Config.fromfile(osp.join(methods, 'merdg.py')).mer_regularizer
    assert mer.loss.loss_weight == 3.0 and mer.projector.out_channels == 128
    jat = Config.fromfile(osp.join(methods, 'jat.py')).jat_regularizer
    assert (jat.modality_reverse, jat.domain_reverse, jat.unimodal_weight, jat.modality_weight,
            jat.local_domain_weight, jat.global_domain_weight, jat.temperature,
            jat.project_channels, jat.global_hidden_channels) == \
        (0.1, 0.3, 3.0, 0.1, 0.5, 0.5, 1.0, 512, 512)
    gmp = Config.fromfile(osp.join(methods, 'gmp.py')).gmp_regularizer
    assert (gmp.domain_reverse, gmp.unimodal_weight, gmp.domain_weight, gmp.semantic_alpha,
            gmp.domain_alpha, gmp.project_channels, gmp.train_discriminator) == \
        (0.3, 3.0, 0.5, 0.5, 0.5, 512, False)
    nel = Config.fromfile(osp.join(methods, 'nel.py'))
    r = nel.nel_regularizer
    assert (r.temperature, r.base_temperature, r.unc_temperature, r.k, r.alpha, r.nee_weight,
            r.projector.hidden_channels) == (0.1, 0.07, 0.25, 8, 0.7, 1 / 16, 2048)
    assert nel.nel_model == dict(train_cfg=dict(views_as_samples=True))
