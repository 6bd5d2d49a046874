"""Checks of the built training run, before its first step.

What this refuses, each measured to run on silently before (or to fail with
an unhelpful message deep inside the loss):

* a loader whose ``batch_size`` differs from its ``BalancedDomainSampler``'s
  (unbalanced batches, e.g. 3:5 and 6:2 per domain);
* a head (any module with ``num_classes``: ``cls_head``, regularizers'
  heads) with fewer classes than the data (3 vs 4: "Labels must lie in
  [0, 3)" at the first step) or more (8 vs 4: trains and reports);
* a domain-aware module (any module with ``domains``: GMP's and JAT's
  discriminators) configured with a domain the training data does not hold
  (GMP with ``domains=[source0, source1]`` on source0 only: trained without a
  word).

``tools/train.py`` already derives or refuses the batch sizes from the config
(:func:`~mmaction_merdg.datasets.balanced_domain_sampler.
sync_sampler_batch_size`); the hook covers runners built from Python.
"""
from typing import List, Optional

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmaction.registry import HOOKS
from mmaction_merdg.datasets.balanced_domain_sampler import (
    BalancedDomainSampler, check_batch_sizes, domain_labels_of)


def data_num_classes(dataset) -> Optional[int]:
    """The number of classes of ``dataset``: declared, or ``max(label) + 1``."""
    declared = getattr(dataset, 'num_classes', None)
    labels = [d.get('label') for d in getattr(dataset, 'data_list', ())
              if isinstance(d, dict) and isinstance(d.get('label'), int)]
    seen = max(labels) + 1 if labels else None
    if declared is not None and seen is not None and seen > declared:
        return seen  # the dataset's own check reports this case
    return declared if declared is not None else seen


def heads_with_classes(model) -> List[tuple]:
    """``(name, num_classes)`` of every submodule that has ``num_classes``."""
    found = []
    for name, module in model.named_modules():
        n = getattr(module, 'num_classes', None)
        if isinstance(n, int) and not isinstance(n, bool):
            found.append((name or type(module).__name__, n))
    return found


@HOOKS.register_module()
class PreflightCheckHook(Hook):
    """Refuse a run whose data and model disagree, before the first step.

    Enabled for every config by ``configs/_base_/default_runtime.py``
    (``default_hooks.preflight``).

    Args:
        check_batch_size (bool): Loader vs balanced sampler batch size.
            Defaults to True.
        check_classes (bool): Classes of the training data vs every head.
            Defaults to True.
        check_domains (bool): Domains of domain-aware modules vs the
            training data. Defaults to True.
    """

    priority = 'VERY_HIGH'

    def __init__(self, check_batch_size: bool = True,
                 check_classes: bool = True,
                 check_domains: bool = True) -> None:
        self.check_batch_size = check_batch_size
        self.check_classes = check_classes
        self.check_domains = check_domains

    def before_train(self, runner) -> None:
        loader = runner.train_dataloader
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        dataset = loader.dataset
        sampler = getattr(loader, 'sampler', None)
        if self.check_batch_size and isinstance(sampler, BalancedDomainSampler):
            check_batch_sizes(loader.batch_size, sampler.batch_size)
        if self.check_classes:
            self._check_classes(model, dataset)
        if self.check_domains:
            self._check_domains(model, dataset)

    @staticmethod
    def _check_classes(model, dataset) -> None:
        n_data = data_num_classes(dataset)
        if n_data is None:
            return
        wrong = [(name, n) for name, n in heads_with_classes(model)
                 if n != n_data]
        if wrong:
            listed = ', '.join(f'{name}.num_classes={n}' for name, n in wrong)
            raise ValueError(
                f'the training data ({type(dataset).__name__}) has {n_data} '
                f'classes, but {listed}. Set num_classes={n_data} in the '
                'model (cls_head and every head that classifies), or fix the '
                "dataset's num_classes; off by more classes, the head reports "
                'accuracies over classes that never occur, off by fewer, the '
                'loss fails at the first step.')

    @staticmethod
    def _check_domains(model, dataset) -> None:
        try:
            present = set(domain_labels_of(dataset))
        except (KeyError, AttributeError, TypeError):
            return  # no per-sample domain: nothing to compare with
        for name, module in model.named_modules():
            domains = getattr(module, 'domains', None)
            if not isinstance(domains, (list, tuple)) or not all(
                    isinstance(d, str) for d in domains):
                continue
            absent = [d for d in domains if d not in present]
            if absent:
                raise ValueError(
                    f'{name or type(module).__name__} '
                    f'({type(module).__name__}) is configured with the '
                    f'domains {list(domains)}, but the training data holds '
                    f'only {sorted(present)}: {absent} never occur, so its '
                    'domain classifier trains on a class without samples. '
                    'Set its domains to the training sources (or train on '
                    'them all).')
