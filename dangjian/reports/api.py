"""/api/v1/reports — the reports, in the shape of the commands' JSON, scoped."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.lib.api import ERRORS, unprocessable
from dangjian.lib.pages import AREA_CODE
from dangjian.reports.coverage import coverage_report
from dangjian.reports.orgbuilding import org_building_report

router = Router(tags=["统计报表"])


class ReportQuery(Schema):
    as_of: dt.date | None = Field(None, description="统计日期（默认今天）")
    area: str | None = Field(None, pattern=AREA_CODE, description="区划代码（6、9或12位）")


class CoverageRow(Schema):
    area: str
    name: str
    level: str
    orgs_active: int
    orgs_with_formal_members: int
    orgs_3plus: int
    orgs_standalone: int
    orgs_joint: int
    orgs_instructor: int
    org_coverage_rate: float | None
    work_coverage_rate: float | None
    party_orgs: int
    members_formal: int
    members_probationary: int


class OrgBuildingOut(Schema):
    as_of: dt.date
    area: str | None
    area_name: str = Field(description="统计范围的名称（区划，或单位、党组织所管的社会组织）")
    scope: str = Field(description="表头下一行：填报区划：… 或 统计范围：…")
    title: str = Field(description="表名，含统计范围")
    policy_version: str
    columns: list[str]
    rows: dict[str, list[int]]


def _args(request: HttpRequest, query: ReportQuery) -> dict[str, Any]:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    if query.as_of is not None and not dt.date(1990, 1, 1) <= query.as_of <= dt.date(2100, 1, 1):
        raise unprocessable("统计日期应在1990年至2100年之间")
    return {
        "as_of": query.as_of or timezone.localdate(),
        "area": gate.access_area(query.area) if query.area else None,
        "user": request.user,
    }


@router.get(
    "/coverage",
    response={200: list[CoverageRow], **ERRORS},
    summary="覆盖情况（市、区县、乡镇街道）",
)
def coverage(
    request: HttpRequest, response: HttpResponse, query: Query[ReportQuery]
) -> list[dict[str, Any]]:
    """The rows as CONTRACT.md shapes them; the settings version they follow in the
    response header `X-Policy-Version` (docs/policy-versions.md)."""
    report = coverage_report(**_args(request, query))
    response["X-Policy-Version"] = report["policy_version"]
    rows: list[dict[str, Any]] = report["rows"]
    return rows


@router.get(
    "/org-building",
    response={200: OrgBuildingOut, **ERRORS},
    summary="社会组织法人单位建立党的基层组织情况",
)
def org_building(request: HttpRequest, query: Query[ReportQuery]) -> dict[str, Any]:
    return org_building_report(**_args(request, query))
