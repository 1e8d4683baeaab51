"""/api/v1/orgs — social organizations, scoped to the caller's jurisdiction."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.lib.api import ERRORS
from dangjian.lib.pages import AREA_CODE, PageQuery, page_of
from dangjian.orgs import selectors
from dangjian.orgs.models import Industry, SocialOrganization
from dangjian.orgs.selectors import RELATED, org_rows
from dangjian.partyorgs.models import PartyOrgLevel
from dangjian.web import figures

router = Router(tags=["社会组织"])


class OrgOut(Schema):
    uscc: str
    name: str
    kind: str
    registry: str
    registration_mode: str
    supervisor: str | None
    industry: str
    district: str
    township: str
    community: str | None
    registered_on: dt.date
    status: str
    status_changed_on: dt.date | None
    staff_count: int | None
    party_management: str
    covered_by: list[str] = Field(description="覆盖它的党组织编码（今天）")
    formal_members: int = Field(description="在职正式党员数（今天）")


class OrgPage(Schema):
    items: list[OrgOut]
    count: int


def _keys(choices: list[tuple[str, str]]) -> Any:
    return Literal[tuple(key for key, _label in choices)]


CoverageKey = _keys([*figures.COVERAGE_STATES, ("other", "功能型覆盖")])
MemberBand = _keys(figures.MEMBER_BANDS)
IndustryKey = _keys(Industry.choices)
LevelKey = _keys(PartyOrgLevel.choices)


class OrgFilters(PageQuery):
    """The filters of the organization list of the pages (`orgs.selectors.org_list`)."""

    area: str | None = Field(None, pattern=AREA_CODE, description="区划代码（6、9或12位）")
    kind: Literal["association", "service_agency", "foundation"] | None = None
    status: Literal["active", "deregistered", "revoked", "inactive"] | None = Field(
        None, description="登记状态；active：今天正常登记（与页面和统计相同）"
    )
    industry: IndustryKey | None = Field(None, description="行业类别")  # type: ignore[valid-type]
    coverage: CoverageKey | None = Field(  # type: ignore[valid-type]
        None, description="今天的覆盖状态（正常登记的社会组织）"
    )
    level: LevelKey | None = Field(  # type: ignore[valid-type]
        None, description="覆盖它的党组织类别（今天，正常登记的社会组织）"
    )
    members: MemberBand | None = Field(  # type: ignore[valid-type]
        None, description="在职正式党员人数段（今天，正常登记的社会组织）"
    )
    instructor: bool = Field(False, description="今天有党建工作指导员（正常登记的社会组织）")
    party_org: str | None = Field(None, max_length=32, description="今天覆盖它的党组织编码")
    q: str | None = Field(
        None, max_length=100, description="名称或统一社会信用代码的一部分（与页面的搜索相同）"
    )


@router.get("", response={200: OrgPage, **ERRORS}, summary="社会组织列表")
def org_list(request: HttpRequest, filters: Query[OrgFilters]) -> dict[str, Any]:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    today = timezone.localdate()
    wanted = {
        "as_of": None,
        "area": gate.access_area(filters.area) if filters.area else None,
        "kind": filters.kind or "",
        "status": filters.status or "",
        "coverage": "functional" if filters.coverage == "other" else filters.coverage or "",
        "industry": filters.industry or "",
        "level": filters.level or "",
        "members": filters.members or "",
        "instructor": filters.instructor,
        "q": (filters.q or "").strip(),
        "party_org": gate.access_party_org(filters.party_org) if filters.party_org else None,
    }
    qs = selectors.org_list(gate=gate, filters=wanted, today=today)
    items, count = page_of(
        qs.select_related(*RELATED).order_by("uscc"), filters.page, filters.page_size
    )
    return {"items": org_rows(items, today), "count": count}


@router.get("/{uscc}", response={200: OrgOut, **ERRORS}, summary="社会组织详情")
def org_detail(request: HttpRequest, uscc: str) -> dict[str, Any]:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    org = gate.access_org(uscc[:40])
    org = SocialOrganization.objects.select_related(*RELATED).get(pk=org.pk)
    return org_rows([org], timezone.localdate())[0]
