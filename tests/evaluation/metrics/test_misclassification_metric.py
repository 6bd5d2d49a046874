"""AURC, AUROC, FPR95 against values worked out by hand."""
import math

import numpy as np
import pytest
import torch

from mmaction.registry import METRICS
from mmaction.structures import ActionDataSample
from mmaction_merdg.evaluation.metrics import (aurc, auroc, fpr_at_tpr,
                                               misclassification_metrics)

# Confidences (distinct) and correctness, sorted here by confidence for reading:
# 0.9 R, 0.8 W, 0.7 R, 0.6 R, 0.5 W, 0.4 R
CONF = [0.6, 0.9, 0.5, 0.4, 0.8, 0.7]
CORR = [1, 1, 0, 1, 0, 1]


def test_aurc_by_hand():
    # Risks at coverage 1..6: 0/1, 1/2, 1/3, 1/4, 2/5, 2/6.
    want = (0 + 1 / 2 + 1 / 3 + 1 / 4 + 2 / 5 + 2 / 6) / 6
    assert aurc(CONF, CORR) == pytest.approx(want)
    assert aurc([0.9, 0.1], [1, 0]) == pytest.approx((0 + 0.5) / 2)  # perfect ranking
    assert aurc([0.1, 0.9], [1, 0]) == pytest.approx((1 + 0.5) / 2)  # worst ranking


def test_auroc_by_hand():
    # Pairs (correct, wrong): correct 0.9,0.7,0.6,0.4 vs wrong 0.8,0.5.
    # 0.9 beats both (2), 0.7 beats 0.5 (1), 0.6 beats 0.5 (1), 0.4 none: 4 of 8.
    assert auroc(CONF, CORR) == pytest.approx(4 / 8)
    assert auroc([0.5, 0.5], [1, 0]) == pytest.approx(0.5)  # tie counts one half
    assert math.isnan(auroc([0.3, 0.4], [1, 1]))


def test_fpr95_by_hand():
    # 95% of 4 correct -> accept all 4 -> threshold 0.4 -> both errors accepted.
    assert fpr_at_tpr(CONF, CORR) == pytest.approx(1.0)
    # With 20 correct above all errors but one low correct: 19/20 = 95% reached
    # at the 19th correct (0.81) -> errors (0.805, 0.5) below it: FPR 0.
    conf = [0.82 + 0.001 * i for i in range(19)] + [0.1, 0.805, 0.5]
    corr = [1] * 19 + [1, 0, 0]
    assert fpr_at_tpr(conf, corr) == pytest.approx(0.0)
    # At TPR 1.0 the low correct one must be accepted: both errors are.
    assert fpr_at_tpr(conf, corr, tpr=1.0) == pytest.approx(1.0)


def test_bundle_units_and_errors():
    out = misclassification_metrics(CONF, CORR)
    assert out['aurc'] == pytest.approx(1000 * aurc(CONF, CORR))
    assert out['auroc'] == pytest.approx(50.0) and out['fpr95'] == pytest.approx(100.0)
    assert out['top1'] == pytest.approx(100 * 4 / 6) and out['num_samples'] == 6
    with pytest.raises(ValueError, match='6 values'):
        aurc(CONF, CORR[:3])


def test_metric_class_from_data_samples():
    metric = METRICS.build(dict(type='MisclassificationMetric'))
    samples = []
    for c, ok in zip(CONF, CORR):
        # Class 0 is predicted with probability c (> (1 - c) / 2); label 0 when right.
        ds = ActionDataSample().set_gt_label(0 if ok else 1)
        ds.set_pred_score(torch.tensor([c, (1 - c) / 2, (1 - c) / 2]))
        samples.append(ds.to_dict())
    metric.process(None, samples)
    got = metric.compute_metrics(metric.results)
    want = misclassification_metrics(CONF, CORR)
    assert set(got) == {'aurc', 'auroc', 'fpr95', 'top1'}
    for k in got:
        assert got[k] == pytest.approx(want[k])


def _old_auroc(conf, corr):
    """The hand-written Mann-Whitney AUROC (before sklearn's roc_auc_score)."""
    from scipy.stats import rankdata
    n_pos, n_neg = int(corr.sum()), int((~corr).sum())
    return (rankdata(conf)[corr].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def _old_fpr95(conf, corr, tpr=0.95):
    """The hand-written FPR at TPR >= 95 % (before sklearn's roc_curve)."""
    pos, neg = np.sort(conf[corr])[::-1], conf[~corr]
    k = max(1, math.ceil(tpr * pos.size - 1e-9))
    return float(np.mean(neg >= pos[k - 1]))


def test_sklearn_auroc_and_fpr95_match_the_hand_written_ones():
    """Random sizes, ties (scores rounded to 2 digits), and n_pos where k / n_pos = 0.95."""
    rng = np.random.default_rng(0)
    for n in (5, 20, 60, 101, 400):
        for rounding in (None, 2):
            conf = rng.random(n)
            conf = np.round(conf, rounding) if rounding else conf
            corr = rng.random(n) < conf  # confident predictions tend to be right
            if corr.all() or not corr.any():
                continue
            assert auroc(conf, corr) == pytest.approx(_old_auroc(conf, corr), abs=1e-12)
            assert fpr_at_tpr(conf, corr) == _old_fpr95(conf, corr)
