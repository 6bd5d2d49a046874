import math

import numpy as np
import pytest
from scipy import stats as sps

from mmaction_merdg.evaluation.analysis import (cohens_dz, compare_paired, mean_std,
                                                paired_ttest, t_confidence_interval,
                                                wilcoxon_signed_rank)

A = [61.2, 58.9, 63.4, 60.1, 62.7, 59.5, 61.9]
B = [59.8, 58.1, 60.2, 60.3, 60.0, 57.9, 61.0]


def test_paired_ttest_agrees_with_scipy():
    ours = paired_ttest(A, B)
    ref = sps.ttest_rel(A, B)
    assert ours['t'] == pytest.approx(ref.statistic, rel=1e-12)
    assert ours['p'] == pytest.approx(ref.pvalue, rel=1e-10)
    assert ours['df'] == len(A) - 1
    assert ours['mean_diff'] == pytest.approx(np.mean(A) - np.mean(B))


def test_wilcoxon_agrees_with_scipy_and_exact_distribution():
    ours = wilcoxon_signed_rank(A, B)
    ref = sps.wilcoxon(np.subtract(A, B))
    assert ours['statistic'] == ref.statistic and ours['p'] == pytest.approx(ref.pvalue)
    # Hand-computed: 5 positive differences, exact two-sided p = 2 / 2**5.
    res = wilcoxon_signed_rank([2, 3, 4, 5, 6], [1, 1, 1, 1, 1])
    assert res['p'] == pytest.approx(0.0625)
    assert res['min_p'] == pytest.approx(0.0625)
    assert res['statistic'] == 0


def test_cohens_dz_and_summaries():
    d = np.subtract(A, B)
    assert cohens_dz(A, B) == pytest.approx(d.mean() / d.std(ddof=1))
    assert cohens_dz([1, 2, 3], [0, 1, 2]) == math.inf
    ms = mean_std([1.0, 2.0, 3.0])
    assert ms == dict(mean=2.0, std=1.0, n=3)
    lo, hi = t_confidence_interval([1.0, 2.0, 3.0], 0.95)
    half = sps.t.ppf(0.975, 2) * 1.0 / math.sqrt(3)
    assert (lo, hi) == pytest.approx((2 - half, 2 + half))


def test_degenerate_differences():
    assert paired_ttest([1, 2], [1, 2])['p'] == 1.0
    assert wilcoxon_signed_rank([1, 2], [1, 2])['p'] == 1.0
    assert paired_ttest([2, 3], [1, 2])['p'] == 0.0
    with pytest.raises(ValueError, match='equal lengths'):
        paired_ttest([1, 2], [1])
    with pytest.raises(ValueError, match='at least two'):
        paired_ttest([1], [1])


def test_compare_paired_verdicts():
    sig = compare_paired(A, B, names=('merdg', 'fusion'))
    assert sig['significant'] and 'significant at alpha' in sig['verdict']
    assert 'merdg is higher' in sig['verdict']
    assert sig['diff']['ci'][0] > 0
    noise = compare_paired([60.0, 61.0, 59.0, 60.5, 59.5], [60.2, 60.1, 60.3, 59.9, 60.0])
    assert not noise['significant']
    assert 'NOT significant' in noise['verdict']
    assert 'cannot go below p = 0.0625' in noise['verdict']


def _old_t(d):
    """The hand-written paired t statistic and two-sided p (before scipy's ttest_rel)."""
    t = d.mean() / (d.std(ddof=1) / math.sqrt(d.size))
    return t, 2 * sps.t.sf(abs(t), df=d.size - 1)


def test_scipy_replacements_match_the_hand_written_formulas_in_float64():
    """ttest_rel, ttest_1samp(...).confidence_interval and t / sqrt(n) against the textbook."""
    rng = np.random.default_rng(0)
    for n in (2, 3, 5, 10):
        for _ in range(20):
            a = rng.normal(60, 2, n)
            b = a - rng.normal(0.5, 1, n)
            d = a - b
            t, p = _old_t(d)
            res = paired_ttest(a, b)
            assert res['t'] == pytest.approx(t, rel=1e-12, abs=1e-12)
            assert res['p'] == pytest.approx(p, rel=1e-9, abs=1e-15)
            assert cohens_dz(a, b) == pytest.approx(d.mean() / d.std(ddof=1), rel=1e-12)
            half = sps.t.ppf(0.975, n - 1) * d.std(ddof=1) / math.sqrt(n)
            assert t_confidence_interval(d) == pytest.approx(
                (d.mean() - half, d.mean() + half), rel=1e-12, abs=1e-12)
    assert t_confidence_interval([2.0, 2.0, 2.0]) == (2.0, 2.0)
