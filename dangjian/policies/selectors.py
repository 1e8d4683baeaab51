"""Reads of the policy versions (docs/policy-versions.md)."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.compliance.policy import Policy, default_text, load, parsed
from dangjian.policies.models import PolicyDraft, PolicyVersion

# The adopted versions, read once per `CACHE_SECONDS` per process (a lookup per page, per
# evaluation and per export would otherwise cost a query each): forgotten at once in the
# process that adopts one (signals below, and on commit), within `CACHE_SECONDS` in the
# others (docs/policy-versions.md).
CACHE_SECONDS = 30.0
_cache: dict[str, tuple[float, list[tuple[dt.date, str]]]] = {}


def forget() -> None:
    _cache.clear()


def prime(rows: list[tuple[dt.date, str]]) -> None:
    """Hold `rows` (effective date, text) as the adopted versions until forgotten."""
    _cache["versions"] = (time.monotonic(), rows)


def _adopted() -> list[tuple[dt.date, str]]:
    now = time.monotonic()
    hit = _cache.get("versions")
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    rows = list(
        PolicyVersion.objects.order_by("effective_from", "pk").values_list("effective_from", "text")
    )
    _cache["versions"] = (now, rows)
    return rows


@receiver([post_save, post_delete], sender=PolicyVersion)
def _forget_on_change(**_kwargs: Any) -> None:
    forget()
    transaction.on_commit(forget)


def version_in_force(day: dt.date | None = None) -> Policy:
    """The settings in force on `day` (today by default): the adopted revision with the
    latest effective date on or before it (of two on one day, the later adopted), else
    the shipped settings. Each revision's text is read once per process
    (`policy.parsed`)."""
    day = day or timezone.localdate()
    for effective_from, text in reversed(_adopted()):
        if effective_from <= day:
            return parsed(text)
    return load()


@dataclass(frozen=True)
class VersionRow:
    """A version as the versions page lists it (the shipped one has no record)."""

    number: str
    version: str
    document: str
    effective_from: dt.date
    adopted_by: str
    adopted_at: Any
    reason: str
    record: PolicyVersion | None
    in_force: bool = False


def versions(today: dt.date | None = None) -> list[VersionRow]:
    """Every version, the shipped settings first, then the revisions by effective date;
    the one in force today marked."""
    today = today or timezone.localdate()
    shipped = load()
    rows = [
        VersionRow(
            shipped.version.rsplit("+", 1)[0], shipped.version, shipped.document,
            shipped.effective_on, "系统内置（policy.toml）", None, "随系统发布的默认设置", None,
        )
    ]  # fmt: skip
    for v in PolicyVersion.objects.select_related("adopted_by").order_by("effective_from", "pk"):
        rows.append(
            VersionRow(
                v.number, v.version, v.document, v.effective_from, str(v.adopted_by),
                v.adopted_at, v.reason, v,
            )
        )  # fmt: skip
    current = version_in_force(today).version
    # The latest row carrying the version in force (the shipped one when none is adopted).
    effective = [i for i, r in enumerate(rows) if r.effective_from <= today or i == 0]
    marked = next((i for i in reversed(effective) if rows[i].version == current), 0)
    rows[marked] = VersionRow(**{**rows[marked].__dict__, "in_force": True})
    return rows


def text_in_force(day: dt.date | None = None) -> str:
    """The text of the version in force (to start a revision from)."""
    day = day or timezone.localdate()
    for effective_from, text in reversed(_adopted()):
        if effective_from <= day:
            return text
    return default_text()


def may_compare(user: Any) -> bool:
    """City and district officers (and the system operator) weigh revisions."""
    return bool(user.is_superuser or user.role in (Role.CITY, Role.DISTRICT))


def may_adopt(user: Any) -> bool:
    """Only city officers (and the system operator) adopt a revision."""
    return bool(user.is_superuser or user.role == Role.CITY)


def draft_of(user: Any, pk: int) -> PolicyDraft:
    """A draft of the user's own; anyone else's answers as one that does not exist."""
    draft = PolicyDraft.objects.filter(pk=pk, author=user).first()
    if draft is None or not may_compare(user):
        raise Http404("修订草案不存在")
    return draft
