from . import transforms  # noqa: F401
from .balanced_domain_sampler import BalancedDomainSampler  # noqa: F401
from .synthetic_mmdg_dataset import SyntheticMMDGDataset  # noqa: F401
