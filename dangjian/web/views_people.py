"""党员与人员: the people of the user's jurisdiction (the gate's `people()`), and the rows
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
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.areas.models import AreaLevel
from dangjian.orgs.models import OrgKind
from dangjian.people.models import Employment, Membership, Person
from dangjian.web import figures, tables
from dangjian.web.views import crumbs
from dangjian.web.views_orgs import (
    _area_options,
    _area_select,
    _choice,
    _filter_line,
    _headers,
    _page_links,
    _render_list,
    _text,
)

MEMBER_CHOICES = [("formal", "正式党员"), ("probationary", "预备党员"), ("all", "全部党员")]
SORT = {"name": "name", "id": "id_masked"}
COLUMNS = [
    ("name", "姓名", ""),
    ("id", "公民身份号码", "d-none d-md-table-cell"),
    ("", "工作单位", ""),
    ("", "组织关系所在党组织", ""),
    ("", "党员状态", ""),
]
EXPORT_HEADER = ["姓名", "公民身份号码（部分）", "工作单位", "组织关系所在党组织", "党员状态"]
EXPORT_CHUNK = 2000


def _filters(request: HttpRequest, gate: Jurisdiction) -> dict[str, Any]:
    f: dict[str, Any] = {
        "as_of": figures.as_of_given(request),
        "area": figures.area(request, gate),
        "member": _choice(request, "member", MEMBER_CHOICES),
        "working": request.GET.get("working", "") == "1",
        "elsewhere": request.GET.get("elsewhere", "") == "1",
        "instructor": request.GET.get("instructor", "") == "1",
        "kind": _choice(request, "kind", OrgKind.choices),
        "q": _text(request),
    }
    f["figure"] = bool(f["as_of"] or f["member"] or f["working"] or f["instructor"])
    return f


def _filtered(
    request: HttpRequest, gate: Jurisdiction, today: dt.date
) -> tuple[QuerySet[Person], dict[str, Any], str]:
    f = _filters(request, gate)
    qs = gate.people()
    if f["figure"]:
        # The people a figure counts, by its own definitions (`figures.people_q`), on its
        # date, in its area and the user's jurisdiction.
        facts = figures.facts_for_list(f["as_of"] or today, f["area"], gate)
        qs = qs.filter(
            figures.people_q(
                facts,
                member=f["member"],
                working=f["working"],
                elsewhere=f["elsewhere"],
                instructor=f["instructor"],
                kind=f["kind"],
            )
        )
    elif f["area"] is not None:
        # Working in an organization of the area, or with their relation held there.
        area = f["area"]
        where = "community__path" if area.level == AreaLevel.COMMUNITY else "township__path"
        qs = qs.filter(
            Exists(
                Employment.objects.filter(
                    person=OuterRef("pk"), **{f"org__{where}__startswith": area.path}
                )
            )
            | Exists(
                Membership.objects.filter(
                    person=OuterRef("pk"),
                    relation_party_org__township__path__startswith=area.path,
                )
            )
        )
    if f["q"]:
        qs = qs.filter(Q(name__contains=f["q"]) | Q(id_masked__startswith=f["q"]))
    ordered, wanted = tables.sort(request, qs, SORT, "name")
    return ordered, f, wanted


def _rows(people: list[Person], day: dt.date) -> list[dict[str, Any]]:
    """Each person with where they work on `day` (one query for the page)."""
    employers: dict[int, list[str]] = defaultdict(list)
    for person, name in (
        Employment.objects.current_on(day)
        .filter(person_id__in=[p.pk for p in people])
        .order_by("org__name")
        .values_list("person_id", "org__name")
    ):
        employers[person].append(name)
    party_org_url = tables.url_maker("web:party_org", "code")
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
                "relation_url": party_org_url(relation.code) if relation is not None else "",
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


@login_required
def people(request: HttpRequest) -> HttpResponse:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    today = timezone.localdate()
    qs, f, wanted = _filtered(request, gate, today)
    day = f["as_of"] or today
    base = reverse("web:people")
    areas = _area_options(gate)
    query = tables.query_without(request, "page")
    page = tables.page(request, qs.select_related("membership__relation_party_org"))
    context = {
        "title": "党员与人员",
        "breadcrumbs": crumbs(("党员与人员", None)),
        "today": day,
        "f": f,
        "filter_line": _filter_line(_words(f), f["area"], day) if f["figure"] else "",
        "sort": wanted,
        "rows": _rows(list(page.object_list), day),
        "headers": _headers(request, base, COLUMNS, wanted),
        "pager": _page_links(request, base, page),
        "export_url": reverse("web:people_export") + (f"?{query}" if query else ""),
        "areas": areas,
        "area_options": _area_select(areas, f["area"]),
        "members": MEMBER_CHOICES,
        "kinds": OrgKind.choices,
    }
    return _render_list(request, "web/people/list.html", context)


def _export_rows(qs: QuerySet[Person], day: dt.date) -> Iterator[list[str]]:
    """The rows of the whole list, read in chunks (a query for each chunk's employers)."""
    people = qs.select_related("membership__relation_party_org")
    chunk: list[Person] = []
    for person in people.iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(person)
        if len(chunk) == EXPORT_CHUNK:
            yield from _export_chunk(chunk, day)
            chunk = []
    yield from _export_chunk(chunk, day)


def _export_chunk(chunk: list[Person], day: dt.date) -> Iterator[list[str]]:
    for r in _rows(chunk, day) if chunk else []:
        yield [r["name"], r["id_masked"], r["employers"], r["relation"], r["state"]]


@login_required
def people_export(request: HttpRequest) -> HttpResponse:
    """The list as the page filters it, every row (identity numbers masked, as on the page)."""
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    today = timezone.localdate()
    qs, f, _wanted = _filtered(request, gate, today)
    day = f["as_of"] or today
    return tables.xlsx_response(
        f"党员与人员-{day.isoformat()}.xlsx",
        EXPORT_HEADER,
        _export_rows(qs, day),
        title="党员与人员",
    )
