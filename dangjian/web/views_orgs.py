"""Organizations (社会组织) and Party organizations (党组织): the lists (filter bar, sortable
columns, pages, "导出Excel" of exactly what the filter shows) and one page per object.

Every read goes through the jurisdiction gate: the lists start from `Jurisdiction.orgs()` /
`party_orgs()`, the pages fetch their object with `access_org` / `access_party_org` (a 404
outside the jurisdiction, exactly as for a missing one). The lists are set-based: filters
are `Exists` subqueries, and the figures of a page (covering Party organizations, members)
come from a fixed number of queries for the whole page, never one per row.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    ForeignKey,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString

from dangjian.accounts.jurisdiction import Jurisdiction, findings_for
from dangjian.areas.models import Area, AreaLevel, Unit
from dangjian.compliance import policy as policy_module
from dangjian.compliance.explain import explain
from dangjian.compliance.managing import ManagingBody, managing_body
from dangjian.compliance.rules.backbone import current_term
from dangjian.compliance.rules.base import SEVERITY_LABEL
from dangjian.orgs.models import (
    Industry,
    OrgKind,
    OrgStatus,
    PartyManagement,
    RegistrationMode,
    SocialOrganization,
)
from dangjian.partyorgs.models import (
    COVERING_FORMS,
    SOCIAL_ORG_FORMS,
    CommitteeMembership,
    CommitteeRole,
    Coverage,
    InstructorAssignment,
    PartyOrganization,
    PartyOrgForm,
    PartyOrgLevel,
    PartyOrgStatus,
)
from dangjian.people.models import Employment, Membership, PoliticalStatus, Position
from dangjian.web import figures, stats, tables
from dangjian.web.views import crumbs

# The coverage states of the filter bar, on the list's date, for organizations active then
# (the figures of the dashboard and the reports count the same: `figures`).
COVERAGE_STATES = figures.COVERAGE_STATES
ORG_SORT = {
    "uscc": "uscc",
    "name": "name",
    "kind": "kind",
    "township": "township__code",
    "registered_on": "registered_on",
    "status": "status",
    "formal": "formal_members",
}
PARTY_ORG_SORT = {
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
PARTY_ORG_FORMS = [("social", "社会组织党组织"), *PartyOrgForm.choices]
EXPORT_CHUNK = 2000
LIST_CAP = 100  # rows of a detail page's own lists beyond which they are paged
HISTORY_SHOWN = 20


# --- shared pieces ------------------------------------------------------------------------

# What `org_rows` reads of each organization (dangjian.orgs.api.RELATED).
ORG_RELATED = ("registry", "supervisor", "district", "township", "community")


def _org_rows(orgs: list[SocialOrganization], today: dt.date) -> list[dict[str, Any]]:
    """`dangjian.orgs.api.org_rows`, imported when first used: importing that module before
    `dangjian.api` (as a management command or a test may) would enter the API's router
    registration half-way through."""
    from dangjian.orgs.api import org_rows

    return org_rows(orgs, today)


def _org_figures(
    orgs: list[SocialOrganization], today: dt.date
) -> tuple[dict[int, list[str]], dict[int, int]]:
    """`dangjian.orgs.api.org_figures` (imported when first used, as `_org_rows`)."""
    from dangjian.orgs.api import org_figures

    return org_figures([o.pk for o in orgs], today)


def _choice(request: HttpRequest, name: str, choices: Iterable[tuple[str, str]]) -> str:
    """The value of `?name=` when it is one of `choices`; anything else is no filter."""
    value = request.GET.get(name, "")
    return value if value in {key for key, _label in choices} else ""


def _text(request: HttpRequest) -> str:
    return request.GET.get("q", "").strip()[:100]


def _area_options(gate: Jurisdiction) -> list[dict[str, str]]:
    """Districts and townships the user may see, each district followed by its townships.
    A jurisdiction too large for one list (the whole country) offers districts only.
    The same on every page of the user until the data change: computed once per version."""

    def compute() -> list[dict[str, str]]:
        fields = ("code", "name", "level")
        levels = [AreaLevel.DISTRICT, AreaLevel.TOWNSHIP]
        areas = list(
            gate.areas().filter(level__in=levels).order_by("path").values_list(*fields)[:801]
        )
        if len(areas) > 800:
            areas = list(
                gate.areas()
                .filter(level=AreaLevel.DISTRICT)
                .order_by("path")
                .values_list(*fields)[:800]
            )
        return [
            {"code": code, "label": ("\u3000" + name) if level == AreaLevel.TOWNSHIP else name}
            for code, name, level in areas
        ]

    if gate.user is None:
        return compute()
    return stats.per_version("area_options", gate.user, compute)


def _area_select(areas: list[dict[str, str]], selected: Area | None) -> SafeString:
    """The `<option>`s of the area select (after its 全部)."""
    return tables.options(
        ((a["code"], a["label"]) for a in areas), selected.code if selected else ""
    )


def _headers(
    request: HttpRequest, base: str, columns: list[tuple[str, str, str]], current: str
) -> list[dict[str, Any]]:
    """Column headers: a sort link for each sortable column (key), the state for aria-sort."""
    query = tables.query_without(request, "sort", "page")
    out: list[dict[str, Any]] = []
    for key, label, classes in columns:
        if not key:
            out.append({"label": label, "classes": classes})
            continue
        state = "ascending" if current == key else "descending" if current == f"-{key}" else ""
        wanted = f"-{key}" if state == "ascending" else key
        out.append(
            {
                "label": label,
                "classes": classes,
                "key": key,
                "state": state,
                "url": f"{base}?{query}&sort={wanted}" if query else f"{base}?sort={wanted}",
            }
        )
    return out


def _page_links(request: HttpRequest, base: str, page: Page, param: str = "page") -> dict[str, Any]:
    """The links of a pager: first, previous, a window of numbers, next, last."""
    query = tables.query_without(request, param)
    prefix = f"{base}?{query}&{param}=" if query else f"{base}?{param}="
    last = page.paginator.num_pages
    window = range(max(1, page.number - 2), min(last, page.number + 2) + 1)
    return {
        "page": page,
        "first": f"{prefix}1" if page.number > 1 else "",
        "previous": f"{prefix}{page.number - 1}" if page.has_previous() else "",
        "next": f"{prefix}{page.number + 1}" if page.has_next() else "",
        "last": f"{prefix}{last}" if page.number < last else "",
        "numbers": [{"n": n, "url": f"{prefix}{n}", "current": n == page.number} for n in window],
        "count": page.paginator.count,
        "start": page.start_index(),
        "end": page.end_index(),
    }


def _render_list(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """The whole page, or — for an HTMX request from the filter bar, a sort link or the
    pager — only its table region (a template partial). A history restore asks for the
    whole page."""
    partial = request.headers.get("HX-Request") and not request.headers.get(
        "HX-History-Restore-Request"
    )
    response = render(request, f"{template}#results" if partial else template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def _member_state(membership: Membership | None, today: dt.date) -> str:
    if membership is None or not membership.is_member(today):
        return ""
    return "正式党员" if membership.is_formal(today) else "预备党员"


# --- organizations ------------------------------------------------------------------------


def _formal_employees(today: dt.date) -> QuerySet[Employment]:
    """Employments, on today, of formal members (correlated to the outer organization)."""
    return Employment.objects.current_on(today).filter(
        Membership.formal_on_q(today, prefix="person__membership__"), org=OuterRef("pk")
    )


def _org_figure(f: dict[str, Any]) -> bool:
    """Does the list show what a figure counts (a date, or a filter only figures have)?
    Coverage states and "正常" are then those of that date (today without one)."""
    return bool(f["as_of"] or f["coverage"] or f["members"] or f["instructor"] or f["level"]) or (
        f["status"] == OrgStatus.ACTIVE
    )


def _filter_line(words: list[str], area: Area | None, day: dt.date) -> str:
    """What a list filtered for a figure keeps, in one line: 「已建立联合党支部的 · 芙蓉区 ·
    截至 2026-11-26」."""
    return " · ".join([*words, *([area.name] if area is not None else []), f"截至 {day}"])


def _org_filters(request: HttpRequest, gate: Jurisdiction, today: dt.date) -> dict[str, Any]:
    party_code = request.GET.get("party_org", "").strip()[:32]
    return {
        "as_of": figures.as_of_given(request),
        "area": figures.area(request, gate),
        "kind": _choice(request, "kind", OrgKind.choices),
        "status": _choice(request, "status", OrgStatus.choices),
        # "other" is the dashboard's name for 功能型覆盖.
        "coverage": "functional"
        if request.GET.get("coverage") == "other"
        else _choice(request, "coverage", COVERAGE_STATES),
        "industry": _choice(request, "industry", Industry.choices),
        "level": _choice(request, "level", PartyOrgLevel.choices),
        "members": _choice(request, "members", figures.MEMBER_BANDS),
        "instructor": request.GET.get("instructor", "") == "1",
        "q": _text(request),
        # The organizations a Party organization covers today (its page links here).
        "party_org": gate.access_party_org(party_code) if party_code else None,
    }


def _filtered_orgs(
    request: HttpRequest, gate: Jurisdiction, today: dt.date
) -> tuple[QuerySet[SocialOrganization], dict[str, Any], str]:
    f = _org_filters(request, gate, today)
    f["figure"] = _org_figure(f)
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
        qs = qs.filter(Q(name__contains=f["q"]) | Q(uscc__contains=f["q"].upper()))
    if f["party_org"] is not None:
        qs = qs.filter(
            Exists(
                Coverage.objects.current_on(today).filter(
                    org=OuterRef("pk"), party_org=f["party_org"]
                )
            )
        )
    if request.GET.get("sort", "").lstrip("-") == "formal":
        # Sorting by formal members: one correlated count in the same query.
        count = (
            _formal_employees(f["as_of"] or today)
            .order_by()
            .values("org")
            .annotate(n=Count("person", distinct=True))
            .values("n")
        )
        qs = qs.annotate(formal_members=Coalesce(Subquery(count, output_field=IntegerField()), 0))
    ordered, wanted = tables.sort(request, qs, ORG_SORT, "uscc")
    return ordered, f, wanted


def _org_table_rows(
    gate: Jurisdiction, orgs: list[SocialOrganization], today: dt.date
) -> list[dict[str, Any]]:
    """The organizations of one page (with their township) with covered_by and formal
    members (two queries), and the names of the covering Party organizations the user may
    open (one more); the others show only their code."""
    covered, formal = _org_figures(orgs, today)
    codes = sorted({code for codes in covered.values() for code in codes})
    names = (
        dict(gate.party_orgs().filter(code__in=codes).order_by().values_list("code", "name"))
        if codes
        else {}
    )
    org_url = tables.url_maker("web:org", "uscc")
    party_org_url = tables.url_maker("web:party_org", "code")
    # Plain values for the template: what each cell shows, nothing looked up there.
    return [
        {
            "org": org,
            "uscc": org.uscc,
            "name": org.name,
            "url": org_url(org.uscc),
            "kind_label": KIND_LABELS.get(org.kind, org.kind),
            "township": org.township.name,
            "registered_on": org.registered_on.isoformat() if org.registered_on else "",
            "status_active": org.status == OrgStatus.ACTIVE,
            "status_label": STATUS_LABELS.get(org.status, org.status),
            "covered_by": covered.get(org.pk, []),
            "formal_members": formal.get(org.pk, 0),
            "covering": [
                {
                    "code": c,
                    "name": names.get(c, ""),
                    "linked": c in names,
                    "url": party_org_url(c) if c in names else "",
                }
                for c in covered.get(org.pk, [])
            ],
        }
        for org in orgs
    ]


# What `get_kind_display()` / `get_status_display()` give, without building the choices'
# dictionary again for every call.
KIND_LABELS = dict(OrgKind.choices)
STATUS_LABELS = dict(OrgStatus.choices)

# (sort key or "", label, classes): on a narrower screen the columns the detail page repeats
# give way (the code and a status other than 正常 then show under the name).
WIDE_ONLY = "d-none d-lg-table-cell"
ORG_COLUMNS = [
    ("uscc", "统一社会信用代码", WIDE_ONLY),
    ("name", "社会组织名称", ""),
    ("kind", "类型", WIDE_ONLY),
    ("township", "所在乡镇(街道)", ""),
    ("registered_on", "成立登记日期", WIDE_ONLY),
    ("status", "登记状态", WIDE_ONLY),
    ("formal", "在职正式党员", "num"),
    ("", "覆盖党组织", ""),
    ("", "操作", WIDE_ONLY),
]


@login_required
def org_list(request: HttpRequest) -> HttpResponse:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    today = timezone.localdate()
    qs, f, wanted = _filtered_orgs(request, gate, today)
    day = f["as_of"] or today
    areas = _area_options(gate)
    base = reverse("web:orgs")
    filtered = f["figure"] or any(f[name] for name in ("area", "kind", "status", "industry", "q"))
    # Unfiltered, the count is the jurisdiction's number of organizations: once per version.
    count = (
        None
        if filtered or f["party_org"] is not None
        else stats.per_version("org_count", gate.user, qs.count)  # type: ignore[arg-type]
    )
    page = tables.page(request, qs.select_related("township"), count=count)  # what it shows
    rows = _org_table_rows(gate, list(page.object_list), day)
    total = page.paginator.count
    query = tables.query_without(request, "page")
    words = figures.org_words(
        active=f["status"] == OrgStatus.ACTIVE,
        coverage=f["coverage"],
        level=f["level"],
        members=f["members"],
        instructor=f["instructor"],
    )
    if f["kind"]:
        words.append(KIND_LABELS[f["kind"]])
    context = {
        "title": "社会组织",
        "breadcrumbs": crumbs(("社会组织", None)),
        "today": day,
        "f": f,
        "filter_line": _filter_line(words, f["area"], day) if f["figure"] else "",
        "filtered": filtered or f["party_org"] is not None,
        "sort": wanted,
        "rows": rows,
        "headers": _headers(request, base, ORG_COLUMNS, wanted),
        "pager": _page_links(request, base, page),
        "export_url": reverse("web:orgs_export") + (f"?{query}" if query else ""),
        "has_data": total > 0 or gate.orgs().exists(),
        "areas": areas,
        "area_options": _area_select(areas, f["area"]),
        "kinds": OrgKind.choices,
        "statuses": OrgStatus.choices,
        "coverage_states": COVERAGE_STATES,
        "industries": Industry.choices,
    }
    return _render_list(request, "web/orgs/org_list.html", context)


ORG_EXPORT_HEADER = [
    "统一社会信用代码",
    "社会组织名称",
    "社会组织类型",
    "登记管理机关",
    "登记方式",
    "业务主管单位",
    "行业类别",
    "所在区县",
    "所在乡镇(街道)",
    "所在村(社区)",
    "成立登记日期",
    "登记状态",
    "状态变更日期",
    "从业人员数",
    "在职正式党员数",
    "覆盖党组织编码",
]


def _org_export_rows(qs: QuerySet[SocialOrganization], today: dt.date) -> Iterator[list[Any]]:
    """The rows of the export, their figures (members, coverage) as of `today` (the list's
    date)."""
    # Chunks of the filtered, sorted rows: three queries per chunk, whatever its size.
    for chunk in itertools.batched(qs.iterator(chunk_size=EXPORT_CHUNK), EXPORT_CHUNK):
        orgs = list(chunk)
        for org, row in zip(orgs, _org_rows(orgs, today), strict=True):
            yield [
                org.uscc,
                org.name,
                org.get_kind_display(),
                org.registry.name,
                org.get_registration_mode_display(),
                org.supervisor.name if org.supervisor else "",
                org.get_industry_display(),
                org.district.name,
                org.township.name,
                org.community.name if org.community else "",
                org.registered_on,
                org.get_status_display(),
                org.status_changed_on,
                org.staff_count,
                row["formal_members"],
                "；".join(row["covered_by"]),
            ]


@login_required
def org_export(request: HttpRequest) -> HttpResponse:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    today = timezone.localdate()
    qs, f, _wanted = _filtered_orgs(request, gate, today)
    day = f["as_of"] or today
    return tables.xlsx_response(
        f"社会组织-{day.isoformat()}.xlsx",
        ORG_EXPORT_HEADER,
        _org_export_rows(qs.select_related(*ORG_RELATED), day),
        title="社会组织",
    )


def _managing_body(org: SocialOrganization) -> ManagingBody | Any:
    """The 管理主体 (POLICY 2.2) from the organization's own registration data."""
    registry = org.registry
    supervisor = org.supervisor
    return managing_body(
        registration_mode=org.registration_mode,
        party_management=org.party_management,
        registry=(registry.name, registry.kind),
        supervisor=(supervisor.name, supervisor.kind) if supervisor else None,
        township=(org.township.code, org.township.name),
        community=(org.community.code, org.community.name) if org.community else None,
    )


def _visible(gate: Jurisdiction, model: type[Model], pks: Iterable[int]) -> set[int]:
    """Which of `pks` the user may open (one query): the others are shown unlinked."""
    wanted = sorted(set(pks))
    if not wanted:
        return set()
    qs = gate.orgs() if model is SocialOrganization else gate.party_orgs()
    return set(qs.filter(pk__in=wanted).values_list("pk", flat=True))


def _paged(request: HttpRequest, items: list[Any], param: str, anchor: str) -> dict[str, Any]:
    """A detail page's own list, paged by `?param=` beyond LIST_CAP rows."""
    page = Paginator(items, LIST_CAP).get_page(request.GET.get(param))
    links = _page_links(request, request.path, page, param)
    for key in ("first", "previous", "next", "last"):
        if links[key]:
            links[key] += f"#{anchor}"
    for number in links["numbers"]:
        number["url"] += f"#{anchor}"
    return {"items": list(page.object_list), "pager": links if page.has_other_pages() else None}


def _staff(
    request: HttpRequest, gate: Jurisdiction, org: SocialOrganization, today: dt.date
) -> dict[str, Any]:
    employments = list(
        Employment.objects.filter(org=org)
        .select_related("person__membership__relation_party_org")
        .order_by("pk")
    )
    relation_pks = []
    rows: list[dict[str, Any]] = []
    for e in employments:
        membership = getattr(e.person, "membership", None)
        relation = membership.relation_party_org if membership else None
        if relation is not None:
            relation_pks.append(relation.pk)
        rows.append(
            {
                "name": e.person.name,
                "id_masked": e.person.id_masked,
                "position": Position(e.position).label if e.position else "",
                "started_on": e.started_on,
                "ended_on": e.ended_on,
                "current": e.is_current(today),
                "political_status": PoliticalStatus(e.person.political_status).label
                if e.person.political_status
                else "",
                "member_state": _member_state(membership, today),
                "relation": relation,
            }
        )
    visible = _visible(gate, PartyOrganization, relation_pks)
    for row in rows:
        row["relation_linked"] = row["relation"] is not None and row["relation"].pk in visible
    rows.sort(key=lambda r: (not r["current"], r["member_state"] == "", r["name"]))
    current = [r for r in rows if r["current"]]
    return {
        **_paged(request, rows, "staff_page", "staff"),
        "total": len(rows),
        "current": len(current),
        "formal": sum(1 for r in current if r["member_state"] == "正式党员"),
        "probationary": sum(1 for r in current if r["member_state"] == "预备党员"),
    }


def _org_coverages(
    gate: Jurisdiction, org: SocialOrganization, today: dt.date
) -> list[dict[str, Any]]:
    coverages = list(
        Coverage.objects.filter(org=org).select_related("party_org").order_by("-started_on", "pk")
    )
    visible = _visible(gate, PartyOrganization, [c.party_org_id for c in coverages])
    return [
        {
            "party_org": c.party_org,
            "linked": c.party_org_id in visible,
            "form": c.party_org.get_form_display(),
            "level": c.party_org.get_level_display(),
            "started_on": c.started_on,
            "ended_on": c.ended_on,
            "current": c.is_current(today),
            "counts": c.party_org.form in COVERING_FORMS,
        }
        for c in coverages
    ]


def _instructors(org: SocialOrganization, today: dt.date) -> list[dict[str, Any]]:
    return [
        {
            "name": a.instructor.person.name,
            "id_masked": a.instructor.person.id_masked,
            "source": a.instructor.get_source_display(),
            "started_on": a.started_on,
            "ended_on": a.ended_on,
            "current": a.is_current(today),
        }
        for a in InstructorAssignment.objects.filter(org=org)
        .select_related("instructor__person")
        .order_by("-started_on", "pk")
    ]


def _findings(
    request: HttpRequest,
    key: str,
    subject_type: str,
    pk: int,
    today: dt.date,
    facts: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Every rule that applies to the subject today: 符合 / 不符合, the message, what to do,
    by when, and the clause quoted (`explain`). `facts` replaces facts whose wording in
    `explain` is meant for the command line (Party organizations by internal number)."""
    explanation = explain(key, as_of=today, user=request.user)  # type: ignore[arg-type]
    recorded = {
        r.rule: r
        for r in findings_for(request.user).filter(  # type: ignore[arg-type]
            subject_type=subject_type, subject_pk=pk, resolved_on__isnull=True
        )
    }
    verdicts: list[dict[str, Any]] = []
    for v in explanation.verdicts:
        record = recorded.get(v.rule.id)
        messages: list[dict[str, Any]] = [
            {
                "message": f.message,
                "due": f.due or (record.due if record else None),
            }
            for f in v.findings
        ]
        for m in messages:
            m["overdue"] = m["due"] is not None and m["due"] < today
        verdicts.append(
            {
                "rule": v.rule,
                "holds": v.holds,
                "severity": SEVERITY_LABEL[v.rule.severity],
                "findings": messages,
            }
        )
    verdicts.sort(key=lambda v: (v["holds"], v["rule"].id))
    shown = [
        (name, (facts or {}).get(name) or _fact_text(value))
        for name, value in explanation.facts.items()
    ]
    return {
        "verdicts": verdicts,
        "failing": sum(1 for v in verdicts if not v["holds"]),
        "passing": sum(1 for v in verdicts if v["holds"]),
        "facts": shown,
        "policy_version": explanation.policy_version,
    }


def _fact_text(value: Any) -> str:
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value) or "无"
    return str(value)


def _history(instance: Model) -> list[dict[str, Any]]:
    """The last changes of `instance`: when, who, why, and which fields changed.

    Each record is compared with the one before it *in the same fetch* (the fetch takes one
    more than is shown), instead of `prev_record`, which would query once per record.
    """
    model = type(instance)
    records = list(
        instance.history.select_related("history_user").order_by(  # type: ignore[attr-defined]
            "-history_date", "-history_id"
        )[: HISTORY_SHOWN + 1]
    )
    changes: list[tuple[Any, list[Any]]] = []
    fk_values: dict[type[Model], set[Any]] = defaultdict(set)
    for i, record in enumerate(records[:HISTORY_SHOWN]):
        older = records[i + 1] if i + 1 < len(records) else None
        delta = record.diff_against(older).changes if older is not None else []
        changes.append((record, list(delta)))
        for change in delta:
            field = model._meta.get_field(change.field)
            if isinstance(field, ForeignKey):
                fk_values[field.related_model].update(
                    v for v in (change.old, change.new) if v is not None
                )
    names = {
        related: dict(related._default_manager.filter(pk__in=pks).values_list("pk", "name"))
        for related, pks in fk_values.items()
        if related in (Area, Unit, PartyOrganization)
    }
    out = []
    for record, delta in changes:
        fields = []
        for change in delta:
            field = model._meta.get_field(change.field)
            fields.append(
                {
                    "label": str(field.verbose_name),  # type: ignore[union-attr]
                    "old": _history_value(field, change.old, names),
                    "new": _history_value(field, change.new, names),
                }
            )
        user = record.history_user
        out.append(
            {
                "date": record.history_date,
                "type": {"+": "新建", "~": "修改", "-": "删除"}.get(record.history_type, ""),
                "user": (user.get_full_name() or user.username) if user else "",
                "reason": record.history_change_reason or "",
                "fields": fields,
            }
        )
    return out


def _history_value(field: Any, value: Any, names: dict[Any, dict[Any, str]]) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(field, ForeignKey):
        return names.get(field.related_model, {}).get(value, f"#{value}")
    choices = dict(field.flatchoices) if field.choices else {}
    if value in choices:
        return str(choices[value])
    if isinstance(value, bool):
        return _yes_no(value)
    return str(value)


@login_required
def org_detail(request: HttpRequest, uscc: str) -> HttpResponse:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    today = timezone.localdate()
    found = gate.access_org(uscc[:40])
    org = SocialOrganization.objects.select_related(*ORG_RELATED).get(pk=found.pk)
    body = _managing_body(org)
    coverages = _org_coverages(gate, org, today)
    instructors = _instructors(org, today)
    context = {
        "title": org.name,
        "breadcrumbs": crumbs(("社会组织", reverse("web:orgs")), (org.name, None)),
        "today": today,
        "org": org,
        "active": org.is_active(today),
        "party_management": PartyManagement(org.party_management).label,
        "supervised": org.registration_mode == RegistrationMode.SUPERVISED,
        "body": body if isinstance(body, ManagingBody) else None,
        "body_problem": None if isinstance(body, ManagingBody) else body.reason,
        "staff": _staff(request, gate, org, today),
        "coverages": coverages,
        "covering_now": sum(1 for c in coverages if c["current"] and c["counts"]),
        "instructors": instructors,
        "instructors_now": sum(1 for i in instructors if i["current"]),
        "findings": _findings(
            request,
            org.uscc,
            "social_org",
            org.pk,
            today,
            {
                "覆盖党组织": "、".join(
                    f"{c['party_org'].name}（{c['form']}·{c['level']}）"
                    for c in coverages
                    if c["current"] and c["counts"]
                )
                or "无"
            },
        ),
        "history": _history(org),
    }
    return render(request, "web/orgs/org_detail.html", context)


# --- Party organizations ------------------------------------------------------------------


def _party_org_filters(request: HttpRequest, gate: Jurisdiction) -> dict[str, Any]:
    return {
        "as_of": figures.as_of_given(request),
        # Those covering an active organization on the date (of `org_kind`): the rows
        # behind the count of joint Party organizations of the org-building table.
        "covers": request.GET.get("covers", "") == "active",
        "org_kind": _choice(request, "org_kind", OrgKind.choices),
        "area": figures.area(request, gate),
        "level": _choice(request, "level", PartyOrgLevel.choices),
        "form": _choice(request, "form", PARTY_ORG_FORMS),
        "status": _choice(request, "status", PartyOrgStatus.choices),
        "q": _text(request),
    }


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


def _filtered_party_orgs(
    request: HttpRequest, gate: Jurisdiction, today: dt.date
) -> tuple[QuerySet[PartyOrganization], dict[str, Any], str]:
    f = _party_org_filters(request, gate)
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
            # only its code, as on an organization's page.
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
        qs = qs.filter(Q(name__contains=f["q"]) | Q(code__icontains=f["q"]))
    if request.GET.get("sort", "").lstrip("-") == "members":
        qs = qs.annotate(member_count=Coalesce(_members_count(f["as_of"] or today), 0))
    ordered, wanted = tables.sort(request, qs, PARTY_ORG_SORT, "code")
    return ordered, f, wanted


def _party_org_rows(party_orgs: list[PartyOrganization], today: dt.date) -> list[dict[str, Any]]:
    """One page of Party organizations with what they cover and their members today, and
    when their term runs out: two queries for the page."""
    pks = [p.pk for p in party_orgs]
    covers = dict(
        Coverage.objects.current_on(today)
        .filter(party_org_id__in=pks)
        .order_by()
        .values("party_org_id")
        .annotate(n=Count("org_id", distinct=True))
        .values_list("party_org_id", "n")
    )
    members = {
        pk: (formal, total)
        for pk, formal, total in Membership.objects.member_on(today)
        .filter(relation_party_org_id__in=pks)
        .order_by()
        .values("relation_party_org_id")
        .annotate(
            formal=Count("pk", filter=Membership.formal_on_q(today)),
            total=Count("pk"),
        )
        .values_list("relation_party_org_id", "formal", "total")
    }
    policy = policy_module.load()
    rows = []
    for p in party_orgs:
        formal, total = members.get(p.pk, (0, 0))
        term = _term(p, policy, today)
        rows.append(
            {
                "party_org": p,
                "covers": covers.get(p.pk, 0),
                "formal": formal,
                "probationary": total - formal,
                "members": total,
                "term": term,
            }
        )
    return rows


def _hide_outside(gate: Jurisdiction, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mark the rows of Party organizations outside the user's jurisdiction (`hidden`: only
    their code is shown)."""
    visible = _visible(gate, PartyOrganization, [r["party_org"].pk for r in rows])
    for r in rows:
        r["hidden"] = r["party_org"].pk not in visible
    return rows


def _term(party_org: PartyOrganization, policy: Any, today: dt.date) -> dict[str, Any]:
    """The current term as ORG-TERM reads it (`current_term`): overdue only where the rule
    would find it — an active Party organization of social organizations whose term has run
    out (a term ending today has run out); territorial ones are not checked (POLICY.md)."""
    term = current_term(party_org, policy)
    return {
        "started": term.started,
        "from_founding": party_org.term_started_on is None,
        "years": term.years,
        "ends": term.ends,
        "checked": term.checked,
        "overdue": term.run_out(today) and party_org.is_active(today),
    }


PARTY_ORG_COLUMNS = [
    ("code", "党组织编码", WIDE_ONLY),
    ("name", "党组织名称", ""),
    ("level", "类别", WIDE_ONLY),
    ("form", "组建方式", ""),
    ("township", "所在乡镇(街道)", ""),
    ("founded_on", "成立日期", "d-none d-xxl-table-cell"),
    ("status", "状态", WIDE_ONLY),
    ("", "覆盖组织", "num"),
    ("members", "党员 正式/预备", "num"),
    ("", "任期届满", ""),
    ("", "操作", WIDE_ONLY),
]


@login_required
def party_org_list(request: HttpRequest) -> HttpResponse:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    today = timezone.localdate()
    qs, f, wanted = _filtered_party_orgs(request, gate, today)
    day = f["as_of"] or today
    areas = _area_options(gate)
    base = reverse("web:party_orgs")
    page = tables.page(request, qs)
    total = page.paginator.count
    query = tables.query_without(request, "page")
    words = []
    if f["status"]:
        words.append(
            f"{day}正常"
            if f["figure"] and f["status"] == PartyOrgStatus.ACTIVE
            else dict(PartyOrgStatus.choices)[f["status"]]
        )
    if f["form"]:
        words.append(dict(PARTY_ORG_FORMS)[f["form"]])
    if f["level"]:
        words.append(dict(PartyOrgLevel.choices)[f["level"]])
    if f["covers"]:
        kind = KIND_LABELS.get(f["org_kind"], "")
        words.append(f"覆盖正常登记的{kind or '社会组织'}")
    context = {
        "title": "党组织",
        "breadcrumbs": crumbs(("党组织", None)),
        "today": day,
        "f": f,
        "filter_line": _filter_line(words, f["area"], day) if f["figure"] else "",
        "filtered": any(f.values()),
        "sort": wanted,
        "rows": _hide_outside(gate, _party_org_rows(list(page.object_list), day)),
        "headers": _headers(request, base, PARTY_ORG_COLUMNS, wanted),
        "pager": _page_links(request, base, page),
        "export_url": reverse("web:party_orgs_export") + (f"?{query}" if query else ""),
        "has_data": total > 0 or gate.party_orgs().exists(),
        "areas": areas,
        "area_options": _area_select(areas, f["area"]),
        "levels": PartyOrgLevel.choices,
        "forms": PARTY_ORG_FORMS,
        "statuses": PartyOrgStatus.choices,
    }
    return _render_list(request, "web/orgs/party_org_list.html", context)


PARTY_ORG_EXPORT_HEADER = [
    "党组织编码",
    "党组织名称",
    "党组织类别",
    "组建方式",
    "上级党组织编码",
    "所在区县",
    "所在乡镇(街道)",
    "成立日期",
    "本届任期开始日期",
    "本届任期届满日期",
    "状态",
    "撤销日期",
    "覆盖社会组织数",
    "正式党员数",
    "预备党员数",
]


def _party_org_export_rows(
    gate: Jurisdiction, qs: QuerySet[PartyOrganization], today: dt.date
) -> Iterator[list[Any]]:
    for chunk in itertools.batched(qs.iterator(chunk_size=EXPORT_CHUNK), EXPORT_CHUNK):
        for row in _hide_outside(gate, _party_org_rows(list(chunk), today)):
            p = row["party_org"]
            if row["hidden"]:
                yield [p.code, "（管辖范围以外的党组织）"]
                continue
            yield [
                p.code,
                p.name,
                p.get_level_display(),
                p.get_form_display(),
                p.parent.code if p.parent else "",
                p.township.parent.name if p.township.parent else "",
                p.township.name,
                p.founded_on,
                p.term_started_on,
                row["term"]["ends"],
                p.get_status_display(),
                p.dissolved_on,
                row["covers"],
                row["formal"],
                row["probationary"],
            ]


@login_required
def party_org_export(request: HttpRequest) -> HttpResponse:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    today = timezone.localdate()
    qs, f, _wanted = _filtered_party_orgs(request, gate, today)
    day = f["as_of"] or today
    return tables.xlsx_response(
        f"党组织-{day.isoformat()}.xlsx",
        PARTY_ORG_EXPORT_HEADER,
        _party_org_export_rows(gate, qs, day),
        title="党组织",
    )


def _committee(party_org: PartyOrganization, today: dt.date) -> dict[str, list[dict[str, Any]]]:
    offices = (
        CommitteeMembership.objects.filter(party_org=party_org)
        .select_related("person")
        .order_by("started_on", "pk")
    )
    rank = {role: i for i, role in enumerate(CommitteeRole.values)}
    current: list[dict[str, Any]] = []
    past: list[dict[str, Any]] = []
    for o in offices:
        row = {
            "role": o.get_role_display(),
            "name": o.person.name,
            "id_masked": o.person.id_masked,
            "started_on": o.started_on,
            "ended_on": o.ended_on,
            "full_time": o.full_time,
            "rank": rank.get(o.role, 9),
        }
        (current if o.is_current(today) else past).append(row)
    current.sort(key=lambda r: (r["rank"], r["started_on"]))
    past.sort(key=lambda r: r["ended_on"] or r["started_on"], reverse=True)
    return {"current": current, "past": past}


def _covered(
    gate: Jurisdiction, party_org: PartyOrganization, today: dt.date
) -> list[dict[str, Any]]:
    coverages = list(
        Coverage.objects.filter(party_org=party_org)
        .select_related("org__township")
        .order_by("org__name", "-started_on")
    )
    visible = _visible(gate, SocialOrganization, [c.org_id for c in coverages])
    rows = [
        {
            "org": c.org,
            "linked": c.org_id in visible,
            "started_on": c.started_on,
            "ended_on": c.ended_on,
            "current": c.is_current(today),
            "org_active": c.org.is_active(today),
        }
        for c in coverages
    ]
    rows.sort(key=lambda r: not r["current"])
    return rows


def _members(request: HttpRequest, party_org: PartyOrganization, today: dt.date) -> dict[str, Any]:
    """Members whose organizational relation this Party organization holds, with where they
    work today (two queries: the members, their current employments)."""
    memberships = list(
        Membership.objects.filter(relation_party_org=party_org)
        .select_related("person")
        .order_by("person__name", "pk")
    )
    employers: dict[int, list[str]] = defaultdict(list)
    person_pks = [m.person_id for m in memberships]
    for start in range(0, len(person_pks), 900):
        for person, name in (
            Employment.objects.current_on(today)
            .filter(person_id__in=person_pks[start : start + 900])
            .order_by("org__name")
            .values_list("person_id", "org__name")
        ):
            employers[person].append(name)
    rows = [
        {
            "name": m.person.name,
            "id_masked": m.person.id_masked,
            "state": _member_state(m, today) or "尚未入党",
            "joined_on": m.joined_on,
            "confirmed_on": m.confirmed_on,
            "mobile": m.is_mobile,
            "employers": "、".join(employers.get(m.person_id, [])),
        }
        for m in memberships
    ]
    return {
        **_paged(request, rows, "members_page", "members"),
        "formal": sum(1 for r in rows if r["state"] == "正式党员"),
        "probationary": sum(1 for r in rows if r["state"] == "预备党员"),
        "total": len(rows),
    }


@login_required
def party_org_detail(request: HttpRequest, code: str) -> HttpResponse:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    today = timezone.localdate()
    found = gate.access_party_org(code[:40])
    party_org = PartyOrganization.objects.select_related("township__parent", "parent", "unit").get(
        pk=found.pk
    )
    parent_visible = bool(
        party_org.parent_id and _visible(gate, PartyOrganization, [party_org.parent_id])
    )
    children = list(party_org.children.order_by("code"))
    visible_children = _visible(gate, PartyOrganization, [c.pk for c in children])
    covered = _covered(gate, party_org, today)
    context = {
        "title": party_org.name,
        "breadcrumbs": crumbs(("党组织", reverse("web:party_orgs")), (party_org.name, None)),
        "today": today,
        "p": party_org,
        "active": party_org.is_active(today),
        "parent_visible": parent_visible,
        "children": [{"p": c, "linked": c.pk in visible_children} for c in children],
        "term": _term(party_org, policy_module.load(), today),
        "committee": _committee(party_org, today),
        "covered": covered,
        "covered_now": sum(1 for c in covered if c["current"]),
        "members": _members(request, party_org, today),
        "findings": _findings(request, party_org.code, "party_org", party_org.pk, today),
        "history": _history(party_org),
    }
    return render(request, "web/orgs/party_org_detail.html", context)
