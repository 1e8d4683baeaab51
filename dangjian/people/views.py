"""The pages of people (党员与人员): the people of the user's jurisdiction (the gate's `people()`), and the rows
behind the member and instructor figures of the dashboard and the reports (`figures`).

One query for the page's people (with their membership and the Party organization holding
their relation) and one for their employers on the list's date: never one per row. Only the
masked identity number is shown.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.jurisdiction import Jurisdiction, findings_for
from dangjian.compliance.rules.base import RULES
from dangjian.imports.record_views import EMPLOYMENT, Target, record_page, to
from dangjian.imports.writers import may_write
from dangjian.orgs.models import OrgKind, SocialOrganization
from dangjian.partyorgs.models import CommitteeMembership, PartyOrganization
from dangjian.people import selectors
from dangjian.people.models import Employment, Membership, Person
from dangjian.web import details, figures, lists, tables

MEMBER_CHOICES = [("formal", "正式党员"), ("probationary", "预备党员"), ("all", "全部党员")]
COLUMNS = [
    ("name", "姓名", ""),
    ("id", "公民身份号码", "d-none d-md-table-cell"),
    ("", "工作单位", ""),
    ("", "组织关系所在党组织", ""),
    ("", "党员状态", ""),
]
EXPORT_HEADER = ["姓名", "公民身份号码（部分）", "工作单位", "组织关系所在党组织", "党员状态"]


def people_filters(request: HttpRequest, gate: Jurisdiction) -> dict[str, Any]:
    return {
        "as_of": figures.as_of_given(request),
        "area": figures.area(request, gate),
        "member": lists.choice(request, "member", MEMBER_CHOICES),
        "working": request.GET.get("working", "") == "1",
        "elsewhere": request.GET.get("elsewhere", "") == "1",
        "instructor": request.GET.get("instructor", "") == "1",
        "kind": lists.choice(request, "kind", OrgKind.choices),
        "q": lists.text(request),
    }


def _filtered(
    request: HttpRequest, gate: Jurisdiction, today: dt.date
) -> tuple[QuerySet[Person], dict[str, Any], str]:
    f = people_filters(request, gate)
    qs = selectors.people_list(gate=gate, filters=f, today=today)
    ordered, wanted = tables.sort(request, qs, selectors.SORT, "name")
    return ordered, f, wanted


def _rows(gate: Jurisdiction, people: list[Person], day: dt.date) -> list[dict[str, Any]]:
    """Each person with where they work on `day` (one query for the page), and the Party
    organization holding their relation: a link when the user may open it, else its name as
    a plain label (one more query; docs/security.md)."""
    employers: dict[int, list[str]] = defaultdict(list)
    for person, name in (
        Employment.objects.current_on(day)
        .filter(person_id__in=[p.pk for p in people])
        .order_by("org__name")
        .values_list("person_id", "org__name")
    ):
        employers[person].append(name)
    party_org_url = tables.url_maker("web:party_org", "code")
    person_base = reverse("web:person", kwargs={"pk": 0}).removesuffix("0/")
    relations = [
        m.relation_party_org_id
        for p in people
        if (m := getattr(p, "membership", None)) is not None and m.relation_party_org_id
    ]
    linked = details.visible(gate, PartyOrganization, relations)
    rows = []
    for p in people:
        membership: Membership | None = getattr(p, "membership", None)
        relation = membership.relation_party_org if membership is not None else None
        state = ""
        if membership is not None and membership.is_member(day):
            state = "正式党员" if membership.is_formal(day) else "预备党员"
        rows.append(
            {
                "name": p.name,
                "url": f"{person_base}{p.pk}/",
                "id_masked": p.id_masked,
                "employers": "、".join(employers.get(p.pk, [])),
                "relation": relation.name if relation is not None else "",
                "relation_url": party_org_url(relation.code)
                if relation is not None and relation.pk in linked
                else "",
                "state": state,
            }
        )
    return rows


def _words(f: dict[str, Any]) -> list[str]:
    return figures.people_words(
        member=f["member"],
        working=f["working"],
        elsewhere=f["elsewhere"],
        instructor=f["instructor"],
        kind=f["kind"],
    )


PEOPLE = lists.ListPage(
    title="党员与人员",
    url="web:people",
    export_url="web:people_export",
    form_id="people-filters",
    template="people/list.html",
    columns=COLUMNS,
    filtered=_filtered,
    results=lists.Results(
        noun="人",
        measure="人",
        thing="人员",
        rows_template="people/_rows.html",
        pager_label="人员分页",
        import_hint="人员与党员信息",
    ),
)


@login_required
def people(request: HttpRequest) -> HttpResponse:
    shown = PEOPLE.open(request)
    page = tables.page(request, shown.qs.select_related("membership__relation_party_org"))
    return shown.render(
        page,
        _words(shown.f),
        rows=_rows(shown.gate, list(page.object_list), shown.day),
        members=MEMBER_CHOICES,
        kinds=OrgKind.choices,
        may_write=may_write(request.user, "people"),
    )


def _export_rows(gate: Jurisdiction, qs: QuerySet[Person], day: dt.date) -> Iterator[list[str]]:
    """The rows of the whole list, read in chunks (a query for each chunk's employers)."""
    people = qs.select_related("membership__relation_party_org")
    chunk: list[Person] = []
    for person in people.iterator(chunk_size=tables.EXPORT_CHUNK):
        chunk.append(person)
        if len(chunk) == tables.EXPORT_CHUNK:
            yield from _export_chunk(gate, chunk, day)
            chunk = []
    yield from _export_chunk(gate, chunk, day)


def _export_chunk(gate: Jurisdiction, chunk: list[Person], day: dt.date) -> Iterator[list[str]]:
    for r in _rows(gate, chunk, day) if chunk else []:
        yield [r["name"], r["id_masked"], r["employers"], r["relation"], r["state"]]


@login_required
def people_export(request: HttpRequest) -> HttpResponse:
    """The list as the page filters it, every row (identity numbers masked, as on the page)."""
    return PEOPLE.export(request, EXPORT_HEADER, _export_rows)


# --- a person's page ------------------------------------------------------------------------


def _employments(gate: Jurisdiction, person: Person, today: dt.date) -> list[dict[str, Any]]:
    """Where the person works and worked: the organization a link when the user may open it,
    else its name (docs/security.md)."""
    rows = list(person.employments.select_related("org").order_by("-started_on", "pk"))
    linked = details.visible(gate, SocialOrganization, [e.org_id for e in rows])
    return [
        {
            "org": e.org,
            "linked": e.org_id in linked,
            "position": e.get_position_display(),
            "started_on": e.started_on,
            "ended_on": e.ended_on,
            "current": e.is_current(today),
            "pk": e.pk,
        }
        for e in rows
    ]


def _relation_history(membership: Membership | None) -> list[dict[str, Any]]:
    """The Party organization holding the person's relation, in each version the history
    holds where it changed (oldest first): when, to which, why."""
    if membership is None:
        return []
    out: list[dict[str, Any]] = []
    last: object = object()
    versions = membership.history.order_by("history_date", "history_id").values_list(
        "history_date", "relation_party_org_id", "history_change_reason"
    )
    for when, relation, reason in versions:
        if relation != last:
            out.append({"date": when, "party_org_id": relation, "reason": reason or ""})
            last = relation
    names = dict(
        PartyOrganization.objects.filter(
            pk__in=[r["party_org_id"] for r in out if r["party_org_id"]]
        ).values_list("pk", "name")
    )
    for r in out:
        r["party_org"] = names.get(r["party_org_id"], "") if r["party_org_id"] else ""
    return out


def _offices(gate: Jurisdiction, person: Person, today: dt.date) -> list[dict[str, Any]]:
    rows = list(
        CommitteeMembership.objects.filter(person=person)
        .select_related("party_org")
        .order_by("-started_on", "pk")
    )
    linked = details.visible(gate, PartyOrganization, [o.party_org_id for o in rows])
    return [
        {
            "party_org": o.party_org,
            "linked": o.party_org_id in linked,
            "role": o.get_role_display(),
            "full_time": o.full_time,
            "started_on": o.started_on,
            "ended_on": o.ended_on,
            "current": o.is_current(today),
        }
        for o in rows
    ]


def _open_findings(request: HttpRequest, person: Person) -> list[dict[str, Any]]:
    """The open findings about the person (the store is current: every write re-evaluates)."""
    records = findings_for(request.user).filter(  # type: ignore[arg-type]
        subject_type="person", subject_pk=person.pk, resolved_on__isnull=True
    )
    return [
        {"rule": RULES.get(r.rule), "rule_id": r.rule, "message": r.message, "due": r.due}
        for r in records.order_by("rule", "occurrence")
    ]


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    today = timezone.localdate()
    person = gate.access_person(pk)
    membership: Membership | None = (
        Membership.objects.filter(person=person).select_related("relation_party_org").first()
    )
    relation = membership.relation_party_org if membership is not None else None
    offices = _offices(gate, person, today)
    context = {
        **details.frame(person.name, "党员与人员", "web:people", today),
        "person": person,
        "may_write": may_write(request.user, "people"),
        "may_transfer": membership is not None and may_write(request.user, "transfers"),
        "membership": membership,
        "member_state": details.member_state(membership, today),
        "relation": relation,
        "relation_linked": relation is not None
        and relation.pk in details.visible(gate, PartyOrganization, [relation.pk]),
        "relations": _relation_history(membership),
        "dues": _dues(membership, person),
        "employments": _employments(gate, person, today),
        "offices": offices,
        "findings": _open_findings(request, person),
        "history": details.histories(
            [
                ("", person),
                *([("党员信息", membership)] if membership is not None else []),
                *(
                    (f"从业情况：{job.org.name}", job)
                    for job in person.employments.select_related("org").order_by("pk")
                ),
            ],
            request.user,
        ),
    }
    return render(request, "people/person_detail.html", context)


def _dues(membership: Membership | None, person: Person) -> list[dict[str, Any]]:
    """A member's own dues, latest first, with the amount due by the policy's brackets."""
    if membership is None:
        return []
    from dangjian.compliance.policy import in_force
    from dangjian.dues.figures import history

    return history(person, in_force())


# --- writing (one-row imports of the `people` kind: imports/record_views.py) ------------------


def _to_person(values: dict[str, str]) -> str:
    from dangjian.imports.fields import id_code
    from dangjian.lib import crypto

    pk = (
        Person.objects.filter(id_hash=crypto.lookup_hash(id_code(values["id_number"])))
        .values_list("pk", flat=True)
        .first()
    )
    return reverse("web:person", kwargs={"pk": pk}) if pk else reverse("web:people")


@login_required
def person_new(request: HttpRequest) -> HttpResponse:
    """A new person, with their membership and (optionally) one employment."""
    user: Any = request.user
    preset = {}
    if user.role == "org" and user.party_org_id is not None:  # a secretary's own members
        preset = {"political_status": "中共党员", "relation_party_org": user.party_org.code}
    trail = [("党员与人员", reverse("web:people"))]
    target = Target(
        "people", None, trail, reverse("web:people"), _to_person, "新增人员", preset=preset
    )
    return record_page(request, target)


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The person's own fields and membership (their employments have forms of their own)."""
    person = Jurisdiction(request.user).access_person(pk)  # type: ignore[arg-type]
    here = reverse("web:person", kwargs={"pk": person.pk})
    trail = [("党员与人员", reverse("web:people")), (person.name, here)]
    target = Target("people", person, trail, here, to(here), "修改人员信息", omit=EMPLOYMENT)
    return record_page(request, target)


@login_required
def employment_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A new employment of the person (their own fields shown as they are)."""
    person = Jurisdiction(request.user).access_person(pk)  # type: ignore[arg-type]
    here = reverse("web:person", kwargs={"pk": person.pk})
    trail = [("党员与人员", reverse("web:people")), (person.name, here)]
    target = Target("people", person, trail, here, to(here), "新增工作经历")
    return record_page(request, target)


@login_required
def employment_edit(request: HttpRequest, pk: int, job: int) -> HttpResponse:
    """Correct or end one employment of the person (its organization and start name it)."""
    person = Jurisdiction(request.user).access_person(pk)  # type: ignore[arg-type]
    employment = Employment.objects.select_related("org").filter(pk=job, person=person).first()
    if employment is None:
        raise Http404("工作经历不存在")
    here = reverse("web:person", kwargs={"pk": person.pk})
    trail = [("党员与人员", reverse("web:people")), (person.name, here)]
    target = Target(
        "people", person, trail, here, to(here), "修改工作经历", part=employment,
        locked=("employer_uscc", "employed_on"),
    )  # fmt: skip
    return record_page(request, target)
