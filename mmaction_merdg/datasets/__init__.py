from . import transforms  # noqa: F401
from .balanced_domain_sampler import BalancedDomainSampler  # noqa: F401
from .synthetic_mmdg_dataset import SyntheticMMDGDataset  # noqa: F401
from .synthetic_mmdg_vector_dataset import SyntheticMMDGVectorDataset  # noqa: F401
from .epic_kitchens_mm_dataset import EpicKitchensMMDataset  # noqa: F401
from .hac_mm_dataset import HACMMDataset  # noqa: F401
