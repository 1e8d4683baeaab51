"""统计报表: coverage by area with drill-down, the official table 社会组织法人单位建立党的
基层组织情况 as on paper, and the joint planner per township — each over the user's own
jurisdiction (an area outside it answers 404), each with its Excel download."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.areas.models import Area, AreaLevel
from dangjian.orgs.models import OrgKind
from dangjian.reports.coverage import coverage_report
from dangjian.reports.models import JointProposal
from dangjian.reports.orgbuilding import (
    COLUMN_LABELS,
    COLUMNS,
    OVERCOUNT_NOTE,
    ROWS,
    org_building_report,
)
from dangjian.reports.output import coverage_xlsx, industry_label, org_building_xlsx, plan_xlsx
from dangjian.reports.planner import Group, JointPlan, plan_joint, same_industry
from dangjian.reports.services import proposal_save
from dangjian.web import figures, tables
from dangjian.web.views import area_from, as_of_from, crumbs

REPORT_LEVELS = (AreaLevel.CITY, AreaLevel.DISTRICT, AreaLevel.TOWNSHIP)
CHILD_LEVEL = {AreaLevel.CITY: AreaLevel.DISTRICT, AreaLevel.DISTRICT: AreaLevel.TOWNSHIP}
LEVEL_WORD = {"city": "区县(市)", "district": "乡镇(街道)", "township": ""}

# --- shared ------------------------------------------------------------------------------


def _report_area(request: HttpRequest, gate: Jurisdiction) -> Area | None:
    """The area asked for (through the gate: 404 outside), or the user's whole jurisdiction.
    Reports count by township: a community stands for its township."""
    area = area_from(request, gate)
    if area is not None and area.level == AreaLevel.COMMUNITY and area.parent_id:
        area = Area.objects.get(pk=area.parent_id)
    return area if area is not None else gate.facts_area()


def _query(**params: Any) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _trail(
    gate: Jurisdiction, area: Area | None, url_name: str, as_of: dt.date
) -> list[tuple[str, str | None]]:
    """Breadcrumb items from the user's top area down to `area` (each a drill-up link)."""
    title = {
        "web:report_coverage": "覆盖情况",
        "web:report_org_building": "建立党组织情况表",
        "web:report_joint": "联合党组织方案",
    }[url_name]
    base = reverse(url_name)
    items: list[tuple[str, str | None]] = [(title, f"{base}?{_query(as_of=as_of)}")]
    if area is None:
        return [(title, None)]
    top = gate.facts_area()
    codes = area.ancestor_codes()
    chain = Area.objects.filter(code__in=codes, level__in=REPORT_LEVELS).order_by("path")
    for a in chain:
        if top is not None and not a.path.startswith(top.path):
            continue
        if top is not None and a.code == top.code:
            continue  # the report page itself is the user's top area
        items.append((a.name, f"{base}?{_query(area=a.code, as_of=as_of)}"))
    last_label = items[-1][0]
    items[-1] = (last_label, None)
    return items


def _xlsx_download(write: Callable[[Path], None], filename: str) -> HttpResponse:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.xlsx"
        write(path)
        data = path.read_bytes()
    response = HttpResponse(data, content_type=tables.XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _area_label(request: HttpRequest, area: Area | None) -> str:
    """Whose figures the page shows (长沙市, 长沙市教育局主管的社会组织)."""
    return Jurisdiction(request.user).scope(area).name  # type: ignore[arg-type]


# --- (a) coverage by area ----------------------------------------------------------------


def _is_child(row: dict[str, Any], top: dict[str, Any]) -> bool:
    prefix = top["area"][:4] if top["level"] == AreaLevel.CITY else top["area"]
    return row["level"] == CHILD_LEVEL.get(top["level"]) and row["area"].startswith(prefix)


def _coverage_cells(row: dict[str, Any], as_of: dt.date) -> list[dict[str, Any]]:
    """The figures of one row, each a link to the list of exactly what it counts, on the
    report's date (`figures`); the rates link to what they leave out."""
    code = row["area"]

    def orgs(**params: str) -> str:
        return figures.link("web:orgs", as_of, code, status="active", **params)

    def people(**params: str) -> str:
        return figures.link("web:people", as_of, code, **params)

    return [
        {"value": row["orgs_active"], "url": orgs()},
        {"value": row["orgs_with_formal_members"], "url": orgs(members="formal")},
        {"value": row["orgs_3plus"], "url": orgs(members="3plus")},
        {"value": row["orgs_standalone"], "url": orgs(coverage="standalone")},
        {"value": row["orgs_joint"], "url": orgs(coverage="joint")},
        {"value": row["orgs_instructor"], "url": orgs(instructor="1")},
        {
            "value": _pct(row["org_coverage_rate"]),
            "url": orgs(coverage="uncovered_formal"),
            "title": "查看有正式党员但尚未被党组织覆盖的社会组织",
            "rate": True,
        },
        {
            "value": _pct(row["work_coverage_rate"]),
            "url": orgs(coverage="none"),
            "title": "查看既未被党组织覆盖、也没有党建工作指导员的社会组织",
            "rate": True,
        },
        {
            "value": row["party_orgs"],
            "url": figures.link("web:party_orgs", as_of, code, form="social", status="active"),
        },
        {"value": row["members_formal"], "url": people(member="formal")},
        {"value": row["members_probationary"], "url": people(member="probationary")},
    ]


COVERAGE_HEADERS = [
    "正常社会组织",
    "有正式党员的",
    "3名以上正式党员的",
    "单独组建覆盖",
    "联合组建覆盖",
    "有党建工作指导员",
    "组织覆盖率",
    "工作覆盖率",
    "党组织数",
    "正式党员",
    "预备党员",
]


@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    area = _report_area(request, gate)
    as_of = as_of_from(request)
    report = coverage_report(as_of=as_of, area=area, user=request.user)  # type: ignore[arg-type]
    rows = report["rows"]
    top = rows[0] if rows else None
    children = [r for r in rows[1:] if top is not None and _is_child(r, top)]
    drill = top is not None and top["level"] == AreaLevel.CITY
    base = reverse("web:report_coverage")

    def child_url(r: dict[str, Any]) -> str:
        if drill:
            return f"{base}?{_query(area=r['area'], as_of=as_of)}"
        return figures.link("web:orgs", as_of, r["area"], status="active")

    table = [
        {
            "row": r,
            "cells": _coverage_cells(r, as_of),
            "url": child_url(r),
            "drill": drill,
        }
        for r in children
    ]
    ranked = sorted(
        (r for r in children if r["org_coverage_rate"] is not None),
        key=lambda r: (-r["org_coverage_rate"], r["area"]),
    )
    chart = {
        "categories": [r["name"] for r in ranked],
        "series": [
            {"name": "组织覆盖率", "data": [round(r["org_coverage_rate"] * 100, 1) for r in ranked]}
        ],
        "percent": True,
        "labels": len(ranked) <= 20,
        "rotate": 30 if len(ranked) > 8 else 0,
        "links": [child_url(r) for r in ranked],
    }
    context = {
        "title": "覆盖情况",
        "breadcrumbs": crumbs(
            ("统计分析", None), *_trail(gate, area, "web:report_coverage", as_of)
        ),
        "area": area,
        "area_label": report["area_name"],
        "report_title": report["title"],
        "as_of": as_of,
        "top": top,
        "top_cells": _coverage_cells(top, as_of) if top else [],
        "table": table,
        "headers": COVERAGE_HEADERS,
        "child_word": LEVEL_WORD.get(top["level"], "") if top else "",
        "drill": drill,
        "chart": chart,
        "ranked": [(r["name"], _pct(r["org_coverage_rate"])) for r in ranked],
        "unrated": [r["name"] for r in children if r["org_coverage_rate"] is None],
        "export_url": f"{reverse('web:report_coverage_xlsx')}?"
        + _query(area=area.code if area else "", as_of=as_of),
    }
    return render(request, "web/reports/coverage.html", context)


@login_required
def coverage_export(request: HttpRequest) -> HttpResponse:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    area = _report_area(request, gate)
    as_of = as_of_from(request)
    report = coverage_report(as_of=as_of, area=area, user=request.user)  # type: ignore[arg-type]
    return _xlsx_download(
        lambda path: coverage_xlsx(report, path),
        f"覆盖情况_{_area_label(request, area)}_{as_of.isoformat()}.xlsx",
    )


# --- (b) the official table --------------------------------------------------------------

# The merged cells of the first column, as on paper (and in reports.output.org_building_xlsx).
GROUPS = {
    "standalone_committee": ("已单独建立党组织", 3),
    "joint": ("联合建立", 3),
    "uncovered_3plus": ("未建立党组织", 4),
    "staff": ("补充情况", 4),
}


# The list each row counts (`figures`): (list, its filter). Every row counts active
# organizations on the date (CONTRACT.md) but the Party organizations and people ones.
ROW_LISTS: dict[str, tuple[str, dict[str, str]]] = {
    "units": ("web:orgs", {"status": "active"}),
    "standalone_committee": ("web:orgs", {"coverage": "standalone", "level": "committee"}),
    "standalone_general_branch": (
        "web:orgs",
        {"coverage": "standalone", "level": "general_branch"},
    ),
    "standalone_branch": ("web:orgs", {"coverage": "standalone", "level": "branch"}),
    "joint": ("web:orgs", {"coverage": "joint"}),
    "joint_3plus": ("web:orgs", {"coverage": "joint", "members": "3plus"}),
    "joint_party_orgs": ("web:party_orgs", {"form": "joint", "covers": "active"}),
    "uncovered_3plus": ("web:orgs", {"coverage": "unbuilt", "members": "3plus"}),
    "uncovered_few": ("web:orgs", {"coverage": "unbuilt", "members": "few"}),
    "uncovered_none": ("web:orgs", {"coverage": "unbuilt", "members": "none"}),
    "uncovered_with_instructor": ("web:orgs", {"coverage": "unbuilt", "instructor": "1"}),
    "members": ("web:people", {"working": "1"}),
    "members_relation_elsewhere": ("web:people", {"working": "1", "elsewhere": "1"}),
    "instructors": ("web:people", {"instructor": "1"}),
}
# The organizations' kind, as each list names its filter.
KIND_PARAM = {"web:orgs": "kind", "web:party_orgs": "org_kind", "web:people": "kind"}


def _paper_rows(report: dict[str, Any], as_of: dt.date, code: str) -> list[dict[str, Any]]:
    kinds = ["", OrgKind.ASSOCIATION, OrgKind.FOUNDATION, OrgKind.SERVICE_AGENCY]
    out = []
    for key, label, indent in ROWS:
        target = ROW_LISTS.get(key)  # none for 从业人员: a sum of a field, not a count
        cells = []
        for kind, value in zip(kinds, report["rows"][key], strict=True):
            url = None
            if target is not None:
                name, params = target
                url = figures.link(name, as_of, code, **params, **{KIND_PARAM[name]: kind})
            cells.append({"value": value, "url": url})
        out.append(
            {
                "key": key,
                "label": label.split(" — ")[-1],
                "whole": indent == 0,  # 单位数 spans both label columns
                "sub": indent >= 2,
                "group": GROUPS.get(key),
                "values": report["rows"][key],
                "cells": cells,
            }
        )
    return out


@login_required
def org_building(request: HttpRequest) -> HttpResponse:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    area = _report_area(request, gate)
    as_of = as_of_from(request)
    report = org_building_report(as_of=as_of, area=area, user=request.user)  # type: ignore[arg-type]
    code = area.code if area else ""
    context = {
        "title": "建立党组织情况表",
        "breadcrumbs": crumbs(
            ("统计分析", None), *_trail(gate, area, "web:report_org_building", as_of)
        ),
        "area": area,
        "area_label": report["area_name"],
        "as_of": as_of,
        "report": report,
        "overcount_note": OVERCOUNT_NOTE,
        "columns": list(zip(COLUMNS, COLUMN_LABELS, strict=True)),
        "rows": _paper_rows(report, as_of, code),
        "export_url": f"{reverse('web:report_org_building_xlsx')}?"
        + _query(area=code, as_of=as_of),
        "area_choices": _area_choices(gate, area),
    }
    return render(request, "web/reports/org_building.html", context)


@login_required
def org_building_export(request: HttpRequest) -> HttpResponse:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    area = _report_area(request, gate)
    as_of = as_of_from(request)
    report = org_building_report(as_of=as_of, area=area, user=request.user)  # type: ignore[arg-type]
    return _xlsx_download(
        lambda path: org_building_xlsx(report, path),
        f"社会组织法人单位建立党的基层组织情况_{report['area_name']}_{as_of.isoformat()}.xlsx",
    )


def _area_choices(gate: Jurisdiction, area: Area | None) -> list[dict[str, Any]]:
    """The city, districts and townships the user may report on, `area` selected. A user
    whose jurisdiction is no area (a registry, a secretary) first gets their whole one."""
    rows = (
        gate.areas()
        .filter(level__in=REPORT_LEVELS)
        .order_by("path")
        .values_list("code", "name", "level")
    )
    choices = [
        {
            "code": c,
            "name": n,
            "indent": {"district": 1, "township": 2}.get(lvl, 0),
            "selected": area is not None and area.code == c,
        }
        for c, n, lvl in rows
    ]
    if not any(c["selected"] for c in choices):
        whole = {"code": "", "name": "本人管辖范围", "indent": 0, "selected": True}
        choices.insert(0, whole)
    return choices


# --- (c) the joint planner ---------------------------------------------------------------


def _plan(request: HttpRequest, gate: Jurisdiction) -> tuple[Area | None, dt.date, JointPlan]:
    area = _report_area(request, gate)
    as_of = as_of_from(request)
    return area, as_of, plan_joint(as_of=as_of, area=area, user=request.user)  # type: ignore[arg-type]


class _PlanView:
    """The plan as the page shows it: groups numbered as saved proposals number them."""

    def __init__(self, plan: JointPlan) -> None:
        self.plan = plan
        self.number = {id(g): i for i, g in enumerate(plan.groups, start=1)}
        self.township_name = {t.code: t.name for t in plan.townships}
        self.group_of = {c.uscc: g for g in plan.groups for c in g.orgs}
        self.candidates = {c.uscc: c for g in plan.groups for c in g.orgs}
        self.candidates.update({c.uscc: c for c, _why in plan.unplaced})

    def group(self, g: Group) -> dict[str, Any]:
        townships = sorted({c.township for c in g.orgs})
        return {
            "number": self.number.get(id(g)),
            "industry": industry_label(g.industry),
            "same": g.industry is not None,
            "formal": g.formal_members,
            "cross": g.cross_township,
            "townships": [self.township_name.get(t, t) for t in townships],
            "orgs": [
                {
                    "uscc": c.uscc,
                    "name": c.name,
                    "formal": c.formal,
                    "industry": industry_label(c.industry),
                    "township": self.township_name.get(c.township, c.township),
                    "url": reverse("web:org", kwargs={"uscc": c.uscc}),
                }
                for c in g.orgs
            ],
        }

    def placed_in(self, uscc: str) -> int | None:
        g = self.group_of.get(uscc)
        return self.number.get(id(g)) if g is not None else None


@login_required
def joint(request: HttpRequest) -> HttpResponse:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    area, as_of, plan = _plan(request, gate)
    view = _PlanView(plan)
    base = reverse("web:report_joint")
    code = area.code if area else ""
    district_names = dict(
        Area.objects.filter(code__in={t.district for t in plan.townships}).values_list(
            "code", "name"
        )
    )
    selected_code = request.GET.get("township", "").strip()
    if selected_code:
        gate.access_area(selected_code)  # 404 outside the jurisdiction
    elif len(plan.townships) == 1:
        selected_code = plan.townships[0].code
    townships = []
    selected: dict[str, Any] | None = None
    for t in plan.townships:
        same = same_industry(t.groups)
        row = {
            "code": t.code,
            "name": t.name,
            "district": district_names.get(t.district, t.district),
            "ones": t.ones,
            "twos": t.twos,
            "eligible": t.ones + t.twos,
            "bound": t.bound,
            "groups": len(t.groups),
            "same": same,
            "share": _pct(same / len(t.groups)) if t.groups else "—",
            "leftovers": len(t.leftovers),
            "url": f"{base}?{_query(area=code, as_of=as_of, township=t.code)}#township",
            "selected": t.code == selected_code,
        }
        townships.append(row)
        if t.code == selected_code:
            selected = {
                **row,
                "group_views": [
                    view.group(g) for g in sorted(t.groups, key=lambda g: view.number[id(g)])
                ],
                "leftover_views": [
                    {
                        "uscc": uscc,
                        "name": view.candidates[uscc].name if uscc in view.candidates else uscc,
                        "formal": view.candidates[uscc].formal if uscc in view.candidates else None,
                        "why": why,
                        "placed_in": view.placed_in(uscc),
                        "url": reverse("web:org", kwargs={"uscc": uscc}),
                    }
                    for uscc, why in t.leftovers
                ],
                # Groups of other townships (or of the district) this township's
                # organizations joined.
                "cross_views": [
                    view.group(g)
                    for g in plan.groups
                    if id(g) not in {id(own) for own in t.groups}
                    and any(c.township == t.code for c in g.orgs)
                ],
            }
    selected_missing = bool(selected_code) and selected is None
    all_same = same_industry(plan.groups)
    summary = {
        "eligible": sum(t.ones + t.twos for t in plan.townships),
        "bound": sum(t.bound for t in plan.townships),
        "groups": len(plan.groups),
        "same": all_same,
        "share": _pct(all_same / len(plan.groups)) if plan.groups else "—",
        "cross": sum(1 for g in plan.groups if g.cross_township),
        "unplaced": len(plan.unplaced),
    }
    query = _query(area=code, as_of=as_of)
    context = {
        "title": "联合党组织方案",
        "breadcrumbs": crumbs(("统计分析", None), *_trail(gate, area, "web:report_joint", as_of)),
        "area": area,
        "area_label": _area_label(request, area),
        "as_of": as_of,
        "plan": plan,
        "summary": summary,
        "townships": townships,
        "selected": selected,
        "selected_code": selected_code,
        "selected_missing": selected_missing,
        "cross_views": [view.group(g) for g in plan.groups if g.cross_township],
        "unplaced": [
            {
                "uscc": c.uscc,
                "name": c.name,
                "formal": c.formal,
                "township": view.township_name.get(c.township, c.township),
                "why": why,
                "url": reverse("web:org", kwargs={"uscc": c.uscc}),
            }
            for c, why in plan.unplaced
        ],
        "export_url": f"{reverse('web:report_joint_xlsx')}?{query}",
        "save_url": f"{reverse('web:report_joint_save')}?"
        + _query(area=code, as_of=as_of, township=selected_code),
        "proposals": list(JointProposal.objects.filter(user=request.user)[:5])
        if request.user.is_authenticated
        else [],
        "area_choices": _area_choices(gate, area),
    }
    return render(request, "web/reports/joint.html", context)


@login_required
def joint_export(request: HttpRequest) -> HttpResponse:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    area, as_of, plan = _plan(request, gate)
    return _xlsx_download(
        lambda path: plan_xlsx(plan, path, scope=gate.scope(area)),
        f"联合党组织组建方案_{_area_label(request, area)}_{as_of.isoformat()}.xlsx",
    )


@login_required
@require_POST
def joint_save(request: HttpRequest) -> HttpResponse:
    """Save the plan shown (same area and date) as a proposal to found groups from later."""
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    area, as_of, plan = _plan(request, gate)
    proposal = proposal_save(plan=plan, area=area, user=request.user)  # type: ignore[arg-type]
    messages.success(
        request,
        f"方案已保存：方案#{proposal.pk}（{_area_label(request, area)}，数据截至 {as_of.isoformat()}，"
        f"{len(plan.groups)} 个联合党组织）。按方案第N组组建时引用方案编号 {proposal.pk}。",
    )
    township = request.GET.get("township", "").strip()
    query = _query(
        area=area.code if area else "", as_of=as_of, township=township, saved=proposal.pk
    )
    return redirect(f"{reverse('web:report_joint')}?{query}")
