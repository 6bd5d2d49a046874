from .domain_acc_metric import DomainAccMetric
from .misclassification_metric import (MisclassificationMetric, aurc, auroc, fpr_at_tpr,
                                       misclassification_metrics)

__all__ = ['DomainAccMetric', 'MisclassificationMetric', 'aurc', 'auroc', 'fpr_at_tpr',
           'misclassification_metrics']
