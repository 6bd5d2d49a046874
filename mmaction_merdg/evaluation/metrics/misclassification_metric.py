"""Misclassification detection with the maximum softmax probability (MSP).

A model that knows when it is wrong gives its errors lower confidence than its
correct predictions. Following the MMDG benchmark (Li et al., "Are we making
progress in multimodal domain generalization?", reference code
https://github.com/lihongzhao99/MMDG_Benchmark, ``test_HAC_misd.py``), which
follows Hendrycks & Gimpel (ICLR 2017) and Geifman et al. (ICLR 2019), the
confidence of a prediction is ``max_k softmax(logits)_k`` and three figures
are reported:

* **AURC x 1000** (lower is better): sort the predictions by confidence,
  highest first; the risk at coverage ``i / n`` is the error rate of the
  ``i`` most confident; AURC is the mean of the ``n`` risks. Ties are broken
  by the original order (a stable sort), as the reference code's ``sorted``.
  scikit-learn has no AURC, so it is computed here (a cumulative sum).
* **AUROC in %** (higher is better): the probability that a correct
  prediction has a higher confidence than an error (ties count one half;
  the Mann-Whitney statistic, equal to the area under the ROC curve):
  ``sklearn.metrics.roc_auc_score``.
* **FPR95 in %** (lower is better): the fraction of errors accepted at the
  highest threshold that accepts at least 95 % of the correct predictions,
  read off ``sklearn.metrics.roc_curve``. (The reference code takes the ROC
  point whose TPR is nearest to 0.95, which can sit just below 95 %; this is
  the usual "FPR at TPR >= 95 %".)
"""
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from sklearn.metrics import roc_auc_score, roc_curve

from mmaction.registry import METRICS


def _check(confidence: Sequence[float], correct: Sequence[bool]):
    conf = np.asarray(confidence, dtype=np.float64).reshape(-1)
    corr = np.asarray(correct).reshape(-1).astype(bool)
    if conf.size != corr.size:
        raise ValueError(f'confidence has {conf.size} values but correct has {corr.size}.')
    if conf.size == 0:
        raise ValueError('misclassification metrics need at least one prediction.')
    return conf, corr


def aurc(confidence: Sequence[float], correct: Sequence[bool]) -> float:
    """Area under the risk-coverage curve (a fraction; x1000 for the usual unit).

    Args:
        confidence (Sequence[float]): ``[n]`` confidence per prediction.
        correct (Sequence[bool]): ``[n]`` whether each prediction is right.
    """
    conf, corr = _check(confidence, correct)
    order = np.argsort(-conf, kind='stable')
    errors = np.cumsum(~corr[order])  # [n] errors among the i most confident
    return float(np.mean(errors / np.arange(1, conf.size + 1)))


def auroc(confidence: Sequence[float], correct: Sequence[bool]) -> float:
    """P(confidence of a correct prediction > that of an error), ties 1/2.

    Returns nan when every prediction is right or every one is wrong.
    """
    conf, corr = _check(confidence, correct)
    if corr.all() or not corr.any():
        return float('nan')
    return float(roc_auc_score(corr, conf))


def fpr_at_tpr(confidence: Sequence[float], correct: Sequence[bool],
               tpr: float = 0.95) -> float:
    """Fraction of errors accepted by the highest threshold with TPR >= ``tpr``.

    Returns nan when every prediction is right or every one is wrong.
    """
    conf, corr = _check(confidence, correct)
    if corr.all() or not corr.any():
        return float('nan')
    # Every distinct confidence is a threshold (no point dropped), highest first.
    fpr, tprs, _ = roc_curve(corr, conf, drop_intermediate=False)
    # TPR k / n_pos is compared with a tolerance: 57 / 60 may round below 0.95.
    first = int(np.argmax(tprs >= tpr - 1e-12))
    return float(fpr[first])


def misclassification_metrics(confidence: Sequence[float],
                              correct: Sequence[bool]) -> Dict[str, float]:
    """``aurc`` (x1000), ``auroc`` (%), ``fpr95`` (%), ``top1`` (%), ``num_samples``."""
    conf, corr = _check(confidence, correct)
    return dict(aurc=1000.0 * aurc(conf, corr), auroc=100.0 * auroc(conf, corr),
                fpr95=100.0 * fpr_at_tpr(conf, corr, 0.95), top1=100.0 * float(corr.mean()),
                num_samples=int(conf.size))


@METRICS.register_module()
class MisclassificationMetric(BaseMetric):
    """MSP misclassification detection: ``<prefix>/aurc`` (x1000),
    ``<prefix>/auroc`` (%), ``<prefix>/fpr95`` (%) and ``<prefix>/top1`` (%).

    Needs ``pred_score`` to be probabilities (the fusion head's
    ``average_clips='prob'``, the default); with raw scores a softmax is
    applied first.

    Args:
        collect_device (str): mmengine's. Defaults to ``'cpu'``.
        prefix (str): Key prefix. Defaults to ``'msp'``.
    """

    default_prefix: Optional[str] = 'msp'

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for ds in data_samples:
            score = np.asarray(ds['pred_score'].detach().cpu(), dtype=np.float64).reshape(-1)
            if score.min() < 0 or abs(score.sum() - 1.0) > 1e-3:  # raw scores
                score = np.exp(score - score.max())
                score /= score.sum()
            gt = int(ds['gt_label'].view(-1)[0])
            self.results.append(dict(confidence=float(score.max()),
                                     correct=bool(int(score.argmax()) == gt)))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        out = misclassification_metrics([r['confidence'] for r in results],
                                        [r['correct'] for r in results])
        out.pop('num_samples')
        return out
