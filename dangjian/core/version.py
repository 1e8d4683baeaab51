"""The data version: a number that changes whenever the data changes, so that aggregates
(dashboards) are computed once per change and cached under it.

Saves and deletes through the ORM bump it by signal; set-based writes (imports, demo data,
recorded checks) call `bump()` themselves.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F

from dangjian.core.models import DataVersion

# Apps whose rows are the data (not logs and sessions).
DATA_APPS = {"areas", "orgs", "people", "partyorgs", "compliance", "accounts", "life"}


def data_version() -> int:
    row = DataVersion.objects.filter(pk=1).values_list("value", flat=True).first()
    return row or 0


def _apply() -> None:
    if not DataVersion.objects.filter(pk=1).update(value=F("value") + 1):
        DataVersion.objects.get_or_create(pk=1, defaults={"value": 1})


def bump() -> None:
    """The version changes when the transaction commits: once, however many rows it saved.
    (A callback already waiting is enough; Django drops it with a rolled-back savepoint, and
    a later change then queues it again.)"""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        func is _apply for _sids, func, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(_apply)


def on_change(sender: Any, **kwargs: Any) -> None:
    if sender._meta.app_label in DATA_APPS and sender is not DataVersion:
        bump()
