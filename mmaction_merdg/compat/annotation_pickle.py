"""Annotation pickles are read through a restricted unpickler.

``pd.read_pickle`` (like ``pickle.load``) runs whatever callable a pickle
names: a downloaded ``D1_train.pkl`` calling ``os.system`` would run its
command when the dataset is built. The MM-SADA splits come from the internet,
so, as for checkpoints (:mod:`mmaction_merdg.compat.checkpoint_policy`), the
project loads them under an allow-list:

* only the pandas and numpy classes and reconstructors that a pickled
  ``DataFrame`` of plain columns (integers, floats, booleans, strings,
  categoricals) references are resolved (:data:`ANNOTATION_PICKLE_GLOBALS`);
  each of them rebuilds data and calls no user-chosen code;
* any other global (``os.system``, ``builtins.eval``, a custom class...) is
  refused with :class:`RefusedPickleGlobal`, naming the file and the global,
  before anything is called;
* the result must be a ``pandas.DataFrame``.

A pickle that needs another, reviewed type can be read with
``extra_globals=[('module', 'name')]``.
"""
import pickle
from typing import FrozenSet, Iterable, Optional, Tuple

# (module, name) pairs as pandas 1.x-3.x and numpy 1.x/2.x write them. The
# real MM-SADA pickles (pandas 1.x, protocol 4) use the first block.
ANNOTATION_PICKLE_GLOBALS: FrozenSet[Tuple[str, str]] = frozenset([
    # pandas objects of a DataFrame
    ('pandas.core.frame', 'DataFrame'),
    ('pandas.core.internals.managers', 'BlockManager'),
    ('pandas.core.internals.managers', 'SingleBlockManager'),
    ('pandas.core.indexes.base', '_new_Index'),
    ('pandas.core.indexes.base', 'Index'),
    ('pandas.core.indexes.range', 'RangeIndex'),
    ('pandas.core.indexes.numeric', 'Int64Index'),  # pandas < 2 writers
    ('pandas', 'DataFrame'),
    ('pandas', 'Index'),
    ('pandas', 'RangeIndex'),
    ('pandas', 'Categorical'),
    ('pandas', 'CategoricalDtype'),
    ('pandas', 'StringDtype'),
    ('pandas', 'NA'),
    ('pandas.arrays', 'StringArray'),
    ('pandas.core.arrays.categorical', 'Categorical'),
    ('pandas.core.arrays.string_', 'StringArray'),
    ('pandas.core.dtypes.dtypes', 'CategoricalDtype'),
    ('pandas._libs.internals', '_unpickle_block'),
    ('pandas._libs.arrays', '__pyx_unpickle_NDArrayBacked'),
    # numpy arrays, scalars and dtypes
    ('numpy', 'ndarray'),
    ('numpy', 'dtype'),
    ('numpy.core.multiarray', '_reconstruct'),
    ('numpy._core.multiarray', '_reconstruct'),
    ('numpy.core.multiarray', 'scalar'),
    ('numpy._core.multiarray', 'scalar'),
    ('numpy.core.numeric', '_frombuffer'),
    ('numpy._core.numeric', '_frombuffer'),
    # plain data
    ('builtins', 'slice'),
])


class RefusedPickleGlobal(pickle.UnpicklingError):
    """An annotation pickle names a global outside the allow-list."""


class _AnnotationUnpickler(pickle.Unpickler):

    def __init__(self, file, path: str, allowed: FrozenSet[Tuple[str, str]]):
        super().__init__(file)
        self._path = path
        self._allowed = allowed

    def find_class(self, module: str, name: str):
        allowed = (module, name) in self._allowed or (
            module == 'numpy.dtypes' and name.endswith('DType'))
        if not allowed:
            raise RefusedPickleGlobal(
                f"annotation pickle '{self._path}' refers to the global "
                f"'{module}.{name}', which is not one of the pandas/numpy "
                'types a DataFrame needs; refused (nothing was executed). See '
                'mmaction_merdg/compat/annotation_pickle.py to allow a '
                'reviewed type (extra_globals).')
        return super().find_class(module, name)


def read_annotation_pickle(
        path: str,
        extra_globals: Optional[Iterable[Tuple[str, str]]] = None):
    """Load a pickled ``pandas.DataFrame`` without running foreign code.

    Args:
        path (str): The pickle (uncompressed, as the MM-SADA splits are).
        extra_globals (Iterable[tuple[str, str]], optional): Further
            ``(module, name)`` globals to allow, after review.

    Returns:
        pandas.DataFrame: The annotations.

    Raises:
        RefusedPickleGlobal: The pickle names a global outside the
            allow-list (the message names the file and the global).
        pickle.UnpicklingError: The file is empty, truncated or not a pickle
            (the message names the file).
        TypeError: The pickle holds something other than a DataFrame.
    """
    import pandas as pd
    allowed = ANNOTATION_PICKLE_GLOBALS | frozenset(
        tuple(g) for g in (extra_globals or ()))
    with open(path, 'rb') as f:
        try:
            obj = _AnnotationUnpickler(f, path, allowed).load()
        except RefusedPickleGlobal:
            raise
        except (EOFError, pickle.UnpicklingError, ValueError, TypeError,
                AttributeError, ImportError, IndexError, KeyError) as err:
            raise pickle.UnpicklingError(
                f"annotation pickle '{path}' is empty, truncated or not a "
                f'pandas pickle: {type(err).__name__}: {err}') from err
    if not isinstance(obj, pd.DataFrame):
        raise TypeError(f"annotation pickle '{path}' holds a "
                        f'{type(obj).__name__}, expected a pandas DataFrame')
    return obj
