"""Shared test helpers. Tests run on CPU with tiny shapes."""
import os.path as osp

import pytest

import mmaction_merdg  # noqa: F401  (registers modules; makes mmaction.models importable)

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
REAL_FIXTURES = osp.join(osp.dirname(REPO), 'shared', 'fixtures', 'real')


@pytest.fixture(autouse=True)
def _mmaction_scope():
    """Build from MMAction2's registries, as a Runner with default_scope does."""
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('mmaction'):
        yield


@pytest.fixture
def real_fixtures():
    """Path of ../shared/fixtures/real; skips when the folder is absent."""
    if not osp.isdir(REAL_FIXTURES):
        pytest.skip(f'real fixtures not found at {REAL_FIXTURES} '
                    '(../shared is provided to developers and CI only)')
    return REAL_FIXTURES
