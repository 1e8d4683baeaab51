"""The admin is scoped by its base class, not patched at start-up: every registered model
admin derives from the scoped one, and those with history pages from the scoped history one."""

from __future__ import annotations

import pytest
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from dangjian.core.admin import ScopedAdmin, ScopedHistoryAdmin

REGISTRY = [
    pytest.param(model_admin, id=model._meta.label)
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda i: i[0]._meta.label)
]


@pytest.mark.parametrize("model_admin", REGISTRY)
def test_it_scopes_every_registered_admin(model_admin: admin.ModelAdmin) -> None:
    assert isinstance(model_admin, ScopedAdmin)
    if isinstance(model_admin, SimpleHistoryAdmin):
        assert isinstance(model_admin, ScopedHistoryAdmin)
