"""Linear domain-classifier probe: how much domain identity features carry.

A multinomial logistic regression (L2-penalised, fitted with L-BFGS on
standardised features: scikit-learn's ``StandardScaler`` and
``LogisticRegression``) predicts the domain of each sample from its features;
the accuracy is measured by stratified k-fold cross-validation
(``StratifiedKFold``), so it is a held-out figure. Probing with linear
classifiers follows Alain and Bengio, "Understanding intermediate layers using
linear classifier probes", 2016; a domain probe is the standard way to measure
domain information left in a representation (cf. the domain classifier of
Ganin et al., JMLR 2016).

The chance level is the majority-domain rate of the evaluated samples (1/K for
balanced domains). Accuracy near chance means little linearly decodable domain
information; near 1 means the domain is linearly identifiable.
"""
from typing import Dict, List, Sequence, Union

import numpy as np

from ._utils import ArrayLike, as_features


def _encode(labels: Sequence) -> (np.ndarray, List):
    names = sorted({str(v) for v in labels})
    index = {name: i for i, name in enumerate(names)}
    return np.array([index[str(v)] for v in labels], dtype=np.int64), names


def logistic_regression(num_samples: int, num_classes: int, l2: float = 1e-2,
                        max_iter: int = 1000):
    """The probe's classifier: standardisation, then L2 logistic regression.

    The penalty is ``l2 * ||W||^2`` added to the mean cross-entropy (the bias
    is not penalised). scikit-learn minimises ``C * sum(CE) + ||w||^2 / 2``
    instead, so ``C = 1 / (2 N l2)``; for two classes it fits one weight
    vector ``w = W_1 - W_0``, whose softmax-equivalent penalty is
    ``l2 / 2 * ||w||^2``, so ``C = 1 / (N l2)``.

    Args:
        num_samples (int): Training rows N (the penalty is per sample).
        num_classes (int): K.
        l2 (float): Penalty on the squared weights. Defaults to 1e-2.
        max_iter (int): L-BFGS iterations. Defaults to 1000.

    Returns:
        sklearn.pipeline.Pipeline: ``StandardScaler`` + ``LogisticRegression``.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    c = 1.0 / ((1 if num_classes == 2 else 2) * num_samples * l2)
    return make_pipeline(StandardScaler(),
                         LogisticRegression(C=c, solver='lbfgs', max_iter=max_iter, tol=1e-8))


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
    from sklearn.model_selection import StratifiedKFold
    x = as_features(features, 'features', min_rows=4).numpy()
    y, names = _encode(list(domains))
    if len(y) != x.shape[0]:
        raise ValueError(f'{x.shape[0]} feature rows but {len(y)} domain labels')
    k = len(names)
    if k < 2:
        raise ValueError('a domain probe needs at least two distinct domains')
    counts = np.bincount(y, minlength=k)
    folds = int(min(folds, counts.min()))
    if folds < 2:
        raise ValueError('every domain needs at least two samples for cross-validation')
    accs, preds = [], np.empty_like(y)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train_idx, test_idx in splitter.split(x, y):
        clf = logistic_regression(len(train_idx), k, l2).fit(x[train_idx], y[train_idx])
        preds[test_idx] = clf.predict(x[test_idx])
        accs.append(float(np.mean(preds[test_idx] == y[test_idx])))
    recalls = [float(np.mean(preds[y == c] == c)) for c in range(k)]
    return dict(
        accuracy=float(np.mean(accs)),
        accuracy_std=float(np.std(accs)),
        chance=float(counts.max() / len(y)),
        balanced_accuracy=float(np.mean(recalls)),
        num_domains=k,
        num_samples=int(len(y)),
        folds=folds)
