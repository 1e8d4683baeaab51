"""/api/v1/party-orgs — Party organizations, scoped to the caller's jurisdiction."""

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
from dangjian.partyorgs import selectors
from dangjian.partyorgs.models import PartyOrganization, PartyOrgStatus
from dangjian.partyorgs.selectors import party_org_rows

router = Router(tags=["党组织"])
FormKey = Literal[tuple(key for key, _label in selectors.FORMS)]  # type: ignore[valid-type]
StatusKey = Literal[tuple(PartyOrgStatus.values)]  # type: ignore[valid-type]


class PartyOrgOut(Schema):
    code: str
    name: str
    level: str
    form: str
    parent_code: str | None
    covers: list[str] = Field(description="覆盖的社会组织统一社会信用代码（今天）")
    township: str
    founded_on: dt.date
    term_started_on: dt.date | None
    status: str
    dissolved_on: dt.date | None


class PartyOrgPage(Schema):
    items: list[PartyOrgOut]
    count: int


class PartyOrgFilters(PageQuery):
    """The filters of the Party-organization list of the pages
    (`partyorgs.selectors.party_org_list`)."""

    area: str | None = Field(None, pattern=AREA_CODE, description="区划代码（6、9或12位）")
    level: Literal["committee", "general_branch", "branch"] | None = Field(None, description="类别")
    form: FormKey | None = Field(  # type: ignore[valid-type]
        None, description="组建方式；social：社会组织党组织（单独、联合组建等）"
    )
    status: StatusKey | None = Field(  # type: ignore[valid-type]
        None, description="状态；active：今天正常（与页面和统计相同）"
    )
    q: str | None = Field(
        None, max_length=100, description="名称或党组织编码的一部分（与页面的搜索相同）"
    )


@router.get("", response={200: PartyOrgPage, **ERRORS}, summary="党组织列表")
def party_org_list(request: HttpRequest, filters: Query[PartyOrgFilters]) -> dict[str, Any]:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    today = timezone.localdate()
    wanted = {
        "as_of": None,
        "covers": False,
        "org_kind": "",
        "area": gate.access_area(filters.area) if filters.area else None,
        "level": filters.level or "",
        "form": filters.form or "",
        "status": filters.status or "",
        "q": (filters.q or "").strip(),
    }
    qs = selectors.party_org_list(gate=gate, filters=wanted, today=today)
    items, count = page_of(qs.order_by("code"), filters.page, filters.page_size)
    return {"items": party_org_rows(items, today), "count": count}


@router.get("/{code}", response={200: PartyOrgOut, **ERRORS}, summary="党组织详情")
def party_org_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    party_org = gate.access_party_org(code[:40])
    party_org = PartyOrganization.objects.select_related("parent", "township").get(pk=party_org.pk)
    return party_org_rows([party_org], timezone.localdate())[0]
