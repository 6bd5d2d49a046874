"""Make ``import mmaction.models`` work where VindLU's imports fail (transformers 5).

mmaction2 1.2's ``mmaction/utils/dependency.py`` enables its multimodal
(VindLU) models whenever ``transformers>=4.28`` is installed, and
``mmaction/models/multimodal/vindlu/modeling_bert.py`` then imports
``apply_chunking_to_forward`` from ``transformers.modeling_utils``, which
transformers 5 removed. ``import mmaction.models`` (and so this plugin) dies
with an ImportError on most GPU images, although nothing here uses VindLU.

We never patch installed files. Instead, before ``mmaction.models`` is
imported, we try every third-party import the installed VindLU modules make
(read from their source with :mod:`ast`, so the probe follows the installed
version). Only when one of them really fails do we put a stand-in
``mmaction.models.multimodal.vindlu`` module into ``sys.modules``; its models
are registered under VindLU's names and raise an ImportError naming the
failed import when someone builds one. Where the imports succeed (transformers
4.x with timm and einops) or ``transformers`` is absent (mmaction registers its
own placeholders), nothing is changed.
"""
import ast
import importlib
import importlib.util
import os
import sys
import types
from typing import List, Optional, Tuple

_VINDLU_PKG = 'mmaction.models.multimodal.vindlu'
# The names the real package registers, per registry (mmaction2 1.2.0).
_MODEL_NAMES = ('VindLUVQA', 'VindLURetrievalMC', 'VindLURetrieval',
                'BeitModel3D', 'XBertForMaskedLM', 'XBertModel', 'BertDecoder')
_TOKENIZER_NAMES = ('VindLUTokenizer', )


def _vindlu_dir() -> Optional[str]:
    spec = importlib.util.find_spec('mmaction')
    if spec is None or not spec.submodule_search_locations:
        return None
    path = os.path.join(list(spec.submodule_search_locations)[0], 'models',
                        'multimodal', 'vindlu')
    return path if os.path.isdir(path) else None


def _external_imports(vindlu_dir: str) -> List[Tuple[str, Tuple[str, ...], str]]:
    """The module-level absolute imports of VindLU outside mmaction.

    Returns:
        list[tuple]: ``(module, names, where)``; ``names`` is empty for a plain
        ``import module``; ``where`` is ``file:line`` for the error message.
    """
    found = []
    for fname in sorted(os.listdir(vindlu_dir)):
        if not fname.endswith('.py'):
            continue
        path = os.path.join(vindlu_dir, fname)
        with open(path, encoding='utf-8') as f:
            tree = ast.parse(f.read(), filename=path)
        for node in tree.body:  # module level only, as Python executes it
            where = f'{path}:{node.lineno}'
            if isinstance(node, ast.Import):
                found += [(a.name, (), where) for a in node.names
                          if not a.name.startswith('mmaction')]
            elif (isinstance(node, ast.ImportFrom) and node.level == 0
                  and node.module and not node.module.startswith('mmaction')):
                found.append((node.module,
                              tuple(a.name for a in node.names), where))
    return found


def vindlu_import_error() -> Optional[str]:
    """Why the installed VindLU modules cannot be imported, or None if they can.

    Returns None without importing anything when mmaction would not import
    VindLU at all (``transformers>=4.28.0`` not installed) or when the installed
    mmaction has no VindLU package.
    """
    from mmaction.utils.dependency import WITH_MULTIMODAL
    vindlu_dir = _vindlu_dir()
    if not WITH_MULTIMODAL or vindlu_dir is None:
        return None
    for module, names, where in _external_imports(vindlu_dir):
        try:
            mod = importlib.import_module(module)
            for name in names:
                if not hasattr(mod, name):
                    importlib.import_module(f'{module}.{name}')
        except Exception as exc:  # noqa: BLE001 - any failure breaks mmaction
            what = f'from {module} import {", ".join(names)}' if names \
                else f'import {module}'
            return f'{what} ({where}) fails: {type(exc).__name__}: {exc}'
    return None


def _transformers_version() -> str:
    try:
        from importlib.metadata import version
        return version('transformers')
    except Exception:  # noqa: BLE001
        return 'unknown'


def _stand_in(name: str, cause: str):

    def build(*args, **kwargs):
        raise ImportError(
            f'{name} (mmaction VindLU) is not available: its imports fail with '
            f'the installed transformers=={_transformers_version()}: {cause}. '
            'mmaction_merdg installed a stand-in so that the rest of '
            'mmaction.models imports; install transformers>=4.28,<5 (with timm '
            'and einops) to use VindLU.')

    build.__name__ = build.__qualname__ = name
    return build


def apply_vindlu_shim() -> bool:
    """Install stand-in VindLU modules when the real ones cannot be imported.

    Must run before ``mmaction.models`` is imported (the plugin's
    ``__init__`` does so).

    Returns:
        bool: True when the shim was installed by this call or an earlier one.
    """
    if _VINDLU_PKG in sys.modules:
        return getattr(sys.modules[_VINDLU_PKG], '__merdg_shim__', False)
    cause = vindlu_import_error()
    if cause is None:
        return False
    from mmaction.registry import MODELS, TOKENIZER
    mod = types.ModuleType(_VINDLU_PKG)
    mod.__path__ = []
    mod.__merdg_shim__ = True
    mod.__merdg_cause__ = cause
    mod.__all__ = list(_MODEL_NAMES + _TOKENIZER_NAMES)
    for registry, names in ((MODELS, _MODEL_NAMES),
                            (TOKENIZER, _TOKENIZER_NAMES)):
        for name in names:
            fn = _stand_in(name, cause)
            setattr(mod, name, fn)
            registry.register_module(name=name, module=fn, force=True)
    sys.modules[_VINDLU_PKG] = mod
    return True
