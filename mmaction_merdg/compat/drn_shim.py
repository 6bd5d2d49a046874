"""Make ``import mmaction.models`` work on the mmaction2 1.2.0 wheel.

The 1.2.0 wheel and sdist ship ``mmaction/models/localizers/__init__.py``, which
imports ``.drn.drn``, but not the ``drn/`` package itself, so importing
``mmaction.models`` raises ``ModuleNotFoundError``. We never patch installed
files: instead, when (and only when) the package is really missing on disk, we
put a stand-in module into ``sys.modules`` whose ``DRN`` raises a clear error
if someone actually tries to build that localizer.
"""
import importlib.util
import os
import sys
import types

_DRN_PKG = 'mmaction.models.localizers.drn'
_DRN_MOD = _DRN_PKG + '.drn'


class _MissingDRN:
    """Stand-in for ``mmaction.models.localizers.DRN`` (absent from the wheel)."""

    def __init__(self, *args, **kwargs):
        raise ImportError(
            'DRN is not available: the installed mmaction2 distribution lacks '
            "'mmaction/models/localizers/drn/'. mmaction_merdg installed a "
            'stand-in so that the rest of mmaction.models imports; install '
            'mmaction2 from source if you need the DRN localizer.')


def drn_is_missing() -> bool:
    """Whether the installed mmaction lacks ``models/localizers/drn/drn.py``."""
    spec = importlib.util.find_spec('mmaction')
    if spec is None or not spec.submodule_search_locations:
        return False
    root = list(spec.submodule_search_locations)[0]
    return not os.path.isfile(
        os.path.join(root, 'models', 'localizers', 'drn', 'drn.py'))


def apply_drn_shim() -> bool:
    """Install the stand-in DRN modules when the real ones are missing.

    Returns:
        bool: True when the shim was installed by this call or an earlier one.
    """
    if _DRN_MOD in sys.modules:
        return getattr(sys.modules[_DRN_MOD], '__merdg_shim__', False)
    if not drn_is_missing():
        return False
    pkg = types.ModuleType(_DRN_PKG)
    pkg.__path__ = []  # a package, so ``from .drn.drn import DRN`` resolves
    pkg.__merdg_shim__ = True
    mod = types.ModuleType(_DRN_MOD)
    mod.DRN = _MissingDRN
    mod.__merdg_shim__ = True
    pkg.drn = mod
    sys.modules[_DRN_PKG] = pkg
    sys.modules[_DRN_MOD] = mod
    return True
