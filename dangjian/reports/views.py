"""统计报表: coverage by area with drill-down and the official table 社会组织法人单位建立党的
基层组织情况 as on paper (the joint planner is `views_joint`) — each over the user's own
jurisdiction (an area outside it answers 404: `reports.selectors`), each with its Excel
download."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.areas.models import Area, AreaLevel
from dangjian.orgs.models import OrgKind
from dangjian.reports import selectors
from dangjian.reports.orgbuilding import COLUMN_LABELS, COLUMNS, OVERCOUNT_NOTE, ROWS
from dangjian.reports.output import coverage_xlsx, org_building_xlsx
from dangjian.web import figures, tables
from dangjian.web.frame import crumbs
from dangjian.web.views import as_of_from

CHILD_LEVEL = {AreaLevel.CITY: AreaLevel.DISTRICT, AreaLevel.DISTRICT: AreaLevel.TOWNSHIP}
LEVEL_WORD = {"city": "区县(市)", "district": "乡镇(街道)", "township": ""}

# --- shared ------------------------------------------------------------------------------


def user_of(request: HttpRequest) -> Any:
    """The user of a page behind `login_required`."""
    return request.user


def report_area(request: HttpRequest) -> Area | None:
    """The area of `?area=` (404 outside the jurisdiction), or the user's whole one."""
    return selectors.report_area(user=user_of(request), code=request.GET.get("area", "").strip())


def query(**params: Any) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def trail(
    request: HttpRequest, area: Area | None, url_name: str, as_of: dt.date
) -> list[tuple[str, str | None]]:
    """Breadcrumb items from the user's top area down to `area` (each a drill-up link)."""
    title = {
        "web:report_coverage": "覆盖情况",
        "web:report_org_building": "建立党组织情况表",
        "web:report_joint": "联合党组织方案",
    }[url_name]
    base = reverse(url_name)
    items: list[tuple[str, str | None]] = [(title, f"{base}?{query(as_of=as_of)}")]
    if area is None:
        return [(title, None)]
    for a in selectors.area_trail(user=user_of(request), area=area):
        items.append((a.name, f"{base}?{query(area=a.code, as_of=as_of)}"))
    last_label = items[-1][0]
    items[-1] = (last_label, None)
    return items


def xlsx_download(write: Callable[[Path], None], filename: str) -> HttpResponse:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.xlsx"
        write(path)
        data = path.read_bytes()
    response = HttpResponse(data, content_type=tables.XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def area_label(request: HttpRequest, area: Area | None) -> str:
    """Whose figures the page shows (长沙市, 长沙市教育局主管的社会组织)."""
    return Jurisdiction(user_of(request)).scope(area).name


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
            "value": pct(row["org_coverage_rate"]),
            "url": orgs(coverage="uncovered_formal"),
            "title": "查看有正式党员但尚未被党组织覆盖的社会组织",
            "rate": True,
        },
        {
            "value": pct(row["work_coverage_rate"]),
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
    area = report_area(request)
    as_of = as_of_from(request)
    report = selectors.coverage(user=user_of(request), area=area, as_of=as_of)
    rows = report["rows"]
    top = rows[0] if rows else None
    children = [r for r in rows[1:] if top is not None and _is_child(r, top)]
    drill = top is not None and top["level"] == AreaLevel.CITY
    base = reverse("web:report_coverage")

    def child_url(r: dict[str, Any]) -> str:
        if drill:
            return f"{base}?{query(area=r['area'], as_of=as_of)}"
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
            ("统计分析", None), *trail(request, area, "web:report_coverage", as_of)
        ),
        "area": area,
        "area_label": report["area_name"],
        "report_title": report["title"],
        "policy_version": report["policy_version"],
        "as_of": as_of,
        "top": top,
        "top_cells": _coverage_cells(top, as_of) if top else [],
        "table": table,
        "headers": COVERAGE_HEADERS,
        "child_word": LEVEL_WORD.get(top["level"], "") if top else "",
        "drill": drill,
        "chart": chart,
        "ranked": [(r["name"], pct(r["org_coverage_rate"])) for r in ranked],
        "unrated": [r["name"] for r in children if r["org_coverage_rate"] is None],
        "export_url": f"{reverse('web:report_coverage_xlsx')}?"
        + query(area=area.code if area else "", as_of=as_of),
    }
    return render(request, "reports/coverage.html", context)


@login_required
def coverage_export(request: HttpRequest) -> HttpResponse:
    area = report_area(request)
    as_of = as_of_from(request)
    report = selectors.coverage(user=user_of(request), area=area, as_of=as_of)
    return xlsx_download(
        lambda path: coverage_xlsx(report, path),
        f"覆盖情况_{area_label(request, area)}_{as_of.isoformat()}.xlsx",
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
    area = report_area(request)
    as_of = as_of_from(request)
    report = selectors.org_building(user=user_of(request), area=area, as_of=as_of)
    code = area.code if area else ""
    context = {
        "title": "建立党组织情况表",
        "breadcrumbs": crumbs(
            ("统计分析", None), *trail(request, area, "web:report_org_building", as_of)
        ),
        "area": area,
        "area_label": report["area_name"],
        "as_of": as_of,
        "report": report,
        "overcount_note": OVERCOUNT_NOTE,
        "columns": list(zip(COLUMNS, COLUMN_LABELS, strict=True)),
        "rows": _paper_rows(report, as_of, code),
        "export_url": f"{reverse('web:report_org_building_xlsx')}?" + query(area=code, as_of=as_of),
        "area_options": selectors.area_picker(user=user_of(request), area=area),
    }
    return render(request, "reports/org_building.html", context)


@login_required
def org_building_export(request: HttpRequest) -> HttpResponse:
    area = report_area(request)
    as_of = as_of_from(request)
    report = selectors.org_building(user=user_of(request), area=area, as_of=as_of)
    return xlsx_download(
        lambda path: org_building_xlsx(report, path),
        f"社会组织法人单位建立党的基层组织情况_{report['area_name']}_{as_of.isoformat()}.xlsx",
    )
