"""Checkpoint loading policy under torch >= 2.6 (``weights_only=True`` default).

mmengine 0.10.7 calls ``torch.load(filename, map_location=...)`` without
``weights_only``. Since torch 2.6 that means ``weights_only=True``, which refuses
the non-tensor objects that mmengine itself writes into a training checkpoint
(``message_hub`` holds :class:`mmengine.logging.HistoryBuffer` objects wrapping
numpy arrays), so ``--resume`` fails with ``Unsupported global``.

Policy (documented in the README, "Checkpoints and trust"):

* Every load keeps ``weights_only=True``: model-zoo weights (``init_cfg``,
  ``load_from``) and resumed checkpoints alike. A checkpoint cannot execute code.
* To make our own training checkpoints loadable under that restricted
  unpickler, we allow-list exactly the types mmengine writes into them:
  ``HistoryBuffer`` and the numpy array/scalar/dtype reconstructors. These
  classes rebuild data; none of them calls arbitrary code.
* ``HistoryBuffer.__getstate__`` pickles its statistics methods as
  ``getattr(HistoryBuffer, 'min')`` etc. The builtin ``getattr`` is *not*
  allow-listed (it would reach arbitrary attributes); the name
  ``builtins.getattr`` is bound, for the restricted unpickler only, to
  :func:`history_buffer_getattr`, which resolves nothing but those methods
  and raises ``UnpicklingError`` for anything else.
* We never switch to ``weights_only=False``. A checkpoint that holds other
  objects (e.g. written by a custom hook) fails with torch's own error naming
  the global; the user can allow-list it with
  ``torch.serialization.add_safe_globals`` after reviewing it.
"""
import pickle
from typing import List

import numpy as np
import torch


def _numpy_safe_globals() -> List[object]:
    """The numpy reconstructors and dtypes found in pickled numpy data."""
    try:  # numpy >= 1.25 exposes the dtype classes
        from numpy import dtypes as np_dtypes
        dtype_classes = [
            getattr(np_dtypes, name) for name in dir(np_dtypes)
            if name.endswith('DType')
        ]
    except ImportError:  # pragma: no cover - older numpy
        dtype_classes = []
    multiarray = getattr(np, '_core', None)
    multiarray = getattr(multiarray, 'multiarray', None) or np.core.multiarray
    return [
        multiarray._reconstruct,
        multiarray.scalar,
        np.ndarray,
        np.dtype,
    ] + dtype_classes


def history_buffer_getattr(obj, name: str):
    """``getattr`` restricted to ``HistoryBuffer``'s statistics methods.

    Bound to ``builtins.getattr`` inside torch's weights-only unpickler only.

    Raises:
        pickle.UnpicklingError: For any other object or attribute.
    """
    from mmengine.logging import HistoryBuffer
    # The class-level registry is filled lazily (on the first instance), so
    # the four built-in statistics are named explicitly.
    allowed = {'min', 'max', 'current', 'mean'} | set(HistoryBuffer._statistics_methods)
    if obj is HistoryBuffer and isinstance(name, str) and name in allowed:
        method = getattr(HistoryBuffer, name, None)
        if callable(method):
            return method
    raise pickle.UnpicklingError(
        f'weights_only load refused getattr({obj!r}, {name!r}): only '
        'HistoryBuffer statistics methods are allowed (mmaction_merdg '
        'checkpoint policy, see mmaction_merdg/compat/checkpoint_policy.py).')


def allowlist_training_checkpoint_types() -> None:
    """Allow-list the types that mmengine writes into training checkpoints.

    Idempotent. Keeps ``weights_only=True`` everywhere.
    """
    from mmengine.logging import HistoryBuffer
    torch.serialization.add_safe_globals(
        [HistoryBuffer] + _numpy_safe_globals() +
        [(history_buffer_getattr, 'builtins.getattr'),
         (history_buffer_getattr, '__builtin__.getattr')])
