"""Training curves of each modality's entropy terms and effective rank.

MER-DG (Modality Entropy Regularisation) keeps each modality's projected
features high-entropy so that no encoder collapses onto what the other
modalities already explain. This hook makes that visible while training: every
``interval`` iterations it reads the per-modality projections of the last
training batch from the model and sends, per modality ``m``,

* ``entropy/<m>/marg``: :func:`~mmaction_merdg.evaluation.analysis.marginal_hinge`
  (the ``marg`` term of ``ModalityEntropyLoss``);
* ``entropy/<m>/spec``: ``-logdet_entropy`` (the ``spec`` term of the loss's
  default ``'logdet'`` estimator);
* ``entropy/<m>/rankme``: RankMe effective rank (Garrido et al., ICML 2023);

and, with ``log_cka=True``, ``entropy/cka/<a>-<b>`` (linear CKA, Kornblith et
al. ICML 2019) for every pair of modalities, to every visualizer backend the
config declares (``vis_backends=[dict(type='TensorboardVisBackend')]`` for
TensorBoard; ``LocalVisBackend`` writes ``vis_data/scalars.json``). The values
are computed the same way for a Fusion model (which does not optimise them), so
curves of the two methods are comparable. They describe one batch of one rank;
under DDP the master rank's batch is logged.

Contract with the model: after ``model.loss(...)``, ``model.last_projections``
is a dict ``modality -> detached Tensor[N, D]`` (``MultiModalRecognizer`` sets it;
a DDP wrapper is unwrapped).
"""
import itertools
from typing import Dict, Optional

import torch
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper

from mmaction.registry import HOOKS
from mmaction_merdg.evaluation.analysis import (linear_cka, logdet_entropy,
                                                marginal_hinge, rankme)


@HOOKS.register_module()
class ModalityEntropyLoggerHook(Hook):
    """Log per-modality entropy terms, effective rank and cross-modal CKA.

    Args:
        interval (int): Log every ``interval`` training iterations.
            Defaults to 50.
        eps (float): Numerical floor of the entropy terms, as in
            ``ModalityEntropyLoss``. Defaults to 1e-4.
        log_cka (bool): Also log linear CKA between every pair of modalities.
            Defaults to True.
        attr (str): Model attribute holding the projections. Defaults to
            ``'last_projections'``.
        prefix (str): Tag prefix. Defaults to ``'entropy'``.

    Example:
        >>> custom_hooks = [dict(type='ModalityEntropyLoggerHook', interval=20)]
        >>> visualizer = dict(type='ActionVisualizer',
        ...                   vis_backends=[dict(type='TensorboardVisBackend')])
    """

    priority = 'BELOW_NORMAL'

    def __init__(self, interval: int = 50, eps: float = 1e-4, log_cka: bool = True,
                 attr: str = 'last_projections', prefix: str = 'entropy') -> None:
        if interval < 1:
            raise ValueError(f'interval must be >= 1, got {interval}')
        self.interval = interval
        self.eps = eps
        self.log_cka = log_cka
        self.attr = attr
        self.prefix = prefix
        self._warned = False

    def compute(self, projections: Dict[str, torch.Tensor]) -> Dict[str, float]:
        """The scalars for one batch of projections ``modality -> [N, D]``."""
        scalars = {}
        usable = {}
        for name, z in projections.items():
            z = z.detach().float().cpu()
            if z.dim() != 2 or z.shape[0] < 2 or not torch.isfinite(z).all():
                continue
            usable[name] = z
            scalars[f'{self.prefix}/{name}/marg'] = marginal_hinge(z, self.eps)
            scalars[f'{self.prefix}/{name}/spec'] = -logdet_entropy(z, self.eps)
            scalars[f'{self.prefix}/{name}/rankme'] = rankme(z)
        if self.log_cka:
            for a, b in itertools.combinations(sorted(usable), 2):
                scalars[f'{self.prefix}/cka/{a}-{b}'] = linear_cka(usable[a], usable[b])
        return scalars

    def _projections(self, runner) -> Optional[Dict[str, torch.Tensor]]:
        model = runner.model
        if is_model_wrapper(model):
            model = model.module
        proj = getattr(model, self.attr, None)
        if not proj:
            if not self._warned:
                print_log(
                    f'ModalityEntropyLoggerHook: the model has no `{self.attr}` '
                    '(dict modality -> [N, D]); nothing is logged.', logger='current',
                    level=30)
                self._warned = True
            return None
        return proj

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        if not self.every_n_train_iters(runner, self.interval):
            return
        proj = self._projections(runner)
        if proj is None:
            return
        scalars = self.compute(proj)
        if scalars:
            runner.visualizer.add_scalars(scalars, step=runner.iter + 1)
