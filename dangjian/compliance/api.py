"""/api/v1/findings — the findings of `check`, in its JSON shape, scoped and paginated."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.compliance.engine import RULES, evaluate, finding_dict
from dangjian.lib.api import ERRORS, unprocessable
from dangjian.lib.pages import AREA_CODE, PageQuery

router = Router(tags=["政策规则检查"])
RuleId = Literal[tuple(sorted(RULES))]  # type: ignore[valid-type]


class SubjectOut(Schema):
    type: str
    key: str
    name: str


class FindingOut(Schema):
    rule: str
    clause: str
    severity: str
    subject: SubjectOut
    area: str
    message: str
    action: str
    due: dt.date | None
    facts: dict[str, Any]


class FindingsOut(Schema):
    as_of: dt.date
    policy_version: str
    summary: dict[str, int]
    findings: list[FindingOut] = Field(description="本页的问题（按规则、对象编码排序）")
    count: int = Field(description="问题总数")
    page: int


class FindingFilters(PageQuery):
    as_of: dt.date | None = Field(None, description="检查日期（默认今天）")
    area: str | None = Field(None, pattern=AREA_CODE, description="区划代码（6、9或12位）")
    rule: list[RuleId] | None = Field(  # type: ignore[valid-type]
        None, description="规则编号（可重复：?rule=A&rule=B 取其中任一规则的问题）"
    )


@router.get("", response={200: FindingsOut, **ERRORS}, summary="按政策规则检查的问题")
def findings(request: HttpRequest, filters: Query[FindingFilters]) -> dict[str, Any]:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    for rule in filters.rule or ():
        if rule not in RULES:
            raise unprocessable(f"规则「{rule}」不存在")
    area = gate.access_area(filters.area) if filters.area else None
    if filters.as_of is not None and not dt.date(1990, 1, 1) <= filters.as_of <= dt.date(
        2100, 1, 1
    ):
        raise unprocessable("检查日期应在1990年至2100年之间")
    result = evaluate(
        as_of=filters.as_of or timezone.localdate(),
        area=area,
        rules=sorted(set(filters.rule)) if filters.rule else None,
        user=request.user,  # type: ignore[arg-type]
    )
    start = (filters.page - 1) * filters.page_size
    page = result.findings[start : start + filters.page_size]
    return {
        "as_of": result.as_of,
        "policy_version": result.policy_version,
        "summary": result.summary,
        "findings": [finding_dict(f) for f in page],
        "count": len(result.findings),
        "page": filters.page,
    }
