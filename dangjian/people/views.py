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
from django.http import HttpRequest, HttpResponse

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.orgs.models import OrgKind
from dangjian.partyorgs.models import PartyOrganization
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
