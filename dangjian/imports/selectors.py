"""Reads of the import pages for a user: who may import, and their own uploads and imports
(another user's upload answers 404, exactly as a missing one)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from dangjian.accounts.models import Role, User
from dangjian.imports.models import OPEN, ImportBatch, PendingUpload

IMPORTERS = (Role.CITY, Role.DISTRICT, Role.TOWNSHIP)


def may_import(user: Any) -> bool:
    """The area officers with an area, the registry with its unit (its own organizations'
    registration facts, inspections and evaluations: `writers.ROLE_KINDS`), and the system
    operator (a superuser with no role; a superuser given a role acts as that role, as
    everywhere else). Which kinds each may import is `writers.writable_kinds`."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser and not user.role:
        return True
    if user.role == Role.REGISTRY:
        return user.unit_id is not None
    return user.role in IMPORTERS and user.area_id is not None


def access_upload(*, user: User, pk: int) -> PendingUpload:
    """The user's own upload `pk` (404 for anyone else's)."""
    return get_object_or_404(PendingUpload, pk=pk, user=user)


def open_uploads(*, user: User, limit: int = 20) -> list[PendingUpload]:
    """The user's uploads still to be acted on (the file is kept), latest first."""
    return list(PendingUpload.objects.filter(user=user, state__in=OPEN)[:limit])


def finished_imports(*, user: User, limit: int = 10) -> list[ImportBatch]:
    """The user's latest finished imports."""
    return list(ImportBatch.objects.filter(user=user, finished_at__isnull=False)[:limit])


def upload_of_batch(*, user: User, batches: list[ImportBatch]) -> dict[int, int]:
    """The user's upload (its pk) that made each of `batches`, where it was one."""
    rows: QuerySet[Any] = PendingUpload.objects.filter(user=user, batch__in=batches).values_list(
        "batch_id", "pk"
    )
    return dict(rows)
