"""Linear domain-classifier probe: how much domain identity features carry.

A multinomial logistic regression (L2-penalised, fitted with L-BFGS on
standardised features) predicts the domain of each sample from its features;
the accuracy is measured by stratified k-fold cross-validation, so it is a
held-out figure. Probing with linear classifiers follows Alain and Bengio,
"Understanding intermediate layers using linear classifier probes", 2016; a
domain probe is the standard way to measure domain information left in a
representation (cf. the domain classifier of Ganin et al., JMLR 2016).

The chance level is the majority-domain rate of the evaluated samples (1/K for
balanced domains). Accuracy near chance means little linearly decodable domain
information; near 1 means the domain is linearly identifiable.
"""
from typing import Dict, List, Sequence, Union

import numpy as np
import torch

from ._utils import ArrayLike, as_features


def _encode(labels: Sequence) -> (torch.Tensor, List):
    names = sorted({str(v) for v in labels})
    index = {name: i for i, name in enumerate(names)}
    return torch.tensor([index[str(v)] for v in labels], dtype=torch.long), names


def _stratified_folds(y: torch.Tensor, k: int, seed: int) -> List[torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    folds = [[] for _ in range(k)]
    for c in torch.unique(y):
        idx = torch.nonzero(y == c).flatten()
        idx = idx[torch.randperm(len(idx), generator=g)]
        for j, i in enumerate(idx.tolist()):
            folds[j % k].append(i)
    return [torch.tensor(sorted(f), dtype=torch.long) for f in folds]


def fit_logistic_regression(x: torch.Tensor, y: torch.Tensor, num_classes: int,
                            l2: float = 1e-2, max_iter: int = 200) -> torch.nn.Linear:
    """Fit an L2-penalised multinomial logistic regression with L-BFGS.

    Args:
        x (Tensor): Standardised features [N, D], float64.
        y (Tensor): Class indices [N], long.
        num_classes (int): Number of classes K.
        l2 (float): Penalty on the squared weights (not the bias), per sample.
            Defaults to 1e-2.
        max_iter (int): L-BFGS iterations. Defaults to 200.

    Returns:
        nn.Linear: The fitted classifier D -> K.
    """
    clf = torch.nn.Linear(x.shape[1], num_classes).to(torch.float64)
    torch.nn.init.zeros_(clf.weight)
    torch.nn.init.zeros_(clf.bias)
    opt = torch.optim.LBFGS(clf.parameters(), max_iter=max_iter,
                            line_search_fn='strong_wolfe')

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(clf(x), y) + l2 * clf.weight.pow(2).sum()
        loss.backward()
        return loss

    with torch.enable_grad():
        opt.step(closure)
    return clf


def domain_probe(features: ArrayLike, domains: Union[Sequence, np.ndarray],
                 folds: int = 5, l2: float = 1e-2, seed: int = 0) -> Dict[str, float]:
    """Held-out accuracy of a linear classifier predicting the domain.

    Args:
        features (Tensor | ndarray): Features of shape [N, D].
        domains (Sequence): N domain labels (str or int), at least two distinct.
        folds (int): Number of stratified cross-validation folds; capped by the
            smallest domain's count. Defaults to 5.
        l2 (float): L2 penalty of the logistic regression. Defaults to 1e-2.
        seed (int): Seed of the fold assignment. Defaults to 0.

    Returns:
        dict: ``accuracy`` (mean held-out accuracy over folds), ``accuracy_std``
        (over folds), ``chance`` (majority-domain rate), ``balanced_accuracy``
        (mean per-domain recall, chance ``1/K``), ``num_domains``, ``num_samples``,
        ``folds``.
    """
    x = as_features(features, 'features', min_rows=4)
    y, names = _encode(list(domains))
    if len(y) != x.shape[0]:
        raise ValueError(f'{x.shape[0]} feature rows but {len(y)} domain labels')
    k = len(names)
    if k < 2:
        raise ValueError('a domain probe needs at least two distinct domains')
    counts = torch.bincount(y, minlength=k)
    folds = int(min(folds, counts.min().item()))
    if folds < 2:
        raise ValueError('every domain needs at least two samples for cross-validation')
    accs, preds = [], torch.empty_like(y)
    for test_idx in _stratified_folds(y, folds, seed):
        train_mask = torch.ones(len(y), dtype=torch.bool)
        train_mask[test_idx] = False
        xtr, ytr = x[train_mask], y[train_mask]
        mu, sd = xtr.mean(0), xtr.std(0).clamp_min(1e-8)
        clf = fit_logistic_regression((xtr - mu) / sd, ytr, k, l2)
        with torch.no_grad():
            pred = clf((x[test_idx] - mu) / sd).argmax(1)
        preds[test_idx] = pred
        accs.append((pred == y[test_idx]).double().mean().item())
    recalls = [(preds[y == c] == c).double().mean().item() for c in range(k)]
    return dict(
        accuracy=float(np.mean(accs)),
        accuracy_std=float(np.std(accs)),
        chance=float(counts.max().item() / len(y)),
        balanced_accuracy=float(np.mean(recalls)),
        num_domains=k,
        num_samples=int(len(y)),
        folds=folds)
