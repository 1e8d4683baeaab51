"""The figures of a dashboard, computed once per change of the data and per jurisdiction,
not once per request: the cache key carries the data version (bumped by every write)."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db.models import Count, F, Q
from django.utils.safestring import mark_safe

from dangjian.accounts.jurisdiction import Jurisdiction, findings_for
from dangjian.accounts.models import User
from dangjian.areas.models import Area
from dangjian.compliance import policy as policy_module
from dangjian.compliance.engine import open_counts, open_on
from dangjian.compliance.rules.base import RULES
from dangjian.core.version import data_version
from dangjian.orgs.models import OrgKind
from dangjian.reports.coverage import coverage_report


def _scope(user: User) -> str:
    """What fixes a user's jurisdiction: users with the same one share cached figures."""
    return f"{user.role}:{user.area_id}:{user.unit_id}:{user.party_org_id}:{user.instructor_id}:{user.is_superuser}"


def _key(user: User, area: Area | None, as_of: dt.date) -> str:
    return f"dashboard:{data_version()}:{_scope(user)}:{area.code if area else ''}:{as_of}"


def _cached[T](key: str, compute: Callable[[], T]) -> T:
    """What the cache holds under `key` (a key that carries the data version), computed and
    stored for a day the first time."""
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, 24 * 3600)
    return found


def dashboard_body(user: User, area: Area | None, as_of: dt.date, render: Callable[[], str]) -> str:
    """The rendered body of a dashboard (`render()`), once per data version: what every
    user of the same jurisdiction sees, so the page's own work per request is its frame."""
    return mark_safe(_cached(f"html:{_key(user, area, as_of)}", lambda: str(render())))


def per_version[T](name: str, user: User, compute: Callable[[], T]) -> T:
    """`compute()` once per data version and jurisdiction: for what every page of a user
    shows and only a change of the data changes (the areas of a filter's select)."""
    return _cached(f"{name}:{data_version()}:{_scope(user)}", compute)


def dashboard(user: User, area: Area | None, as_of: dt.date) -> dict[str, Any]:
    return _cached(_key(user, area, as_of), lambda: _compute(user, area, as_of))


def _compute(user: User, area: Area | None, as_of: dt.date) -> dict[str, Any]:
    from dangjian.accounts.jurisdiction import facts_for

    gate = Jurisdiction(user)
    facts = facts_for(as_of, area, user)
    report = coverage_report(
        as_of=as_of, area=area if area is not None else gate.facts_area(), facts=facts, user=user
    )
    rows = report["rows"]
    top = rows[0] if rows else None
    children = [r for r in rows[1:] if top and _is_child(r, top)]
    kinds: dict[str, dict[str, int]] = {
        k: {"standalone": 0, "joint": 0, "other": 0, "none": 0} for k in OrgKind.values
    }
    threshold = policy_module.in_force(as_of)["standalone_min_formal_members"]
    orgs_active = 0
    for kind, profile, n, _staff in facts.profiles("kind", threshold):
        if profile.standalone is not None:
            state = "standalone"
        elif profile.joint:
            state = "joint"
        elif profile.covered:
            state = "other"
        else:
            state = "none"
        kinds[kind][state] += n
        orgs_active += n
    # One grouped read of the open findings (the jurisdiction's filter is the costly part).
    by_severity: dict[str, int] = {}
    by_rule: dict[str, int] = {}
    for rule, severity, n in (
        findings_for(user)
        .filter(open_on(as_of, area))
        .order_by()
        .values_list("rule", "severity")
        .annotate(n=Count("pk"))
    ):
        by_severity[severity] = by_severity.get(severity, 0) + n
        by_rule[rule] = by_rule.get(rule, 0) + n
    months = [_months_back(as_of, n) for n in range(11, -1, -1)]
    trend = _trend(user, area, months)
    members_formal = (
        sum(r["members_formal"] for r in children)
        if children
        else (top["members_formal"] if top else 0)
    )
    return {
        "as_of": as_of.isoformat(),
        "policy_version": report["policy_version"],
        "top": top,
        "children": children,
        "orgs_active": orgs_active,
        "party_orgs": sum(facts.active_party_orgs_by_township().values()),
        "members_formal": top["members_formal"] if top else members_formal,
        "members_probationary": top["members_probationary"] if top else 0,
        "kinds": kinds,
        "findings_by_severity": {s: by_severity.get(s, 0) for s in ("high", "medium", "low")},
        "findings_by_rule": {r: by_rule[r] for r in sorted(by_rule)},
        "rule_titles": {r: RULES[r].title for r in RULES},
        "trend": [(m.isoformat(), trend[m]) for m in months],
    }


def _is_child(row: dict[str, Any], top: dict[str, Any]) -> bool:
    order = {"city": "district", "district": "township"}
    return row["level"] == order.get(top["level"]) and row["area"].startswith(
        top["area"][: 4 if top["level"] == "city" else 6]
    )


def _months_back(day: dt.date, n: int) -> dt.date:
    year, month = day.year, day.month - n
    while month <= 0:
        month += 12
        year -= 1
    return dt.date(year, month, min(day.day, 28))


def _trend(user: User, area: Area | None, days: list[dt.date]) -> dict[dt.date, int]:
    """How many findings were open on each of `days` (as `engine.open_on` says), from ONE
    read of the user's findings open at some time between the first and the last day: the
    jurisdiction's filter is the costly part of the query, so it runs once, not per day.
    Open on D = seen by D minus resolved by D, among those ever open (resolved after first
    seen)."""
    if not days:
        return {}
    qs = findings_for(user).filter(
        Q(resolved_on__isnull=True) | Q(resolved_on__gt=F("first_seen")),
        Q(resolved_on__isnull=True) | Q(resolved_on__gt=min(days)),
        first_seen__lte=max(days),
    )
    if area is not None:
        qs = qs.filter(area_path__startswith=area.path)
    seen: list[dt.date] = []
    resolved: list[dt.date] = []
    for first, last in qs.order_by().values_list("first_seen", "resolved_on"):
        seen.append(first)
        if last is not None:
            resolved.append(last)
    seen.sort()
    resolved.sort()
    return {day: bisect_right(seen, day) - bisect_right(resolved, day) for day in days}


__all__ = ["dashboard", "dashboard_body", "open_counts", "per_version"]
