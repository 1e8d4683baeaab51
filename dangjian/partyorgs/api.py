"""/api/v1/party-orgs — Party organizations, scoped to the caller's jurisdiction."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.api import ERRORS
from dangjian.lib.pages import AREA_CODE, PageQuery, page_of
from dangjian.partyorgs.models import Coverage, PartyOrganization

router = Router(tags=["党组织"])


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
    area: str | None = Field(None, pattern=AREA_CODE, description="区划代码（6、9或12位）")


def party_org_rows(party_orgs: list[PartyOrganization], on: dt.date) -> list[dict[str, Any]]:
    covers: dict[int, list[str]] = defaultdict(list)
    for party_org, uscc in (
        Coverage.objects.current_on(on)
        .filter(party_org_id__in=[p.pk for p in party_orgs])
        .order_by("org__uscc")
        .values_list("party_org_id", "org__uscc")
    ):
        covers[party_org].append(uscc)
    return [
        {
            "code": p.code,
            "name": p.name,
            "level": p.level,
            "form": p.form,
            "parent_code": p.parent.code if p.parent else None,
            "covers": covers.get(p.pk, []),
            "township": p.township.code,
            "founded_on": p.founded_on,
            "term_started_on": p.term_started_on,
            "status": p.status,
            "dissolved_on": p.dissolved_on,
        }
        for p in party_orgs
    ]


@router.get("", response={200: PartyOrgPage, **ERRORS}, summary="党组织列表")
def party_org_list(request: HttpRequest, filters: Query[PartyOrgFilters]) -> dict[str, Any]:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    qs = gate.party_orgs().select_related("parent", "township").order_by("code")
    if filters.area:
        qs = qs.within(gate.access_area(filters.area))
    items, count = page_of(qs, filters.page, filters.page_size)
    return {"items": party_org_rows(items, timezone.localdate()), "count": count}


@router.get("/{code}", response={200: PartyOrgOut, **ERRORS}, summary="党组织详情")
def party_org_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    party_org = gate.access_party_org(code[:40])
    party_org = PartyOrganization.objects.select_related("parent", "township").get(pk=party_org.pk)
    return party_org_rows([party_org], timezone.localdate())[0]
