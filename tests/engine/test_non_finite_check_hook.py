"""NonFiniteCheckHook: a NaN/Inf loss term or gradient norm stops training."""
from types import SimpleNamespace

import pytest
from mmengine.logging import MessageHub

from mmaction_merdg.engine.hooks.non_finite_check_hook import NonFiniteCheckHook

from .fault_injection import train_tiny, write_tiny_vector_config


def test_fusion_at_lr_1e6_stops_at_the_infinite_grad_norm(tmp_path):
    """Before: trained on grad_norm inf, loss 5.2e28, exit 0."""
    cfg = write_tiny_vector_config(tmp_path, epochs=1)
    with pytest.raises(FloatingPointError, match=r'non-finite gradient norm '
                       r'\(grad_norm=(inf|nan)\) at epoch 1, iteration \d'):
        train_tiny(cfg, tmp_path / 'run', '--cfg-options',
                   'optim_wrapper.optimizer.lr=1e6')


def test_merdg_at_lr_1e6_names_the_modality(tmp_path):
    """Before: 'got non-finite features', no modality."""
    cfg = write_tiny_vector_config(tmp_path, epochs=1,
                                   base='merdg_synthetic_vector.py')
    with pytest.raises((FloatingPointError, RuntimeError),
                       match=r"non-finite .*(modality\(ies\)|encoder|terms of)"
                       r".*\['(imgs|flow_imgs|audios)'"):
        train_tiny(cfg, tmp_path / 'run', '--cfg-options',
                   'optim_wrapper.optimizer.lr=1e6')


def _runner(grad_norm, wrapper=None):
    hub = MessageHub.get_instance('non_finite_test')
    hub.update_scalar('train/grad_norm', grad_norm)
    return SimpleNamespace(epoch=0, iter=4, message_hub=hub,
                           optim_wrapper=wrapper or SimpleNamespace())


def test_policies_and_amp_skipped_steps():
    from mmengine.optim import AmpOptimWrapper
    outputs = {'loss': float('nan'), 'loss_cls': 1.0,
               'mer/audios/spec': float('nan'), 'acc': 0.5}
    with pytest.raises(FloatingPointError, match=r"loss=nan, mer/audios/spec="
                       r"nan \(the per-modality terms of \['audios'\]\)"):
        NonFiniteCheckHook().after_train_iter(_runner(1.0), 0, None, outputs)
    # The explicit option keeps the previous behaviour.
    NonFiniteCheckHook(loss='ignore').after_train_iter(
        _runner(1.0), 0, None, outputs)
    finite = {'loss': 1.0}
    with pytest.raises(FloatingPointError, match='grad_norm=inf'):
        NonFiniteCheckHook().after_train_iter(_runner(float('inf')), 0, None,
                                              finite)
    # Under AMP an Inf norm is a step the loss scaler skipped: counted.
    amp = AmpOptimWrapper.__new__(AmpOptimWrapper)
    hook = NonFiniteCheckHook()
    hook.after_train_iter(_runner(float('inf'), amp), 0, None, finite)
    assert hook._skipped == 1
    with pytest.raises(FloatingPointError, match='grad_norm=inf'):
        NonFiniteCheckHook(grad_norm='error').after_train_iter(
            _runner(float('inf'), amp), 0, None, finite)
    with pytest.raises(ValueError, match='loss must be one of'):
        NonFiniteCheckHook(loss='raise')
