"""Stop training at the first non-finite loss term or gradient norm.

mmengine 0.10.7 trains on whatever the loss is: Fusion at lr 1e6 was measured
to log ``grad_norm: inf`` and ``loss: 5.2e28`` for its remaining epochs and
exit 0. After each training iteration (``RuntimeInfoHook`` has put this
iteration's log variables into the MessageHub) this hook checks every logged
loss term (``loss``, ``loss_cls``, ``loss_mer``, the per-modality terms
``mer/<modality>/<term>``, ...) and ``grad_norm``, and raises
``FloatingPointError`` naming the terms that are NaN or Inf (a per-modality
term names its modality), the epoch and the iteration.

Policies (``'error'``, ``'warn'`` or ``'ignore'``, the last being mmengine's
behaviour):

* ``loss``: Defaults to ``'error'``.
* ``grad_norm``: Defaults to ``'auto'``: ``'error'``, except under
  ``AmpOptimWrapper``, whose dynamic loss scaling makes an Inf gradient norm
  an expected, skipped step (``GradScaler`` does not apply it and lowers the
  scale); those are counted and logged once per epoch instead.

The check reads values the logger reads anyway (no extra host
synchronisation). The step that produced the non-finite value has already
been applied; the checkpoints of earlier epochs are intact.
"""
import math
from typing import Dict

import torch
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.optim import AmpOptimWrapper

from mmaction.registry import HOOKS

_POLICIES = ('error', 'warn', 'ignore')


def _is_loss_key(key: str) -> bool:
    return 'loss' in key or key.startswith('mer/')


@HOOKS.register_module()
class NonFiniteCheckHook(Hook):
    """Raise at the first NaN/Inf loss term or gradient norm.

    Enabled for every config by ``configs/_base_/default_runtime.py``
    (``default_hooks.non_finite``). See the module docstring.

    Args:
        loss (str): Policy for loss terms. Defaults to ``'error'``.
        grad_norm (str): Policy for the gradient norm, or ``'auto'``.
            Defaults to ``'auto'``.
    """

    # After RuntimeInfoHook (VERY_HIGH) filled the MessageHub, before the
    # logger and the checkpoint hooks.
    priority = 'ABOVE_NORMAL'

    def __init__(self, loss: str = 'error', grad_norm: str = 'auto') -> None:
        if loss not in _POLICIES:
            raise ValueError(f'NonFiniteCheckHook: loss must be one of '
                             f'{_POLICIES}, got {loss!r}')
        if grad_norm not in _POLICIES + ('auto', ):
            raise ValueError(f'NonFiniteCheckHook: grad_norm must be one of '
                             f"{_POLICIES + ('auto', )}, got {grad_norm!r}")
        self.loss = loss
        self.grad_norm = grad_norm
        self._skipped = 0

    def _grad_policy(self, runner) -> str:
        if self.grad_norm != 'auto':
            return self.grad_norm
        wrappers = getattr(runner.optim_wrapper, 'optim_wrappers', None)
        wrappers = wrappers.values() if wrappers else [runner.optim_wrapper]
        amp = any(isinstance(w, AmpOptimWrapper) for w in wrappers)
        return 'skip' if amp else 'error'

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        if self.loss == 'ignore' and self.grad_norm == 'ignore':
            return
        where = (f'epoch {runner.epoch + 1}, iteration {batch_idx + 1} '
                 f'(global {runner.iter + 1})')
        if self.loss != 'ignore' and outputs:
            bad = {k: v for k, v in _as_floats(outputs).items()
                   if _is_loss_key(k) and not math.isfinite(v)}
            if bad:
                self._report(self.loss, self._loss_message(bad, outputs,
                                                           where))
        policy = self._grad_policy(runner)
        if policy == 'ignore':
            return
        scalars = runner.message_hub.log_scalars
        if 'train/grad_norm' not in scalars:
            return  # no clip_grad: mmengine does not compute the norm
        norm = float(scalars['train/grad_norm'].current())
        if math.isfinite(norm):
            return
        if policy == 'skip':
            self._skipped += 1
            return
        self._report(policy, (
            f'non-finite gradient norm (grad_norm={norm}) at {where}; the '
            f'loss terms were {_summary(outputs)}. Lower the learning rate '
            'or check the inputs; default_hooks.non_finite.grad_norm='
            "'ignore' trains on (the previous behaviour)."))

    def after_train_epoch(self, runner) -> None:
        if self._skipped:
            print_log(
                f'NonFiniteCheckHook: {self._skipped} step(s) of epoch '
                f'{runner.epoch + 1} had a non-finite gradient norm under '
                'AMP and were skipped by the loss scaler.', logger='current',
                level=30)
            self._skipped = 0

    @staticmethod
    def _loss_message(bad: Dict[str, float], outputs, where: str) -> str:
        terms = ', '.join(f'{k}={v}' for k, v in bad.items())
        modalities = sorted({k.split('/')[1] for k in bad
                             if k.startswith('mer/') and k.count('/') >= 2})
        of = (f' (the per-modality terms of {modalities})'
              if modalities else '')
        return (f'non-finite loss term(s) {terms}{of} at {where}; all terms: '
                f'{_summary(outputs)}. Lower the learning rate or check the '
                "inputs; default_hooks.non_finite.loss='ignore' trains on "
                '(the previous behaviour).')

    @staticmethod
    def _report(policy: str, message: str) -> None:
        if policy == 'error':
            raise FloatingPointError(message)
        if policy == 'warn':
            print_log(f'NonFiniteCheckHook: {message}', logger='current',
                      level=30)


def _as_floats(outputs) -> Dict[str, float]:
    values = {}
    for key, value in dict(outputs).items():
        if isinstance(value, torch.Tensor):
            value = value.detach().float().mean()
        try:
            values[key] = float(value)
        except (TypeError, ValueError):
            continue
    return values


def _summary(outputs) -> str:
    if not outputs:
        return 'not logged'
    return ', '.join(f'{k}={v:.4g}' for k, v in _as_floats(outputs).items()
                     if _is_loss_key(k))
