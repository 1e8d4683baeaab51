from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def areas(db):
    """A slice of real Changsha divisions (see tests/factories.py)."""
    return factories.changsha_sample()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing costs half a second per user on purpose; tests need not pay it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Figures cached under the data version (dashboards, list headings, filter choices):
    every test's database starts the version again, so what an earlier test cached must not
    be found."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_policy_versions(monkeypatch):
    """The adopted policy versions are cached per process for `CACHE_SECONDS`, and forgotten
    whenever one is saved or deleted (policies/selectors.py). Every test's database starts
    without any: the cache starts so, with no expiry — a count of queries does not depend
    on whether an earlier call of the test filled it."""
    from dangjian.policies import selectors

    monkeypatch.setattr(selectors, "CACHE_SECONDS", float("inf"))
    selectors.prime([])
    yield
    selectors.forget()
