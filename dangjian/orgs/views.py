"""The pages of social organizations (社会组织): the list (filter bar, sortable columns,
pages, "导出Excel" of exactly what the filter shows: `web.lists`) and one page per
organization.

Every read goes through the jurisdiction gate: the list is `orgs.selectors.org_list`, the
page fetches its organization with `access_org` (a 404 outside the jurisdiction, exactly as
for a missing one). The figures of a page (covering Party organizations, members) come from a
fixed number of queries for the whole page, never one per row.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import (
    QuerySet,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.compliance.managing import ManagingBody, managing_body
from dangjian.imports.record_views import Target, as_detail, list_page, record_page, to
from dangjian.imports.writers import may_write
from dangjian.inspections.views import org_panel as inspection_panel
from dangjian.orgs import selectors
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
    Coverage,
    InstructorAssignment,
    PartyOrganization,
    PartyOrgLevel,
)
from dangjian.people.models import Employment, PoliticalStatus, Position
from dangjian.web import details, figures, lists, stats, tables

# The coverage states of the filter bar, on the list's date, for organizations active then
# (the figures of the dashboard and the reports count the same: `figures`).
COVERAGE_STATES = figures.COVERAGE_STATES


def org_filters(request: HttpRequest, gate: Jurisdiction, today: dt.date) -> dict[str, Any]:
    party_code = request.GET.get("party_org", "").strip()[:32]
    return {
        "as_of": figures.as_of_given(request),
        "area": figures.area(request, gate),
        "kind": lists.choice(request, "kind", OrgKind.choices),
        "status": lists.choice(request, "status", OrgStatus.choices),
        # "other" is the dashboard's name for 功能型覆盖.
        "coverage": "functional"
        if request.GET.get("coverage") == "other"
        else lists.choice(request, "coverage", COVERAGE_STATES),
        "industry": lists.choice(request, "industry", Industry.choices),
        "level": lists.choice(request, "level", PartyOrgLevel.choices),
        "members": lists.choice(request, "members", figures.MEMBER_BANDS),
        "instructor": request.GET.get("instructor", "") == "1",
        "q": lists.text(request),
        # The organizations a Party organization covers today (its page links here).
        "party_org": gate.access_party_org(party_code) if party_code else None,
    }


def _filtered(
    request: HttpRequest, gate: Jurisdiction, today: dt.date
) -> tuple[QuerySet[SocialOrganization], dict[str, Any], str]:
    f = org_filters(request, gate, today)
    sort_key = request.GET.get("sort", "").lstrip("-")
    qs = selectors.org_list(gate=gate, filters=f, today=today, sort_key=sort_key)
    ordered, wanted = tables.sort(request, qs, selectors.SORT, "uscc")
    return ordered, f, wanted


def _org_table_rows(
    gate: Jurisdiction, orgs: list[SocialOrganization], today: dt.date
) -> list[dict[str, Any]]:
    """The organizations of one page (with their township) with covered_by and formal
    members (two queries), and the names of the covering Party organizations the user may
    open (one more); the others show only their code."""
    covered, formal = selectors.org_figures([o.pk for o in orgs], today)
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


ORG_COLUMNS = [
    ("uscc", "统一社会信用代码", lists.WIDE_ONLY),
    ("name", "社会组织名称", ""),
    ("kind", "类型", lists.WIDE_ONLY),
    ("township", "所在乡镇(街道)", ""),
    ("registered_on", "成立登记日期", lists.WIDE_ONLY),
    ("status", "登记状态", lists.WIDE_ONLY),
    ("formal", "在职正式党员", "num"),
    ("", "覆盖党组织", ""),
    ("", "操作", lists.WIDE_ONLY),
]
ORGS = lists.ListPage(
    title="社会组织",
    url="web:orgs",
    export_url="web:orgs_export",
    form_id="org-filters",
    template="orgs/org_list.html",
    columns=ORG_COLUMNS,
    filtered=_filtered,
    results=lists.Results(
        noun="个社会组织",
        measure="个",
        thing="社会组织",
        rows_template="orgs/_rows.html",
        pager_label="社会组织分页",
        register="社会组织名录",
    ),
    exists=lambda gate: gate.orgs().exists(),
)


@login_required
def org_list(request: HttpRequest) -> HttpResponse:
    shown = ORGS.open(request)
    gate, qs, f, day = shown.gate, shown.qs, shown.f, shown.day
    filtered = f["figure"] or any(f[name] for name in ("area", "kind", "status", "industry", "q"))
    # Unfiltered, the count is the jurisdiction's number of organizations: once per version.
    count = (
        None
        if filtered or f["party_org"] is not None
        else stats.per_version("org_count", gate.user, qs.count)  # type: ignore[arg-type]
    )
    page = tables.page(request, qs.select_related("township"), count=count)  # what it shows
    words = figures.org_words(
        active=f["status"] == OrgStatus.ACTIVE,
        coverage=f["coverage"],
        level=f["level"],
        members=f["members"],
        instructor=f["instructor"],
    )
    if f["kind"]:
        words.append(KIND_LABELS[f["kind"]])
    return shown.render(
        page,
        words,
        filtered=filtered or f["party_org"] is not None,
        rows=_org_table_rows(gate, list(page.object_list), day),
        may_write=may_write(request.user, "orgs"),
        kinds=OrgKind.choices,
        statuses=OrgStatus.choices,
        coverage_states=COVERAGE_STATES,
        industries=Industry.choices,
    )


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
    for chunk in itertools.batched(
        qs.iterator(chunk_size=tables.EXPORT_CHUNK), tables.EXPORT_CHUNK
    ):
        orgs = list(chunk)
        for org, row in zip(orgs, selectors.org_rows(orgs, today), strict=True):
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
    return ORGS.export(
        request,
        ORG_EXPORT_HEADER,
        lambda _gate, qs, day: _org_export_rows(qs.select_related(*selectors.RELATED), day),
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
                "member_state": details.member_state(membership, today),
                "relation": relation,
            }
        )
    visible = details.visible(gate, PartyOrganization, relation_pks)
    for row in rows:
        row["relation_linked"] = row["relation"] is not None and row["relation"].pk in visible
    rows.sort(key=lambda r: (not r["current"], r["member_state"] == "", r["name"]))
    current = [r for r in rows if r["current"]]
    return {
        **details.paged(request, rows, "staff_page", "staff"),
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
    visible = details.visible(gate, PartyOrganization, [c.party_org_id for c in coverages])
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
            "pk": a.pk,
        }
        for a in InstructorAssignment.objects.filter(org=org)
        .select_related("instructor__person")
        .order_by("-started_on", "pk")
    ]


@login_required
def org_detail(request: HttpRequest, uscc: str) -> HttpResponse:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    today = timezone.localdate()
    found = gate.access_org(uscc[:40])
    org = SocialOrganization.objects.select_related(*selectors.RELATED).get(pk=found.pk)
    body = _managing_body(org)
    coverages = _org_coverages(gate, org, today)
    instructors = _instructors(org, today)
    context = {
        **details.frame(org.name, "社会组织", "web:orgs", today),
        "may_write": may_write(request.user, "orgs"),
        "may_write_instructors": may_write(request.user, "instructors"),
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
        "inspection": inspection_panel(request.user, org),
        "findings": details.subject_findings(
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
        "history": details.histories(
            [
                ("", org),
                *(
                    (f"党建工作指导员：{a.instructor.person.name}", a)
                    for a in InstructorAssignment.objects.filter(org=org)
                    .select_related("instructor__person")
                    .order_by("pk")
                ),
            ],
            request.user,
        ),
    }
    return render(request, "orgs/org_detail.html", context)


@login_required
def org_new(request: HttpRequest) -> HttpResponse:
    trail = [list_page("社会组织", "web:orgs")]
    return record_page(
        request,
        Target("orgs", None, trail, reverse("web:orgs"), as_detail("web:org", "uscc", "uscc"),
               "新增社会组织"),
    )  # fmt: skip


@login_required
def org_edit(request: HttpRequest, uscc: str) -> HttpResponse:
    org = Jurisdiction(request.user).access_org(uscc[:40])  # type: ignore[arg-type]
    here = reverse("web:org", kwargs={"uscc": org.uscc})
    trail = [list_page("社会组织", "web:orgs"), (org.name, here)]
    return record_page(request, Target("orgs", org, trail, here, to(here), "修改社会组织"))


@login_required
def org_instructor_new(request: HttpRequest, uscc: str) -> HttpResponse:
    """Send an instructor to this organization (an `instructors` row)."""
    org = Jurisdiction(request.user).access_org(uscc[:40])  # type: ignore[arg-type]
    here = reverse("web:org", kwargs={"uscc": org.uscc})
    trail = [list_page("社会组织", "web:orgs"), (org.name, here)]
    target = Target(
        "instructors", None, trail, here, to(here), "派驻党建工作指导员",
        preset={"org_uscc": org.uscc}, locked=("org_uscc",),
    )  # fmt: skip
    return record_page(request, target)


@login_required
def instructor_assignment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct or end one instructor's assignment (found through its organization)."""
    assignment = (
        InstructorAssignment.objects.select_related("org", "instructor__person")
        .filter(pk=pk, org__in=Jurisdiction(request.user).orgs().values("pk"))  # type: ignore[arg-type]
        .first()
    )
    if assignment is None:
        raise Http404("派驻记录不存在")
    org = assignment.org
    here = reverse("web:org", kwargs={"uscc": org.uscc})
    trail = [list_page("社会组织", "web:orgs"), (org.name, here)]
    target = Target("instructors", assignment, trail, here, to(here), "修改党建工作指导员派驻")
    return record_page(request, target)
