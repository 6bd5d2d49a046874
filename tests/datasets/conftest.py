"""Fixtures of the dataset and transform tests (see also tests/conftest.py).

Real annotation files and media come from ``<repo>/../shared/fixtures/real``
(not redistributed with the repository); tests that need them skip, saying
why, when that folder is absent.
"""
import pytest


@pytest.fixture
def real_root(real_fixtures):
    """The real-fixture folder (``tests/conftest.py`` skips when absent)."""
    return real_fixtures
