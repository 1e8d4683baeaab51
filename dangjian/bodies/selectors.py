"""The reads of the work bodies' records, through the jurisdiction gate: they are the area
officers' records (POLICY 二.1, 2.3), cut to the officer's area; any other role sees none,
and a record outside answers 404 exactly as one that does not exist."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from dangjian.accounts.jurisdiction import Jurisdiction, NotFound
from dangjian.areas.models import Area
from dangjian.bodies.models import ContactPoint, TownshipCadre, WorkBody, WorkBodyStaff

# The area each model lies in (its path).
PATHS: dict[type[Any], str] = {
    WorkBody: "unit__area__path",
    WorkBodyStaff: "body__unit__area__path",
    TownshipCadre: "township__path",
    ContactPoint: "org__township__path",
}


def visible(model: type[Any], gate: Jurisdiction, area: Area | None = None) -> QuerySet[Any]:
    """The records of `model` the gate sees (in `area`, when given)."""
    qs = model._default_manager.all()
    if not gate.everything and gate.area is None:
        return qs.none()
    for scope in (gate.area, area):
        if scope is not None:
            qs = qs.filter(**{f"{PATHS[model]}__startswith": scope.path})
    return qs


def may_read(gate: Jurisdiction) -> bool:
    return gate.everything or gate.area is not None


def access(model: type[Any], gate: Jurisdiction, pk: Any) -> Any:
    """One record through the gate: outside it, or missing, NotFound (404)."""
    try:
        found = visible(model, gate).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise NotFound(f"{model._meta.verbose_name}不存在")
    return found


@dataclass
class BodyRow:
    body: WorkBody
    full_time: int
    part_time: int


def bodies(gate: Jurisdiction, area: Area | None, on: dt.date) -> list[BodyRow]:
    """The work bodies with their current staff, 专职 and 兼职 counted."""
    current = WorkBodyStaff.current_on_q(on, prefix="staff__")
    qs = (
        visible(WorkBody, gate, area)
        .select_related("unit__area")
        .annotate(
            n_full=Count("staff", filter=current & Q(staff__full_time=True)),
            n_part=Count("staff", filter=current & Q(staff__full_time=False)),
        )
        .order_by("unit__area__code", "kind", "unit__name")
    )
    return [BodyRow(b, b.n_full, b.n_part) for b in qs]


def cadres(gate: Jurisdiction, area: Area | None, on: dt.date, *, current: bool) -> Any:
    qs = visible(TownshipCadre, gate, area).select_related("township__parent")
    if current:
        qs = qs.filter(TownshipCadre.current_on_q(on))
    return qs.order_by("township__code", "started_on", "name")


def contact_points(gate: Jurisdiction, area: Area | None, on: dt.date, *, current: bool) -> Any:
    qs = visible(ContactPoint, gate, area).select_related("unit", "org__township")
    if current:
        qs = qs.filter(ContactPoint.current_on_q(on))
    return qs.order_by("org__township__code", "org__name", "started_on", "leader_name")
