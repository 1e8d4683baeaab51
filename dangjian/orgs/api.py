"""/api/v1/orgs — social organizations, scoped to the caller's jurisdiction."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, Literal

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.api import ERRORS
from dangjian.lib.pages import AREA_CODE, PageQuery, page_of
from dangjian.orgs.models import SocialOrganization
from dangjian.partyorgs.models import COVERING_FORMS, Coverage
from dangjian.people.models import Employment, Membership

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


class OrgFilters(PageQuery):
    area: str | None = Field(None, pattern=AREA_CODE, description="区划代码（6、9或12位）")
    kind: Literal["association", "service_agency", "foundation"] | None = None
    status: Literal["active", "deregistered", "revoked", "inactive"] | None = None
    q: str | None = Field(None, max_length=100, description="名称或统一社会信用代码")


def org_figures(pks: list[int], on: dt.date) -> tuple[dict[int, list[str]], dict[int, int]]:
    """Of the organizations `pks` on `on`: the codes of the Party organizations covering
    each, and how many formal members each employs — two queries for them all."""
    covered: dict[int, list[str]] = defaultdict(list)
    for org, code in (
        Coverage.objects.current_on(on)
        .filter(org_id__in=pks, party_org__form__in=COVERING_FORMS)
        .order_by("party_org__code")
        .values_list("org_id", "party_org__code")
    ):
        covered[org].append(code)
    formal: dict[int, set[int]] = defaultdict(set)
    for org, person in (
        Employment.objects.current_on(on)
        .filter(Membership.formal_on_q(on, prefix="person__membership__"), org_id__in=pks)
        .order_by()  # counted, not listed: no join for the model's default order
        .values_list("org_id", "person_id")
    ):
        formal[org].add(person)
    return dict(covered), {org: len(people) for org, people in formal.items()}


def org_rows(orgs: list[SocialOrganization], on: dt.date) -> list[dict[str, Any]]:
    """The API form of organizations: two queries for the whole page, not one per row."""
    covered, formal = org_figures([o.pk for o in orgs], on)
    return [
        {
            "uscc": o.uscc,
            "name": o.name,
            "kind": o.kind,
            "registry": o.registry.name,
            "registration_mode": o.registration_mode,
            "supervisor": o.supervisor.name if o.supervisor else None,
            "industry": o.industry,
            "district": o.district.code,
            "township": o.township.code,
            "community": o.community.code if o.community else None,
            "registered_on": o.registered_on,
            "status": o.status,
            "status_changed_on": o.status_changed_on,
            "staff_count": o.staff_count,
            "party_management": o.party_management,
            "covered_by": covered.get(o.pk, []),
            "formal_members": formal.get(o.pk, 0),
        }
        for o in orgs
    ]


RELATED = ("registry", "supervisor", "district", "township", "community")


@router.get("", response={200: OrgPage, **ERRORS}, summary="社会组织列表")
def org_list(request: HttpRequest, filters: Query[OrgFilters]) -> dict[str, Any]:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    qs = gate.orgs().select_related(*RELATED).order_by("uscc")
    if filters.area:
        qs = qs.within(gate.access_area(filters.area))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.q:
        qs = qs.filter(Q(name__contains=filters.q) | Q(uscc__startswith=filters.q.upper()))
    items, count = page_of(qs, filters.page, filters.page_size)
    return {"items": org_rows(items, timezone.localdate()), "count": count}


@router.get("/{uscc}", response={200: OrgOut, **ERRORS}, summary="社会组织详情")
def org_detail(request: HttpRequest, uscc: str) -> dict[str, Any]:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    org = gate.access_org(uscc[:40])
    org = SocialOrganization.objects.select_related(*RELATED).get(pk=org.pk)
    return org_rows([org], timezone.localdate())[0]
