"""Reads of the report pages for a user, through the jurisdiction gate: the area a report is
of (404 outside the jurisdiction), the areas above it, the three reports and the user's saved
joint plans."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils.safestring import SafeString

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.accounts.models import User
from dangjian.areas.models import Area, AreaLevel
from dangjian.reports.coverage import coverage_report
from dangjian.reports.models import JointProposal
from dangjian.reports.orgbuilding import org_building_report
from dangjian.reports.planner import JointPlan, plan_joint
from dangjian.web import lists, tables

# The levels a report counts by, and a report's area select offers.
REPORT_LEVELS = (AreaLevel.CITY, AreaLevel.DISTRICT, AreaLevel.TOWNSHIP)
WHOLE = "本人管辖范围"  # the select's entry for a jurisdiction that is no one area


def report_area(*, user: User, code: str) -> Area | None:
    """The area of `code` (through the gate: 404 outside), or the user's whole jurisdiction
    for none. Reports count by township: a community stands for its township."""
    gate = Jurisdiction(user)
    area = gate.access_area(code) if code else None
    if area is not None and area.level == AreaLevel.COMMUNITY and area.parent_id:
        area = Area.objects.get(pk=area.parent_id)
    return area if area is not None else gate.facts_area()


def area_trail(*, user: User, area: Area) -> list[Area]:
    """The report levels' areas from below the user's top area down to `area` (the top area
    is the report page itself)."""
    top = Jurisdiction(user).facts_area()
    chain = Area.objects.filter(code__in=area.ancestor_codes(), level__in=REPORT_LEVELS)
    return [
        a
        for a in chain.order_by("path")
        if top is None or (a.path.startswith(top.path) and a.code != top.code)
    ]


def area_picker(*, user: User, area: Area | None) -> SafeString:
    """The `<option>`s of a report's area select (`web.lists.area_options` of the report
    levels), `area` selected; a user whose jurisdiction is no area (a registry, a secretary)
    first gets their whole one."""
    areas = lists.area_options(Jurisdiction(user), capped=False, levels=REPORT_LEVELS)
    options = lists.area_select(areas, area)
    if area is not None and any(a["code"] == area.code for a in areas):
        return options
    return tables.options([("", WHOLE)], "") + options


def area_names(codes: set[str]) -> dict[str, str]:
    """The names of areas the user's reports name (the districts of its townships): a label,
    never a link, so an area above the jurisdiction may be named."""
    return dict(Area.objects.filter(code__in=codes).values_list("code", "name"))


def coverage(*, user: User, area: Area | None, as_of: dt.date) -> dict[str, Any]:
    """Coverage by area (`reports.coverage`) of the user's jurisdiction."""
    return coverage_report(as_of=as_of, area=area, user=user)


def org_building(*, user: User, area: Area | None, as_of: dt.date) -> dict[str, Any]:
    """The official table (`reports.orgbuilding`) of the user's jurisdiction."""
    return org_building_report(as_of=as_of, area=area, user=user)


def joint_plan(*, user: User, area: Area | None, as_of: dt.date) -> JointPlan:
    """The joint planner's plan (`reports.planner`) of the user's jurisdiction."""
    return plan_joint(as_of=as_of, area=area, user=user)


def proposal_list(*, user: User, limit: int = 5) -> QuerySet[JointProposal]:
    """The user's own saved plans, latest first."""
    return JointProposal.objects.filter(user=user)[:limit]
