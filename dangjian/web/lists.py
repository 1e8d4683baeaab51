"""The one list component of every list page (organizations, Party organizations, people,
findings): the filter bar's pieces (choices, search text, the areas one may filter by), the
sort headers, the pager, the filter line of a list opened from a figure, and the whole page
or — for HTMX — its results partial (`web/_list/`). Sorting, paging and the Excel export
of exactly what is shown are `web.tables`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.areas.models import Area, AreaLevel
from dangjian.web import stats, tables
from dangjian.web.frame import crumbs

AREA_OPTIONS_MAX = 800  # beyond this many areas, offer districts only
# The classes of a column that gives way on a narrower screen (the detail page repeats it).
WIDE_ONLY = "d-none d-lg-table-cell"


def choice(request: HttpRequest, name: str, choices: Iterable[tuple[str, str]]) -> str:
    """The value of `?name=` when it is one of `choices`; anything else is no filter."""
    value = request.GET.get(name, "")
    return value if value in {key for key, _label in choices} else ""


def text(request: HttpRequest) -> str:
    """The search text `?q=`."""
    return request.GET.get("q", "").strip()[:100]


def area_options(
    gate: Jurisdiction,
    *,
    capped: bool = True,
    levels: tuple[AreaLevel, ...] = (AreaLevel.DISTRICT, AreaLevel.TOWNSHIP),
) -> list[dict[str, str]]:
    """The areas of `levels` the user may filter by (districts and townships unless told:
    a report also offers its city), each followed by those within it, indented one step a
    level below the first of `levels`. A jurisdiction too large for one list (the whole
    country) offers all but the last level, unless not `capped`. The same on every page of
    the user until the data change: computed once per data version."""

    def compute() -> list[dict[str, str]]:
        fields = ("code", "name", "level")
        within = gate.areas().filter(level__in=levels).order_by("path").values_list(*fields)
        areas = list(within[: AREA_OPTIONS_MAX + 1] if capped else within)
        if capped and len(areas) > AREA_OPTIONS_MAX:
            areas = list(
                gate.areas()
                .filter(level__in=levels[:-1])
                .order_by("path")
                .values_list(*fields)[:AREA_OPTIONS_MAX]
            )
        return [
            {"code": code, "label": "\u3000" * levels.index(level) + name}
            for code, name, level in areas
        ]

    if gate.user is None:
        return compute()
    key = "area_options" if capped else "area_options_all"
    if levels != (AreaLevel.DISTRICT, AreaLevel.TOWNSHIP):
        key += ":" + "-".join(levels)
    return stats.per_version(key, gate.user, compute)


def area_select(areas: list[dict[str, str]], selected: Area | None) -> SafeString:
    """The `<option>`s of the area select (after its 全部)."""
    return tables.options(
        ((a["code"], a["label"]) for a in areas), selected.code if selected else ""
    )


def headers(
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


def page_links(request: HttpRequest, base: str, page: Page, param: str = "page") -> dict[str, Any]:
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


def export_url(request: HttpRequest, url: str) -> str:
    """The export of exactly what the list shows: its URL with the list's query (no page)."""
    query = tables.query_without(request, "page")
    return url + (f"?{query}" if query else "")


def filter_line(words: list[str], area: Area | None, day: dt.date) -> str:
    """What a list filtered for a figure keeps, in one line: 「已建立联合党支部的 · 芙蓉区 ·
    截至 2026-11-26」."""
    return " · ".join([*words, *([area.name] if area is not None else []), f"截至 {day}"])


def context(
    request: HttpRequest,
    *,
    title: str,
    url: str,
    form_id: str,
    export: str,
    columns: list[tuple[str, str, str]],
    page: Page,
    sort: str,
    f: dict[str, Any],
    day: dt.date,
    words: list[str],
    gate: Jurisdiction,
) -> dict[str, Any]:
    """What every list page's template (`web/_list/page.html`) reads: the frame (title,
    breadcrumbs), the list's URL and its filter form's id, the date of
    its figures, the filters `f` and their line (`words`, for a list opened from a figure),
    the sort headers of `columns`, the pager of `page`, the export of what is shown
    (`export`: the export's URL) and the areas one may filter by."""
    areas = area_options(gate)
    return {
        "title": title,
        "breadcrumbs": crumbs((title, None)),
        "list_url": url,
        "form_id": form_id,
        "today": day,
        "f": f,
        "filter_line": filter_line(words, f["area"], day) if f["figure"] else "",
        "sort": sort,
        "headers": headers(request, url, columns, sort),
        "pager": page_links(request, url, page),
        "export_url": export_url(request, export),
        "areas": areas,
        "area_options": area_select(areas, f["area"]),
    }


Filtered = Callable[[HttpRequest, Jurisdiction, dt.date], tuple[QuerySet[Any], dict[str, Any], str]]
# An export's rows: of the gate, the filtered queryset and the list's date.
Rows = Callable[[Jurisdiction, QuerySet[Any], dt.date], Iterable[Sequence[Any]]]


def export(
    request: HttpRequest,
    *,
    title: str,
    header: list[str],
    filtered: Filtered,
    rows: Rows,
) -> HttpResponse:
    """「导出Excel」 of a list: every row the page's filter keeps, in its order, the figures
    as of the list's date (`rows` of the gate, the rows and that date)."""
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    today = timezone.localdate()
    qs, f, _sort = filtered(request, gate, today)
    day = f["as_of"] or today
    return tables.xlsx_response(
        f"{title}-{day.isoformat()}.xlsx", header, rows(gate, qs, day), title=title
    )


RESULTS = "web/_list/page.html#results"  # the results region of every list page


def render_list(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """The whole page, or — for an HTMX request from the filter bar, a sort link or the
    pager — only its results region (`RESULTS`). A history restore asks for the whole
    page."""
    partial = request.headers.get("HX-Request") and not request.headers.get(
        "HX-History-Restore-Request"
    )
    response = render(request, RESULTS if partial else template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@dataclass(frozen=True)
class Results:
    """How a list's results read: 「共 N {noun}（第 a–b {measure}）」, the template of its
    table's rows, its pager's label; with nothing to show, 「没有符合条件的{thing}」 — or,
    when the jurisdiction holds none at all and `register` names what to import, 「尚无数据：
    请先导入{register}」; `import_hint` names what the import page brings besides."""

    noun: str
    measure: str
    thing: str
    rows_template: str
    pager_label: str
    register: str = ""
    import_hint: str = ""


@dataclass(frozen=True)
class Shown:
    """One request of a list page: the gate, the filtered queryset, the filters, the sort
    asked for and the date of its figures (`ListPage.open`)."""

    spec: ListPage
    request: HttpRequest
    gate: Jurisdiction
    qs: QuerySet[Any]
    f: dict[str, Any]
    sort: str
    day: dt.date

    def render(self, page: Page, words: list[str], **extra: Any) -> HttpResponse:
        """The page (or its HTMX partial) for `page`, its filter line's `words`, and what
        the app's template reads besides the component's (`extra`)."""
        spec = self.spec
        shared = context(
            self.request,
            title=spec.title,
            url=reverse(spec.url),
            form_id=spec.form_id,
            export=reverse(spec.export_url),
            columns=spec.columns,
            page=page,
            sort=self.sort,
            f=self.f,
            day=self.day,
            words=words,
            gate=self.gate,
        )
        has_data = page.paginator.count > 0 or (spec.exists is not None and spec.exists(self.gate))
        return render_list(
            self.request,
            spec.template,
            {**shared, "results": spec.results, "has_data": has_data, **extra},
        )


@dataclass(frozen=True)
class ListPage:
    """A list page, declared once in its app: its title, URL names, filter form, template
    (extending `web/_list/page.html`: its note and filters), sort columns, its `filtered`
    (the same filters for the page and its export), how its results read, and — to tell
    an empty jurisdiction from a filter that keeps nothing — whether the jurisdiction holds
    any row at all (`exists`)."""

    title: str
    url: str  # the page's URL name
    export_url: str  # its export's URL name
    form_id: str
    template: str
    columns: list[tuple[str, str, str]]
    filtered: Filtered
    results: Results
    exists: Callable[[Jurisdiction], bool] | None = None

    def open(self, request: HttpRequest) -> Shown:
        gate = Jurisdiction(request.user)  # type: ignore[arg-type]
        today = timezone.localdate()
        qs, f, sort = self.filtered(request, gate, today)
        return Shown(self, request, gate, qs, f, sort, f["as_of"] or today)

    def export(self, request: HttpRequest, header: list[str], rows: Rows) -> HttpResponse:
        return export(request, title=self.title, header=header, filtered=self.filtered, rows=rows)
