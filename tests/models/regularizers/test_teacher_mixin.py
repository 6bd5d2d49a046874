"""The averaged teacher of CMRF and MBCD (TeacherMixin): queried in eval mode, as the
official code puts its averaged copies in .eval() before the forward."""
import copy
from types import SimpleNamespace

import pytest
import torch

from mmaction_merdg.models.regularizers import CMRFRegularizer, MBCDRegularizer
from mmaction_merdg.models.regularizers.teacher_mixin import TeacherMixin

from .test_composition import _batch, _build, _cfg


def _with_teacher(name, key):
    model = _build(_cfg(name))
    teacher = copy.deepcopy(model)
    averaged = SimpleNamespace(module=teacher, steps=torch.tensor(1))
    model.regularizers[key].set_teacher(averaged, teacher.regularizers[key])
    return model, teacher


def test_cmrf_queries_its_teacher_in_eval_mode_and_restores_the_mode():
    model, teacher = _with_teacher('cmrf_synthetic_vector.py', 'cmrf')
    reg = model.regularizers.cmrf
    assert isinstance(reg, TeacherMixin) and reg.uses_teacher and reg.teacher_active
    modes = []
    teacher.regularizers.cmrf.projectors.imgs.register_forward_pre_hook(
        lambda mod, _: modes.append(mod.training))
    teacher.train()
    inputs, samples = _batch()
    got = reg.teacher_projections(inputs)
    assert modes == [False] and teacher.training  # eval while queried, train again after
    teacher.eval()  # the reference: the averaged copies in .eval(), no gradient
    with torch.no_grad():
        feats = teacher.extract_feat(inputs)
        ref = {m: teacher.regularizers.cmrf.projectors[m](feats[m]) for m in feats}
    teacher.train()
    for m in ref:
        torch.testing.assert_close(got[m], ref[m])
        assert not got[m].requires_grad
    # in train mode BatchNorm would use the batch's statistics: a different value
    with torch.no_grad():
        feats = teacher.extract_feat(inputs)
        batch_stats = teacher.regularizers.cmrf.projectors['imgs'](feats['imgs'])
    assert not torch.allclose(batch_stats, ref['imgs'])
    losses = model(inputs, samples, mode='loss')
    assert losses['cmrf/teacher_active'] == 1 and losses['loss_distill'] > 0


def test_mbcd_uses_the_same_mixin_and_the_errors_name_the_hook():
    model, teacher = _with_teacher('mbcd_synthetic_vector.py', 'mbcd')
    reg = model.regularizers.mbcd
    assert isinstance(reg, TeacherMixin) and isinstance(reg, MBCDRegularizer)
    teacher.train()
    probs = reg.teacher_probs(_batch()[0])
    assert teacher.training and torch.allclose(probs.sum(1), torch.ones(16))
    for cls, key in ((CMRFRegularizer, 'cmrf'), (MBCDRegularizer, 'mbcd')):
        bare = cls(feat_dims=dict(imgs=8, audios=8), num_classes=3).train()
        assert not bare.teacher_active
        with pytest.raises(RuntimeError, match=f'{cls.__name__} needs its averaged teacher: '
                                               r"add custom_hooks=\[dict\(type='AveragedTeacherHook'"):
            bare.check_teacher()
