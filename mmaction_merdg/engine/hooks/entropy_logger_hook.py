"""Training curves of each modality's entropy terms and effective rank.

MER-DG (Modality Entropy Regularisation) keeps each modality's projected
features high-entropy so that no encoder collapses onto what the other
modalities already explain. This hook makes that visible while training: every
``interval`` iterations it reads per-modality tensors of the last training
batch from the model and sends, for each source ``s`` and modality ``m``,

* ``entropy/<s>/<m>/marg`` and ``entropy/<s>/<m>/spec``: the ``marg`` and
  ``spec`` terms of ``ModalityEntropyLoss``. For the projections of a MER-DG
  model they are read from the training step's logged outputs
  (``mer/<m>/marg``, ``mer/<m>/spec``: the very values the loss optimised, with
  its estimator); otherwise (encoder features, Fusion models) they are computed
  with the loss's own term functions (``'logdet'`` estimator);
* ``entropy/<s>/<m>/rankme``: RankMe effective rank (Garrido et al., ICML 2023);

and, with ``log_cka=True``, ``entropy/<s>/cka/<a>-<b>`` (linear CKA, Kornblith
et al. ICML 2019) for every pair of modalities, to every visualizer backend the
config declares (``vis_backends=[dict(type='TensorboardVisBackend')]`` for
TensorBoard; ``LocalVisBackend`` writes ``vis_data/scalars.json``).

Sources (``sources`` argument), read from the model after ``model.loss(...)``:

* ``proj``: ``'regularizers.mer'``: the MER-DG regularizer's
  ``last_tensors()`` (the regularizer contract of
  ``mmaction_merdg.models.regularizers.base_regularizer``), dict ``name ->
  detached [N, 128]``, the projections the MER loss read (``name`` a modality,
  or ``<modality>/shared`` and ``<modality>/specific`` composed with SimMMDG);
* ``feat``: ``model.last_features``, the pooled encoder features ``[N, D_m]``
  (before embedding dropout), present for Fusion too, so curves of the two
  methods are comparable.

A source is ``'regularizers.<key>'`` (that regularizer's ``last_tensors()``)
or the name of a model attribute holding such a dict.

A source the model lacks is skipped (a warning names it once). The values
describe one batch of the master rank (a DDP wrapper is unwrapped).
"""
import itertools
from typing import Dict, Optional

import torch
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper

from mmaction.registry import HOOKS
from mmaction_merdg.evaluation.analysis import linear_cka, rankme
from mmaction_merdg.models.losses.modality_entropy_loss import (logdet_term,
                                                                marginal_term)


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
        sources (dict): Tag name -> ``'regularizers.<key>'`` (that
            regularizer's ``last_tensors()``) or a model attribute holding a
            dict ``name -> [N, D]``. Defaults to
            ``dict(proj='regularizers.mer', feat='last_features')``.
        prefix (str): Tag prefix. Defaults to ``'entropy'``.

    Example:
        >>> custom_hooks = [dict(type='ModalityEntropyLoggerHook', interval=20)]
        >>> visualizer = dict(type='ActionVisualizer',
        ...                   vis_backends=[dict(type='TensorboardVisBackend')])
    """

    priority = 'BELOW_NORMAL'

    def __init__(self, interval: int = 50, eps: float = 1e-4, log_cka: bool = True,
                 sources: Optional[Dict[str, str]] = None,
                 prefix: str = 'entropy') -> None:
        if interval < 1:
            raise ValueError(f'interval must be >= 1, got {interval}')
        self.interval = interval
        self.eps = eps
        self.log_cka = log_cka
        self.sources = dict(sources or dict(proj='regularizers.mer', feat='last_features'))
        if not self.sources:
            raise ValueError('sources must name at least one model attribute')
        self.prefix = prefix
        self._warned = set()

    def compute(self, tensors: Dict[str, torch.Tensor], source: str = 'proj',
                logged: Optional[dict] = None) -> Dict[str, float]:
        """The scalars of one source for one batch ``modality -> [N, D]``.

        Args:
            tensors (dict): ``modality -> [N, D]``.
            source (str): Tag of the source. Defaults to ``'proj'``.
            logged (dict, optional): The training step's outputs; for the
                ``proj`` source their ``mer/<m>/marg`` and ``mer/<m>/spec``
                are used instead of recomputing the terms.
        """
        logged = logged if source == 'proj' and logged else {}
        scalars = {}
        tag = f'{self.prefix}/{source}'
        usable = {}
        for name, z in tensors.items():
            z = z.detach().float().cpu()
            if z.dim() != 2 or z.shape[0] < 2 or not torch.isfinite(z).all():
                continue
            usable[name] = z
            for term, fn in (('marg', marginal_term), ('spec', logdet_term)):
                value = logged.get(f'mer/{name}/{term}')
                scalars[f'{tag}/{name}/{term}'] = float(value) if value is not None \
                    else float(fn(z, self.eps))
            scalars[f'{tag}/{name}/rankme'] = rankme(z)
        if self.log_cka:
            for a, b in itertools.combinations(sorted(usable), 2):
                scalars[f'{tag}/cka/{a}-{b}'] = linear_cka(usable[a], usable[b])
        return scalars

    @staticmethod
    def read_source(model, attr: str) -> Optional[Dict[str, torch.Tensor]]:
        """The tensors of one source (None when the model lacks it)."""
        if attr.startswith('regularizers.'):
            regs = getattr(model, 'regularizers', None) or {}
            key = attr[len('regularizers.'):]
            return regs[key].last_tensors() if key in regs else None
        return getattr(model, attr, None)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        if not self.every_n_train_iters(runner, self.interval):
            return
        model = runner.model
        if is_model_wrapper(model):
            model = model.module
        scalars = {}
        for source, attr in self.sources.items():
            tensors = self.read_source(model, attr)
            if not tensors:
                if attr not in self._warned:
                    print_log(
                        f'ModalityEntropyLoggerHook: the model has no `{attr}` '
                        f'(dict name -> [N, D]); source "{source}" is not logged.',
                        logger='current', level=30)
                    self._warned.add(attr)
                continue
            scalars.update(self.compute(tensors, source, outputs))
        if scalars:
            runner.visualizer.add_scalars(scalars, step=runner.iter + 1)
