"""The guarded VindLU shim: `import mmaction.models` beside transformers 5, 4.x and none.

Each case runs in a subprocess with a fake distribution (a package directory
plus ``<name>-<version>.dist-info/METADATA``) first on ``sys.path``, so that
mmaction's ``satisfy_requirement('transformers>=4.28.0')`` sees it.
"""
import os
import subprocess
import sys
import textwrap

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# A package whose every submodule and attribute exists (dummy classes that can be
# subclassed, called and used as decorators), except the names in MISSING.
_STUB_PACKAGE = '''
import importlib.abc
import importlib.machinery
import sys

__version__ = {version!r}
MISSING = {missing!r}


class _Meta(type):
    def __getattr__(cls, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return _make(name)


class _Dummy(metaclass=_Meta):
    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        return args[0] if args else None

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return _make(name)


def _make(name):
    return _Meta(name, (_Dummy, ), {{}})


def _getattr(name):
    if name in MISSING or name.startswith('__'):
        raise AttributeError(name)
    return _make(name)


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path, target=None):
        parts = fullname.split('.')
        if parts[0] == __name__ and len(parts) > 1 and parts[-1] not in MISSING:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        module.__getattr__ = _getattr


sys.meta_path.insert(0, _Finder())
__getattr__ = _getattr
'''


def _write_dist(root, name, version, missing=()):
    pkg = root / name
    pkg.mkdir()
    (pkg / '__init__.py').write_text(
        _STUB_PACKAGE.format(version=version, missing=set(missing)))
    info = root / f'{name}-{version}.dist-info'
    info.mkdir()
    (info / 'METADATA').write_text(
        f'Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n')


def _run(code, fake_root=None):
    path = [REPO] if fake_root is None else [str(fake_root), REPO]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(path))
    return subprocess.run([sys.executable, '-c', textwrap.dedent(code)],
                          capture_output=True, text=True, cwd=REPO, env=env,
                          timeout=180)


def _real_transformers_installed():
    import importlib.util
    return importlib.util.find_spec('transformers') is not None


_BUILD_VINDLU = '''
import sys
import mmaction_merdg, mmaction.models
from mmaction.registry import MODELS
vindlu = sys.modules.get('mmaction.models.multimodal.vindlu')  # None: never imported
print('SHIM', getattr(vindlu, '__merdg_shim__', False))
print('SLOWFAST', MODELS.get('ResNet3dSlowFast').__name__)
try:
    MODELS.build(dict(type='VindLURetrieval'))
except Exception as exc:  # the real class wants arguments: a TypeError
    print('ERROR', type(exc).__name__, exc)
'''


def test_transformers_5_breaks_mmaction_without_the_shim(tmp_path):
    """Documents the breakage: with the DRN shim alone, mmaction.models dies."""
    _write_dist(tmp_path, 'transformers', '5.0.0', missing={'apply_chunking_to_forward'})
    _write_dist(tmp_path, 'timm', '1.0.0')  # present on GPU images; VindLU imports it
    # Load drn_shim.py alone: importing mmaction_merdg would apply both shims.
    res = _run('''
        import importlib.util
        spec = importlib.util.spec_from_file_location(
            'drn_shim', 'mmaction_merdg/compat/drn_shim.py')
        drn_shim = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(drn_shim)
        drn_shim.apply_drn_shim()
        import mmaction.models
        ''', tmp_path)
    assert res.returncode != 0
    assert 'apply_chunking_to_forward' in res.stderr


def test_transformers_5_stand_in_names_the_cause(tmp_path):
    _write_dist(tmp_path, 'transformers', '5.0.0', missing={'apply_chunking_to_forward'})
    _write_dist(tmp_path, 'timm', '1.0.0')  # present on GPU images; VindLU imports it
    res = _run(_BUILD_VINDLU, tmp_path)
    assert res.returncode == 0, res.stderr
    assert 'SHIM True' in res.stdout
    assert 'SLOWFAST ResNet3dSlowFast' in res.stdout
    err = [line for line in res.stdout.splitlines() if line.startswith('ERROR')]
    assert err, res.stdout
    assert 'transformers==5.0.0' in err[0]
    assert 'apply_chunking_to_forward' in err[0]
    assert 'modeling_bert.py' in err[0]


def test_transformers_4_keeps_the_real_vindlu(tmp_path):
    """Where VindLU's imports succeed, the real modules load and nothing is replaced."""
    _write_dist(tmp_path, 'transformers', '4.40.0')
    _write_dist(tmp_path, 'timm', '0.9.0')  # VindLU also imports timm
    res = _run(_BUILD_VINDLU + '''
from mmaction.models.multimodal.vindlu.vindlu_ret import VindLURetrieval
assert MODELS.get('VindLURetrieval') is VindLURetrieval
print('REAL', vindlu.__file__)
''', tmp_path)
    assert res.returncode == 0, res.stderr
    assert 'SHIM False' in res.stdout
    assert 'REAL ' in res.stdout and 'site-packages' in res.stdout
    assert 'ERROR TypeError' in res.stdout  # the real constructor ran


def test_no_transformers_leaves_mmaction_placeholders():
    if _real_transformers_installed():
        pytest.skip('transformers is installed in this environment')
    res = _run(_BUILD_VINDLU)
    assert res.returncode == 0, res.stderr
    assert 'SHIM False' in res.stdout
    assert 'mmaction2[multimodal]' in res.stdout  # mmaction's own placeholder


def test_probe_is_none_without_transformers():
    from mmaction_merdg.compat import vindlu_import_error
    if _real_transformers_installed():
        pytest.skip('transformers is installed in this environment')
    assert vindlu_import_error() is None
