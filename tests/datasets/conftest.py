"""Fixtures of the dataset and transform tests.

Real annotation files and media are read from ``<repo>/../shared/fixtures/real``
(not redistributed with the repository); tests that need them skip when that
folder is absent.
"""
import os.path as osp

import pytest

import mmaction_merdg  # noqa: F401  (registers the transforms and datasets)
from mmengine.registry import init_default_scope

REAL_ROOT = osp.abspath(
    osp.join(osp.dirname(__file__), '..', '..', '..', 'shared', 'fixtures',
             'real'))


@pytest.fixture(autouse=True)
def mmaction_scope():
    init_default_scope('mmaction')


@pytest.fixture
def real_root():
    """The real-fixture folder, or skip saying why."""
    if not osp.isdir(REAL_ROOT):
        pytest.skip(f'real fixtures not found at {REAL_ROOT} (they are not '
                    'redistributed with the repository)')
    return REAL_ROOT
