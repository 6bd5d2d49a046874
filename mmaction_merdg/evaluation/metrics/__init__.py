from .domain_acc_metric import DomainAccMetric

__all__ = ['DomainAccMetric']
