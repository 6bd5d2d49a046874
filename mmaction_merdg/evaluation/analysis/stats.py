"""Paired statistics across seeds: summaries, tests, effect sizes, intervals.

Two runs compared "paired" share their seeds (same data order and
initialisation stream for the same seed), so the per-seed differences
``d_i = a_i - b_i`` carry the comparison:

* :func:`paired_ttest`: Student's paired t-test on ``d`` (two-sided,
  ``scipy.stats.ttest_rel``);
* :func:`wilcoxon_signed_rank`: the Wilcoxon signed-rank test on ``d``
  (``scipy.stats.wilcoxon``), which does not assume normal differences. With
  n non-zero differences its exact two-sided p-value cannot go below
  ``2 / 2**n`` (0.0625 for 5 seeds), so few seeds can never reach p < 0.05 with
  it; :func:`wilcoxon_signed_rank` reports that floor;
* :func:`cohens_dz`: Cohen's d_z = mean(d) / std(d) (Cohen 1988; Lakens,
  "Calculating and reporting effect sizes", Front. Psychol. 2013), which is
  the paired t statistic over sqrt(n);
* :func:`t_confidence_interval`: Student-t interval of a mean
  (``scipy.stats.ttest_1samp(...).confidence_interval``).

The tests pin each scipy result to the textbook formula in float64.

All functions take plain sequences of floats (e.g. accuracies in percent).
"""
import math
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
from scipy import stats as sps


def _as_1d(values: Sequence[float], name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64).reshape(-1)
    if not np.isfinite(arr).all():
        raise ValueError(f'{name} contains non-finite values')
    return arr


def _paired(a: Sequence[float], b: Sequence[float]) -> np.ndarray:
    a, b = _as_1d(a, 'a'), _as_1d(b, 'b')
    if a.shape != b.shape:
        raise ValueError(f'paired samples need equal lengths, got {len(a)} and {len(b)}')
    return a - b


def mean_std(values: Sequence[float]) -> Dict[str, float]:
    """Mean and sample standard deviation (ddof=1; 0.0 for a single value).

    Returns:
        dict: ``mean``, ``std``, ``n``.
    """
    arr = _as_1d(values, 'values')
    if arr.size == 0:
        raise ValueError('mean_std needs at least one value')
    std = float(arr.std(ddof=1)) if arr.size > 1 else 0.0
    return dict(mean=float(arr.mean()), std=std, n=int(arr.size))


def t_confidence_interval(values: Sequence[float],
                          level: float = 0.95) -> Tuple[float, float]:
    """Two-sided Student-t confidence interval of the mean.

    Args:
        values (Sequence[float]): n >= 2 observations.
        level (float): Coverage. Defaults to 0.95.

    Returns:
        tuple: ``(low, high)``; ``(mean, mean)`` when all values are equal.
    """
    arr = _as_1d(values, 'values')
    if arr.size < 2:
        raise ValueError('a confidence interval needs at least two values')
    if np.all(arr == arr[0]):  # scipy's interval would be nan (0 / 0)
        return float(arr[0]), float(arr[0])
    ci = sps.ttest_1samp(arr, 0.0).confidence_interval(confidence_level=level)
    return float(ci.low), float(ci.high)


def paired_ttest(a: Sequence[float], b: Sequence[float]) -> Dict[str, float]:
    """Two-sided paired t-test of mean(a - b) = 0.

    ``t = mean(d) / (std(d, ddof=1) / sqrt(n))`` on ``n - 1`` degrees of freedom.

    Args:
        a (Sequence[float]): n values of run A.
        b (Sequence[float]): n values of run B, paired with ``a`` by position.

    Returns:
        dict: ``t``, ``df``, ``p``, ``mean_diff``. When every difference is the
        same value ``t`` is +-inf (p = 0) if it is non-zero, and nan (p = 1) if
        it is zero.
    """
    d = _paired(a, b)
    n = d.size
    if n < 2:
        raise ValueError('a paired t-test needs at least two pairs')
    mean = float(d.mean())
    if np.all(d == d[0]):  # zero spread: scipy warns and gives nan; state the limit
        if mean == 0:
            return dict(t=float('nan'), df=n - 1, p=1.0, mean_diff=0.0)
        return dict(t=math.copysign(math.inf, mean), df=n - 1, p=0.0, mean_diff=mean)
    res = sps.ttest_rel(_as_1d(a, 'a'), _as_1d(b, 'b'))
    return dict(t=float(res.statistic), df=int(res.df), p=min(float(res.pvalue), 1.0),
                mean_diff=mean)


def wilcoxon_signed_rank(a: Sequence[float], b: Sequence[float]) -> Dict[str, float]:
    """Two-sided Wilcoxon signed-rank test of the paired differences a - b.

    Uses ``scipy.stats.wilcoxon`` (zero differences dropped, exact distribution
    for small samples without ties).

    Returns:
        dict: ``statistic``, ``p``, ``n_nonzero`` and ``min_p`` (the smallest
        two-sided p-value attainable with ``n_nonzero`` pairs, ``2 / 2**n``).
        All differences zero: statistic nan, p 1.0.
    """
    d = _paired(a, b)
    nz = int(np.count_nonzero(d))
    min_p = min(1.0, 2.0 / 2**nz) if nz else 1.0
    if nz == 0:
        return dict(statistic=float('nan'), p=1.0, n_nonzero=0, min_p=1.0)
    res = sps.wilcoxon(d, zero_method='wilcox', alternative='two-sided')
    return dict(statistic=float(res.statistic), p=float(res.pvalue), n_nonzero=nz,
                min_p=min_p)


def cohens_dz(a: Sequence[float], b: Sequence[float]) -> float:
    """Cohen's d_z of paired samples: mean(a - b) / std(a - b, ddof=1).

    Returns +-inf when the differences are a non-zero constant, 0 when all are 0.
    """
    d = _paired(a, b)
    if d.size < 2:
        raise ValueError("Cohen's d_z needs at least two pairs")
    t = paired_ttest(a, b)['t']  # t = mean(d) / (std(d) / sqrt(n))
    if math.isnan(t):
        return 0.0
    return float(t / math.sqrt(d.size))


def compare_paired(a: Sequence[float], b: Sequence[float], alpha: float = 0.05,
                   level: float = 0.95, names: Optional[Tuple[str, str]] = None) -> Dict:
    """Everything needed to report a paired comparison of A against B.

    Args:
        a (Sequence[float]): n per-seed values of A.
        b (Sequence[float]): n per-seed values of B, same seeds, same order.
        alpha (float): Significance level of the verdict. Defaults to 0.05.
        level (float): Coverage of the interval of the mean difference.
            Defaults to 0.95.
        names (tuple, optional): Display names of A and B for the verdict.

    Returns:
        dict: ``a`` and ``b`` (mean/std/n), ``diff`` (mean/std/n and ``ci``),
        ``ttest``, ``wilcoxon``, ``cohens_dz``, ``significant`` (paired t-test
        p < alpha), ``verdict`` (one plain sentence).
    """
    d = _paired(a, b)
    na, nb = names or ('A', 'B')
    out = dict(a=mean_std(a), b=mean_std(b), diff=mean_std(d))
    out['diff']['ci'] = list(t_confidence_interval(d, level)) if d.size > 1 else None
    out['ttest'] = paired_ttest(a, b)
    out['wilcoxon'] = wilcoxon_signed_rank(a, b)
    out['cohens_dz'] = cohens_dz(a, b)
    out['alpha'] = alpha
    out['significant'] = bool(out['ttest']['p'] < alpha)
    m, p_t, p_w = out['diff']['mean'], out['ttest']['p'], out['wilcoxon']['p']
    ci = out['diff']['ci']
    head = (f'{na} - {nb} = {m:+.2f} ({int(level * 100)}% CI [{ci[0]:+.2f}, {ci[1]:+.2f}]), '
            f'paired t-test p = {p_t:.3g}, Wilcoxon p = {p_w:.3g}, n = {d.size}')
    if out['significant']:
        better = na if m > 0 else nb
        verdict = f'{head}: significant at alpha = {alpha} ({better} is higher).'
    else:
        verdict = (f'{head}: NOT significant at alpha = {alpha}; these seeds do not '
                   'show a difference.')
    if out['wilcoxon']['min_p'] >= alpha:
        verdict += (f' (With {out["wilcoxon"]["n_nonzero"]} non-zero differences the Wilcoxon '
                    f'test cannot go below p = {out["wilcoxon"]["min_p"]:.3g}.)')
    out['verdict'] = verdict
    return out
