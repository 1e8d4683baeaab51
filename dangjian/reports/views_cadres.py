"""书记与党务干部 (`reports.cadres`): the table per area with its Excel download, and the rows
behind each figure (secretaries or Party organizations) with theirs — over the user's own
jurisdiction (an area outside it answers 404)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.areas.models import Area
from dangjian.compliance.policy import in_force
from dangjian.lib import sheets
from dangjian.reports import cadres
from dangjian.reports import selectors as report_selectors
from dangjian.reports.views import pct, query, report_area, user_of, xlsx_download
from dangjian.web.frame import crumbs
from dangjian.web.views import as_of_from

HEADERS = [
    "党组织数",
    "在任书记数",
    "负责人兼任书记",
    "负责人兼任书记占比",
    "书记来源登记为社会组织负责人兼任",
    "双向进入、交叉任职党组织",
    "交叉任职占比",
]
# Each cell: (the figure it counts, the value's key, a rate?)
CELLS = [
    ("party_orgs", "party_orgs", False),
    ("secretaries", "secretaries", False),
    ("leader", "leader", False),
    ("leader", "leader_rate", True),
    ("source", "source", False),
    ("cross", "cross", False),
    ("cross", "cross_rate", True),
]
SECRETARY_COLUMNS = [
    "姓名",
    "公民身份号码",
    "党组织编码",
    "党组织",
    "职务",
    "书记来源",
    "所在社会组织",
]
PARTY_ORG_COLUMNS = ["党组织编码", "党组织", "组建方式", "乡镇(街道)"]


def _report(request: HttpRequest) -> tuple[Area | None, dt.date, dict[str, Any]]:
    area = report_area(request)
    as_of = as_of_from(request)
    return area, as_of, cadres.cadres_report(user=user_of(request), area=area, as_of=as_of)


def rows_url(code: str, as_of: dt.date, figure: str) -> str:
    return f"{reverse('web:report_cadres_rows')}?{query(area=code, as_of=as_of, figure=figure)}"


def _cells(row: dict[str, Any], as_of: dt.date) -> list[dict[str, Any]]:
    return [
        {
            "value": pct(row[key]) if is_rate else row[key],
            "url": rows_url(row["area"], as_of, figure),
            "figure": figure,
        }
        for figure, key, is_rate in CELLS
    ]


def table_values(row: dict[str, Any]) -> list[Any]:
    """A row as the page shows it (rates as 「12.5%」 / 「—」), for the page and the xlsx."""
    return [pct(row[key]) if is_rate else row[key] for _figure, key, is_rate in CELLS]


def _percent(value: float | None) -> float | None:
    """A rate as the chart's percent (none: no bar)."""
    return None if value is None else round(value * 100, 1)


@login_required
def report(request: HttpRequest) -> HttpResponse:
    area, as_of, data = _report(request)
    base = reverse("web:report_cadres")
    user = user_of(request)
    items: list[tuple[str, str | None]] = [("书记与党务干部", f"{base}?{query(as_of=as_of)}")]
    if area is not None:
        for a in report_selectors.area_trail(user=user, area=area):
            items.append((a.name, f"{base}?{query(area=a.code, as_of=as_of)}"))
    items[-1] = (items[-1][0], None)
    table = [
        {
            "row": r,
            "cells": _cells(r, as_of),
            "url": f"{base}?{query(area=r['area'], as_of=as_of)}",
        }
        for r in data["rows"]
    ]
    ranked = [
        r for r in data["rows"] if r["leader_rate"] is not None or r["cross_rate"] is not None
    ]
    chart = {
        "categories": [r["name"] for r in ranked],
        "series": [
            {
                "name": "负责人兼任书记占比",
                "data": [_percent(r["leader_rate"]) for r in ranked],
            },
            {
                "name": "交叉任职占比",
                "data": [_percent(r["cross_rate"]) for r in ranked],
            },
        ],
        "percent": True,
        "labels": len(ranked) <= 12,
        "rotate": 30 if len(ranked) > 8 else 0,
        "links": [f"{base}?{query(area=r['area'], as_of=as_of)}" for r in ranked],
    }
    code = area.code if area else ""
    context = {
        "title": "书记与党务干部",
        "breadcrumbs": crumbs(("统计分析", None), *items),
        "area": area,
        "as_of": as_of,
        "report": data,
        "headers": HEADERS,
        "table": table,
        "total_cells": _cells(data["total"], as_of),
        "chart": chart,
        "ranked": [(r["name"], pct(r["leader_rate"]), pct(r["cross_rate"])) for r in ranked],
        "export_url": f"{reverse('web:report_cadres_xlsx')}?{query(area=code, as_of=as_of)}",
        "area_options": report_selectors.area_picker(user=user, area=area),
    }
    return render(request, "reports/cadres.html", context)


def _write(path: Any, title: str, header: list[str], rows: list[list[Any]]) -> None:
    from openpyxl.styles import Font

    book = sheets.workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "书记与党务干部"
    sheets.append(sheet, [title], font=Font(bold=True, size=14))
    sheets.append(sheet, header, font=Font(bold=True))
    for values in rows:
        sheets.append(sheet, values)
    sheets.save(book, path, policy_version=in_force().version)


@login_required
def report_export(request: HttpRequest) -> HttpResponse:
    _area, as_of, data = _report(request)
    rows = [[r["name"], *table_values(r)] for r in data["rows"]]
    rows.append(["合计", *table_values(data["total"])])
    return xlsx_download(
        lambda path: _write(
            path, f"{data['title']}（截至 {data['as_of']}）", ["区划", *HEADERS], rows
        ),
        f"书记与党务干部_{data['area_name']}_{as_of.isoformat()}.xlsx",
    )


def _figure(request: HttpRequest) -> tuple[Area | None, dt.date, str, list[dict[str, Any]]]:
    figure = request.GET.get("figure", "").strip()
    if figure not in cadres.FIGURES:
        raise Http404("没有这一统计项")
    area = report_area(request)
    as_of = as_of_from(request)
    found = cadres.figure_rows(user=user_of(request), area=area, as_of=as_of, figure=figure)
    return area, as_of, figure, found


def _sheet_rows(figure: str, found: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    if figure in cadres.SECRETARY_FIGURES:
        keys = ["name", "id_masked", "party_org_code", "party_org_name", "role", "source", "orgs"]
        return SECRETARY_COLUMNS, [[r[k] for k in keys] for r in found]
    keys = ["party_org_code", "party_org_name", "form", "township"]
    header = list(PARTY_ORG_COLUMNS)
    if figure == "cross":
        keys.append("holders")
        header.append("交叉任职人员")
    return header, [[r[k] for k in keys] for r in found]


@login_required
def figure_rows(request: HttpRequest) -> HttpResponse:
    area, as_of, figure, found = _figure(request)
    code = area.code if area else ""
    scope_name = Jurisdiction(user_of(request)).scope(area).name
    for r in found:
        r["party_org_url"] = reverse("web:party_org", kwargs={"code": r["party_org_code"]})
    header, _rows = _sheet_rows(figure, found)
    back = f"{reverse('web:report_cadres')}?{query(area=code, as_of=as_of)}"
    context = {
        "title": cadres.FIGURE_LABELS[figure],
        "breadcrumbs": crumbs(
            ("统计分析", None), ("书记与党务干部", back), (cadres.FIGURE_LABELS[figure], None)
        ),
        "area": area,
        "as_of": as_of,
        "figure": figure,
        "figure_label": cadres.FIGURE_LABELS[figure],
        "scope_name": scope_name,
        "secretaries": figure in cadres.SECRETARY_FIGURES,
        "header": header,
        "found": found,
        "back_url": back,
        "export_url": f"{reverse('web:report_cadres_rows_xlsx')}?"
        + query(area=code, as_of=as_of, figure=figure),
    }
    return render(request, "reports/cadres_rows.html", context)


@login_required
def figure_rows_export(request: HttpRequest) -> HttpResponse:
    area, as_of, figure, found = _figure(request)
    header, rows = _sheet_rows(figure, found)
    scope_name = Jurisdiction(user_of(request)).scope(area).name
    label = cadres.FIGURE_LABELS[figure]
    return xlsx_download(
        lambda path: _write(path, f"{scope_name}{label}（截至 {as_of.isoformat()}）", header, rows),
        f"{label}_{scope_name}_{as_of.isoformat()}.xlsx",
    )
