"""The guarded DRN shim makes `import mmaction.models` work on the 1.2.0 wheel."""
import os
import subprocess
import sys
import types

import pytest

from mmaction_merdg.compat import drn_shim

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _run(code):
    return subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                          cwd=REPO, timeout=120)


def test_plain_mmaction_models_import_is_broken_on_this_wheel():
    """Documents the breakage the shim exists for (guards against a stale shim)."""
    if not drn_shim.drn_is_missing():
        pytest.skip('this mmaction install ships localizers/drn; shim not needed')
    res = _run('import mmaction.models')
    assert res.returncode != 0
    assert "No module named 'mmaction.models.localizers.drn'" in res.stderr


def test_importing_plugin_makes_mmaction_models_importable():
    res = _run('import mmaction_merdg, mmaction.models; '
               'from mmaction.registry import MODELS; '
               "print(MODELS.get('ResNet3dSlowFast').__name__)")
    assert res.returncode == 0, res.stderr
    assert 'ResNet3dSlowFast' in res.stdout


def test_stand_in_drn_raises_clear_error():
    if not drn_shim.drn_is_missing():
        pytest.skip('real DRN present')
    from mmaction.models.localizers import DRN
    with pytest.raises(ImportError, match='lacks'):
        DRN()


def test_shim_not_applied_when_module_exists(tmp_path, monkeypatch):
    """With a real drn/drn.py on disk the shim does nothing."""
    root = tmp_path / 'mmaction'
    (root / 'models' / 'localizers' / 'drn').mkdir(parents=True)
    (root / 'models' / 'localizers' / 'drn' / 'drn.py').write_text('')
    fake_spec = types.SimpleNamespace(submodule_search_locations=[str(root)])
    monkeypatch.setattr(drn_shim.importlib.util, 'find_spec', lambda name: fake_spec)
    assert drn_shim.drn_is_missing() is False
    monkeypatch.delitem(sys.modules, drn_shim._DRN_MOD, raising=False)
    monkeypatch.delitem(sys.modules, drn_shim._DRN_PKG, raising=False)
    assert drn_shim.apply_drn_shim() is False
    assert drn_shim._DRN_MOD not in sys.modules
