"""Reads of social organizations for a user, through the jurisdiction gate: the list's
filters and search (the same for the pages and the API) and the figures of a page of rows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.areas.models import AreaLevel
from dangjian.orgs.models import OrgStatus, SocialOrganization
from dangjian.partyorgs.models import COVERING_FORMS, Coverage
from dangjian.people.models import Employment, Membership
from dangjian.web import figures

# What `org_rows` reads of each organization.
RELATED = ("registry", "supervisor", "district", "township", "community")
SORT = {
    "uscc": "uscc",
    "name": "name",
    "kind": "kind",
    "township": "township__code",
    "registered_on": "registered_on",
    "status": "status",
    "formal": "formal_members",
}


def org_search_q(text: str) -> Q:
    """The search of every organization list: a part of the name or of the USCC."""
    return Q(name__contains=text) | Q(uscc__contains=text.upper())


def is_figure(f: dict[str, Any]) -> bool:
    """Does the list show what a figure counts (a date, or a filter only figures have)?
    Coverage states and "正常" are then those of that date (today without one)."""
    return bool(f["as_of"] or f["coverage"] or f["members"] or f["instructor"] or f["level"]) or (
        f["status"] == OrgStatus.ACTIVE
    )


def _formal_employees(today: dt.date) -> QuerySet[Employment]:
    """Employments, on today, of formal members (correlated to the outer organization)."""
    return Employment.objects.current_on(today).filter(
        Membership.formal_on_q(today, prefix="person__membership__"), org=OuterRef("pk")
    )


def org_list(
    *, gate: Jurisdiction, filters: dict[str, Any], today: dt.date, sort_key: str = ""
) -> QuerySet[SocialOrganization]:
    """The organizations of the user's jurisdiction that `filters` keep (the keys of
    `orgs.views.org_filters`; `filters["figure"]` is set here). `sort_key` "formal"
    annotates the formal members to sort by."""
    f = filters
    f["figure"] = is_figure(f)
    qs = gate.orgs()
    if f["figure"]:
        # What a figure counts, from the figure's own definitions (`figures.org_rows`) on
        # its date, in its area and the user's jurisdiction.
        facts = figures.facts_for_list(f["as_of"] or today, f["area"], gate)
        rows = figures.org_rows(
            facts,
            active=f["status"] == OrgStatus.ACTIVE,
            coverage=f["coverage"],
            level=f["level"],
            members=f["members"],
            instructor=f["instructor"],
        )
        qs = qs.filter(pk__in=rows.values("pk"))
    elif f["area"] is not None and f["area"].level == AreaLevel.COMMUNITY:
        qs = qs.filter(community=f["area"])
    elif f["area"] is not None:
        qs = qs.within(f["area"])
    for name in ("kind", "status", "industry"):
        if f[name] and not (name == "status" and f["figure"] and f[name] == OrgStatus.ACTIVE):
            qs = qs.filter(**{name: f[name]})
    if f["q"]:
        qs = qs.filter(org_search_q(f["q"]))
    if f["party_org"] is not None:
        qs = qs.filter(
            Exists(
                Coverage.objects.current_on(today).filter(
                    org=OuterRef("pk"), party_org=f["party_org"]
                )
            )
        )
    if sort_key == "formal":
        # Sorting by formal members: one correlated count in the same query.
        count = (
            _formal_employees(f["as_of"] or today)
            .order_by()
            .values("org")
            .annotate(n=Count("person", distinct=True))
            .values("n")
        )
        qs = qs.annotate(formal_members=Coalesce(Subquery(count, output_field=IntegerField()), 0))
    return qs


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
    """The API form of organizations (read with `RELATED`): two queries for the whole
    page, not one per row."""
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
