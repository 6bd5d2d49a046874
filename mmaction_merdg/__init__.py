"""mmaction_merdg: multimodal domain generalization (MER-DG) for MMAction2 1.x.

Importing this package registers its datasets, transforms, models, metrics and
hooks into MMAction2's registries (configs pull it in with ``custom_imports``).
It first applies the guarded compatibility shims of :mod:`mmaction_merdg.compat`.
"""
import mmaction
from mmengine.utils import digit_version

from .version import __version__

_MMACTION_MIN, _MMACTION_MAX = '1.2.0', '1.3.0'
if not (digit_version(_MMACTION_MIN) <= digit_version(mmaction.__version__) <
        digit_version(_MMACTION_MAX)):
    raise ImportError(
        f'mmaction_merdg needs mmaction2>={_MMACTION_MIN},<{_MMACTION_MAX}; '
        f'found mmaction2=={mmaction.__version__}.')

from .compat import (allowlist_training_checkpoint_types,  # noqa: E402
                     apply_drn_shim, apply_vindlu_shim)

apply_drn_shim()
apply_vindlu_shim()
allowlist_training_checkpoint_types()

from . import datasets, engine, evaluation, models  # noqa: E402,F401

__all__ = ['__version__']
