"""Shared pieces of the domain-adversarial methods (JAT, GMP).

* :func:`grad_reverse`: the gradient reversal layer of Ganin & Lempitsky
  ("Unsupervised Domain Adaptation by Backpropagation", ICML 2015): identity
  forward, gradient multiplied by ``-alpha`` backward.
* :func:`adversarial_projector` and :func:`domain_discriminator`: the heads the
  MMDG benchmark (lihongzhao99/MMDG_Benchmark, ``Action recognition/
  train_JAT.py`` and ``train_GMP.py``) puts behind the reversal.
* :func:`source_domain_names` and :func:`domain_indices`: per-sample domain
  names (the ``domain`` field packed by ``PackMultiModalInputs``) to class
  indices of a domain discriminator, with clear errors.

The benchmark numbers the source domains by their position in the source
list (``-s D2 D3`` gives D2 -> 0, D3 -> 1), sizes the discriminators with
``max(#sources, 2)`` outputs and turns domain-adversarial training off with a
single source domain; :func:`num_domain_classes` and the methods follow it.
"""
from typing import List, Optional, Sequence

import torch
from torch import Tensor, nn


class _GradientReversal(torch.autograd.Function):
    """Identity forward; ``-alpha * grad`` backward."""

    @staticmethod
    def forward(ctx, x: Tensor, alpha: float) -> Tensor:
        ctx.alpha = alpha
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad_output: Tensor):
        return -ctx.alpha * grad_output, None


def grad_reverse(x: Tensor, alpha: float = 1.0) -> Tensor:
    """Gradient reversal: returns ``x``; its gradient is multiplied by ``-alpha``.

    Args:
        x (Tensor): Any shape.
        alpha (float): Scale of the reversed gradient. Defaults to 1.0.

    Returns:
        Tensor: ``x`` (same shape, a view).
    """
    return _GradientReversal.apply(x, float(alpha))


def adversarial_projector(in_channels: int, out_channels: int,
                          dropout_ratio: float) -> nn.Sequential:
    """The benchmark's ``ProjectHead``: Linear-ReLU-Dropout, ``[N, C_in] -> [N, C_out]``."""
    return nn.Sequential(nn.Linear(in_channels, out_channels), nn.ReLU(inplace=True),
                         nn.Dropout(dropout_ratio))


def domain_discriminator(in_channels: int, num_domains: int,
                         hidden_channels: int = 256) -> nn.Sequential:
    """The benchmark's ``DomainClassifier``: Linear-BN-ReLU-Linear, ``[N, C] -> [N, K]``."""
    return nn.Sequential(nn.Linear(in_channels, hidden_channels),
                         nn.BatchNorm1d(hidden_channels), nn.ReLU(inplace=True),
                         nn.Linear(hidden_channels, num_domains))


def source_domain_names(domains: Optional[Sequence[str]], owner: str) -> List[str]:
    """Check the ``domains`` argument of a domain-adversarial method.

    Args:
        domains (Sequence[str] | None): The training (source) domain names.
        owner (str): Class name, for the error messages.

    Returns:
        list[str]: The names, in the given order (the class indices).
    """
    if domains is None:
        raise ValueError(
            f'{owner} classifies the source domains, so it needs `domains`: the names of the '
            "training domains, e.g. regularizers=dict(<key>=dict(..., domains=['D1', 'D2'])) "
            '(the generated leaves pass their `source_domains`).')
    if isinstance(domains, str) or not len(domains):
        raise ValueError(f'{owner}: `domains` must be a non-empty list of domain names, '
                         f'got {domains!r}.')
    names = [str(d) for d in domains]
    if len(set(names)) != len(names):
        raise ValueError(f'{owner}: `domains` repeats a name: {names}.')
    return names


def num_domain_classes(names: Sequence[str]) -> int:
    """Output size of the benchmark's domain discriminators: ``max(#sources, 2)``."""
    return max(len(names), 2)


def domain_indices(domains: Sequence[Optional[str]], names: Sequence[str], owner: str,
                   device=None) -> Tensor:
    """Per-sample domain names -> ``[N]`` indices into ``names``.

    Args:
        domains (Sequence[str | None]): ``RegularizerInputs.domains``.
        names (Sequence[str]): The method's source domains (index order).
        owner (str): Class name, for the error messages.
        device: Device of the returned tensor. Defaults to None (CPU).

    Returns:
        Tensor: ``[N]`` long.
    """
    index = {name: i for i, name in enumerate(names)}
    missing = [i for i, d in enumerate(domains) if d is None]
    if missing:
        raise ValueError(
            f'{owner} needs the domain of every training sample, but samples {missing[:5]} '
            "have no `domain` field: pack it with PackMultiModalInputs(algorithm_keys="
            "('domain',)) (as the dataset bases do).")
    unknown = sorted({str(d) for d in domains if str(d) not in index})
    if unknown:
        raise ValueError(f'{owner}: samples from domains {unknown}, which are not among its '
                         f'`domains` {list(names)}; set `domains` to the training domains.')
    return torch.tensor([index[str(d)] for d in domains], dtype=torch.long, device=device)
