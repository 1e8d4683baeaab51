"""Reads of users: those an actor may manage (docs/permissions.md), for the users' list.

The filter is `services.managed_q`, the same rule as `services.may_manage` reads for one
user, so the list shows exactly the users whose pages open."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from dangjian.accounts.models import User
from dangjian.accounts.services import managed_q

SORT = {
    "username": "username",
    "name": "first_name",
    "role": "role",
    "active": "is_active",
    "last_login": "last_login",
}


def users_for(actor: User, filters: dict[str, Any] | None = None) -> QuerySet[User]:
    """The users `actor` may manage, filtered by `q` (user name or name), `role` and
    `state` (active / inactive)."""
    f = filters or {}
    qs = User.objects.filter(managed_q(actor)).select_related(
        "area", "unit", "party_org", "instructor__person"
    )
    if f.get("q"):
        q = f["q"]
        qs = qs.filter(
            Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q)
        )
    if f.get("role"):
        qs = qs.filter(role=f["role"])
    if f.get("state") == "active":
        qs = qs.filter(is_active=True)
    elif f.get("state") == "inactive":
        qs = qs.filter(is_active=False)
    return qs
