"""An area's organization life at a glance, from the grid (`life.grid`, the rules' own
reading): per requirement (meeting type), per quarter and per area below the user's, the
share of branches that met it — held every meeting the quarter required of them — and the
branches that did not (the drill-down).

A branch counts for a quarter and a requirement when at least one of its periods in the
quarter required the meeting and has ended; it met it when none of those is missing.
Yearly requirements (组织生活会, 民主评议党员) are counted per year."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.http import urlencode

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.areas.models import Area
from dangjian.life.models import MeetingType
from dangjian.partyorgs.models import COVERING_FORMS, PartyOrgLevel

PERIODIC = [MeetingType.ASSEMBLY, MeetingType.COMMITTEE, MeetingType.GROUP, MeetingType.LECTURE,
            MeetingType.THEME_DAY]  # fmt: skip
YEARLY = [MeetingType.LIFE, MeetingType.APPRAISAL]


def _quarter(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def _in(period: str, cell: Any) -> bool:
    """Whether a cell falls in the period asked for: a year "2026", a quarter "2026-Q3" or a
    month "2026-07"."""
    if not period:
        return True
    if "-Q" in period:
        year, q = period.split("-Q")
        return cell.first.year == int(year) and _quarter(cell.first) == int(q)
    if "-" in period:
        year, month = period.split("-")
        return cell.first.year == int(year) and cell.first.month == int(month)
    return str(cell.first.year) == period


def _scope(gate: Jurisdiction, area_code: str) -> tuple[Area | None, list[Area], Any]:
    """(the area looked at, the areas below it the chart compares, its branches)."""
    top = gate.area
    area = top
    if area_code:
        found = gate.areas().filter(code=area_code[:12]).first()
        if found is not None:
            area = found
    branches = gate.party_orgs().filter(level=PartyOrgLevel.BRANCH, form__in=COVERING_FORMS)
    if area is not None:
        branches = branches.filter(township__path__startswith=area.path)
        children = list(Area.objects.filter(parent=area).order_by("code"))
        if not children or area.level == "township":
            children = [area]
    else:
        children = list(Area.objects.filter(parent__isnull=True).order_by("code"))
        if len(children) == 1:
            area = children[0]
            children = list(Area.objects.filter(parent=area).order_by("code")) or [area]
    return area, children, branches


def _area_of(children: list[Area], path: str) -> Area | None:
    for child in children:
        if path.startswith(child.path):
            return child
    return None


@dataclass
class Overview:
    area: Area | None
    children: list[Area]
    branches: int = 0
    quarters: list[str] = field(default_factory=list)
    # one per requirement: its label, the chart ({"categories", "series", "cell_links"}) and
    # the table view of the same figures (area, quarter shares)
    sections: list[dict[str, Any]] = field(default_factory=list)
    yearly: list[dict[str, Any]] = field(default_factory=list)
    missing_now: int = 0  # branches with a missing meeting in the year so far


def overview(gate: Jurisdiction, year: int, today: dt.date, *, area_code: str = "") -> Overview:
    area, children, branches = _scope(gate, area_code)
    from dangjian.life.grid import life_grid

    rows = life_grid(branches, year, today)
    paths = dict(branches.filter(pk__in=[r.pk for r in rows]).values_list("pk", "township__path"))
    out = Overview(area, children, branches=len(rows))
    ended = [q for q in range(1, 5) if _quarter_end(year, q) < today]
    out.quarters = [f"{year}-Q{q}" for q in ended]
    # (type, area pk, quarter) -> [counted, met]; (type, area pk) for the yearly ones
    counts: dict[tuple[str, int, int], list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        child = _area_of(children, paths.get(row.pk, ""))
        if child is None:
            continue
        by_type: dict[str, list[Any]] = defaultdict(list)
        for label, _group, cells in row.lines:
            by_type[label].extend(cells)
        if any(c.state == "missing" for cells in by_type.values() for c in cells):
            out.missing_now += 1
        for label, cells in by_type.items():
            for q in (*ended, 0):
                relevant = [
                    c for c in cells
                    if c.state in ("held", "missing") and (q == 0 or (_quarter(c.first) == q and
                                                                       c.last <= _quarter_end(year, q)))
                ]  # fmt: skip
                if q == 0 and label not in {t.label for t in YEARLY}:
                    continue
                if not relevant:
                    continue
                entry = counts[(label, child.pk, q)]
                entry[0] += 1
                if all(c.state == "held" for c in relevant):
                    entry[1] += 1
    base = reverse("web:life_branches")
    for t in PERIODIC:
        label = str(t.label)
        series: list[dict[str, Any]] = []
        links: list[list[str]] = []
        table: list[dict[str, Any]] = []
        for q in ended:
            data: list[float | None] = []
            hrefs: list[str] = []
            for child in children:
                counted, met = counts.get((label, child.pk, q), [0, 0])
                data.append(round(100 * met / counted, 1) if counted else None)
                hrefs.append(base + "?" + urlencode(
                    {"year": str(year), "area": child.code, "type": label, "period": f"{year}-Q{q}"}
                ))  # fmt: skip
            series.append({"name": f"第{q}季度", "data": data})
            links.append(hrefs)
        for i, child in enumerate(children):
            shares: list[dict[str, Any]] = []
            for j, q in enumerate(ended):
                counted, met = counts.get((label, child.pk, q), [0, 0])
                shares.append({"counted": counted, "met": met, "share": series[j]["data"][i],
                              "href": links[j][i]})  # fmt: skip
            table.append({"area": child, "cells": shares})
        chart = {
            "categories": [c.name for c in children],
            "series": series,
            "cell_links": links,
            "percent": True,
            "rotate": 30 if len(children) > 8 else 0,
        }
        has_data = any(c["counted"] for r in table for c in r["cells"])
        out.sections.append({"id": f"life-chart-{t.value}", "label": label, "chart": chart,
                             "table": table, "has_data": has_data})  # fmt: skip
    for t in YEARLY:
        label = str(t.label)
        for child in children:
            counted, met = counts.get((label, child.pk, 0), [0, 0])
            out.yearly.append({
                "type": label, "area": child, "counted": counted, "met": met,
                "share": round(100 * met / counted, 1) if counted else None,
                "href": base + "?" + urlencode({"year": str(year), "area": child.code, "type": label,
                                                "period": str(year)}),
            })  # fmt: skip
    return out


def _quarter_end(year: int, q: int) -> dt.date:
    return (dt.date(year + 1, 1, 1) if q == 4 else dt.date(year, q * 3 + 1, 1)) - dt.timedelta(
        days=1
    )


def missing_branches(gate: Jurisdiction, year: int, today: dt.date, *, area_code: str = "",
                     type_label: str = "", period: str = "") -> list[dict[str, Any]]:  # fmt: skip
    """The branches with a missing meeting (of the type, in the period, when given)."""
    _area, _children, branches = _scope(gate, area_code)
    from dangjian.life.grid import life_grid

    out = []
    for row in life_grid(branches, year, today):
        gaps = [
            f"{label}{'（' + group + '）' if group else ''} {c.period}"
            for label, group, cells in row.lines
            if not type_label or label == type_label
            for c in cells
            if c.state == "missing" and _in(period, c)
        ]
        if gaps:
            out.append({"row": row, "gaps": gaps})
    return out
