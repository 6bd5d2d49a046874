"""Work-arounds for known breakages of the pinned stack, applied on import.

Each is guarded so that it applies only where the breakage is really present,
and each has a test in ``tests/compat/``.
"""
from .checkpoint_policy import allowlist_training_checkpoint_types
from .cpu_distributed import setup_cpu_distributed
from .drn_shim import apply_drn_shim, drn_is_missing
from .vindlu_shim import apply_vindlu_shim, vindlu_import_error

__all__ = [
    'apply_drn_shim', 'drn_is_missing', 'allowlist_training_checkpoint_types',
    'setup_cpu_distributed', 'apply_vindlu_shim', 'vindlu_import_error'
]
