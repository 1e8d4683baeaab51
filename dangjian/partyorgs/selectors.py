"""Reads of Party organizations for a user, through the jurisdiction gate: the list's
filters and search (the same for the pages and the API) and the API form of its rows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.areas.models import AreaLevel
from dangjian.partyorgs.models import (
    SOCIAL_ORG_FORMS,
    Coverage,
    PartyOrganization,
    PartyOrgForm,
    PartyOrgStatus,
)
from dangjian.people.models import Membership
from dangjian.web import figures

SORT = {
    "code": "code",
    "name": "name",
    "level": "level",
    "form": "form",
    "township": "township__code",
    "founded_on": "founded_on",
    "status": "status",
    "members": "member_count",
}
# "social": the Party organizations of social organizations (what the dashboard counts), as
# against the township and community ones that may hold a lone member's relation.
FORMS = [("social", "社会组织党组织"), *PartyOrgForm.choices]


def party_org_search_q(text: str) -> Q:
    """The search of every Party-organization list: a part of the name or of the code."""
    return Q(name__contains=text) | Q(code__icontains=text)


def _members_count(today: dt.date) -> Subquery:
    members = (
        Membership.objects.member_on(today)
        .filter(relation_party_org=OuterRef("pk"))
        .order_by()
        .values("relation_party_org")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(members, output_field=IntegerField())


def party_org_list(
    *, gate: Jurisdiction, filters: dict[str, Any], today: dt.date, sort_key: str = ""
) -> QuerySet[PartyOrganization]:
    """The Party organizations of the user's jurisdiction that `filters` keep (the keys of
    `partyorgs.views.party_org_filters`; `filters["figure"]` is set here)."""
    f = filters
    qs = gate.party_orgs().select_related("township__parent", "parent")
    # "正常" means active on the list's date (as every figure counts it).
    f["figure"] = bool(f["as_of"] or f["covers"] or f["status"] == PartyOrgStatus.ACTIVE)
    if f["figure"]:
        # What a figure counts, from its own definitions on its date, in its area and the
        # user's jurisdiction (`figures.party_org_rows`); "active" is active on that date.
        facts = figures.facts_for_list(f["as_of"] or today, f["area"], gate)
        rows = figures.party_org_rows(
            facts,
            active=f["status"] == PartyOrgStatus.ACTIVE,
            covers=f["covers"],
            org_kind=f["org_kind"],
        )
        if f["covers"]:
            # Those covering the user's own organizations, wherever they are recorded (a
            # joint one of a neighbouring township): one outside the jurisdiction shows
            # only its code and name, as on an organization's page (docs/security.md).
            qs = PartyOrganization.objects.select_related("township__parent", "parent")
        qs = qs.filter(pk__in=rows.values("pk"))
    elif f["area"] is not None and f["area"].level == AreaLevel.COMMUNITY:
        qs = qs.filter(township_id=f["area"].parent_id)  # they are placed by township
    elif f["area"] is not None:
        qs = qs.within(f["area"])
    for name in ("level", "status"):
        if f[name] and not (f["figure"] and f[name] == PartyOrgStatus.ACTIVE):
            qs = qs.filter(**{name: f[name]})
    if f["form"] == "social":
        qs = qs.filter(form__in=SOCIAL_ORG_FORMS)
    elif f["form"]:
        qs = qs.filter(form=f["form"])
    if f["q"]:
        qs = qs.filter(party_org_search_q(f["q"]))
    if sort_key == "members":
        qs = qs.annotate(member_count=Coalesce(_members_count(f["as_of"] or today), 0))
    return qs


def party_org_rows(party_orgs: list[PartyOrganization], on: dt.date) -> list[dict[str, Any]]:
    """The API form of Party organizations (read with their parent and township)."""
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
