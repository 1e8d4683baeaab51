from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def areas(db):
    """A slice of real Changsha divisions (see tests/factories.py)."""
    return factories.changsha_sample()
