"""待办问题: the open findings of the store, as an officer's to-do list — what, where, by
when, why and what to do — filtered, sorted, paginated and exported exactly as shown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from dangjian.accounts.jurisdiction import Jurisdiction, findings_for
from dangjian.accounts.models import User
from dangjian.areas.models import Area, AreaLevel
from dangjian.compliance.engine import open_on
from dangjian.compliance.models import CheckRun
from dangjian.compliance.output import SUBJECT_LABEL
from dangjian.compliance.rules.base import RULES, SEVERITY_LABEL
from dangjian.web import figures, stats, tables
from dangjian.web.views import crumbs

SORTS = {"due": "due", "severity": "severity_rank", "rule": "rule"}
SORT_LABELS = {"due": "整改期限", "severity": "严重程度", "rule": "规则"}
SORT_CHOICES = [
    ("due", "整改期限由早到晚"),
    ("-due", "整改期限由晚到早"),
    ("severity", "严重程度由高到低"),
    ("-severity", "严重程度由低到高"),
    ("rule", "按规则"),
]
SEVERITIES = ("high", "medium", "low")
EXPORT_HEADER = [
    "规则编号",
    "规则",
    "严重程度",
    "问题",
    "对象类型",
    "对象编码",
    "对象名称",
    "所在区县(市)",
    "所在乡镇(街道)",
    "首次发现",
    "整改期限",
    "是否逾期",
    "依据条款",
    "整改措施",
]


@dataclass
class Filters:
    rule: tuple[str, ...]  # every `?rule=` asked (known rules only)
    area: Area | None
    severity: str
    overdue: bool
    q: str
    # The findings open on this date (a dashboard's figures are of a date); None: open now.
    as_of: dt.date | None = None

    @property
    def active(self) -> bool:
        return bool(self.rule or self.area or self.severity or self.overdue or self.q or self.as_of)

    def line(self, day: dt.date) -> str:
        """What the filter keeps, in one line (the figure a user came from says the same)."""
        words = ["未解决问题"]
        if self.severity:
            words.append(f"严重程度{SEVERITY_LABEL[self.severity]}")
        if self.rule:
            words.append("、".join(self.rule))
        if self.overdue:
            words.append("已逾期")
        if self.area is not None:
            words.append(self.area.name)
        words.append(f"截至 {day}")
        return " · ".join(words)


def _filters(request: HttpRequest, gate: Jurisdiction) -> Filters:
    rules = dict.fromkeys(r.strip() for r in request.GET.getlist("rule"))
    severity = request.GET.get("severity", "").strip()
    return Filters(
        rule=tuple(r for r in rules if r in RULES),
        area=figures.area(request, gate),  # 404 outside the jurisdiction
        severity=severity if severity in SEVERITIES else "",
        overdue=request.GET.get("overdue", "") in ("1", "on", "true"),
        q=request.GET.get("q", "").strip()[:100],
        as_of=figures.as_of_given(request),
    )


def _queryset(request: HttpRequest, filters: Filters, today: dt.date) -> QuerySet[Any]:
    qs = findings_for(request.user)  # type: ignore[arg-type]
    # Open on the date asked for, or today (as the dashboard counts them).
    qs = qs.filter(open_on(filters.as_of or today))
    if filters.rule:
        qs = qs.filter(rule__in=filters.rule)
    if filters.area is not None:
        qs = qs.filter(area_path__startswith=filters.area.path)
    if filters.severity:
        qs = qs.filter(severity=filters.severity)
    if filters.overdue:
        qs = qs.filter(due__lt=today)
    if filters.q:
        qs = qs.filter(
            Q(message__icontains=filters.q)
            | Q(subject_name__icontains=filters.q)
            | Q(subject_key__icontains=filters.q)
        )
    return qs.annotate(
        severity_rank=Case(
            *(When(severity=s, then=Value(i)) for i, s in enumerate(SEVERITIES)),
            default=Value(len(SEVERITIES)),
            output_field=IntegerField(),
        )
    )


def _sorted(request: HttpRequest, qs: QuerySet[Any]) -> tuple[QuerySet[Any], str]:
    return tables.sort(request, qs, SORTS, "due")


def _area_names(codes: set[str]) -> dict[str, tuple[str, str]]:
    """Township code → (district name, township name), in one query."""
    out: dict[str, tuple[str, str]] = {}
    for code, name, parent_name in Area.objects.filter(code__in=sorted(codes)).values_list(
        "code", "name", "parent__name"
    ):
        out[code] = (parent_name or "", name)
    return out


def _subject_url(record: Any) -> str | None:
    if record.subject_type == "social_org":
        return reverse("web:org", kwargs={"uscc": record.subject_key})
    if record.subject_type == "party_org":
        return reverse("web:party_org", kwargs={"code": record.subject_key})
    return None


def _rows(records: list[Any], today: dt.date) -> list[dict[str, Any]]:
    """What the list and the export show of each finding; the list's template reads only
    these keys (plain values: no attribute lookups or date filters per cell)."""
    names = _area_names({r.area for r in records})
    rows = []
    for r in records:
        rule = RULES.get(r.rule)
        district, township = names.get(r.area, ("", r.area))
        rows.append(
            {
                "record": r,
                "rule": rule,
                "rule_id": r.rule,
                "rule_title": rule.title if rule else "",
                "clause": rule.clause if rule else "",
                "quote": rule.quote if rule else "",
                "action": rule.action if rule else "",
                "severity": r.severity,
                "severity_label": SEVERITY_LABEL.get(r.severity, r.severity),
                "message": r.message,
                "subject_name": r.subject_name,
                "subject_key": r.subject_key if r.subject_type != "unit" else "",
                "subject_label": SUBJECT_LABEL.get(r.subject_type, r.subject_type),
                "subject_url": _subject_url(r),
                "area": r.area,
                "district": district,
                "township": township,
                "due": r.due.isoformat() if r.due else "",
                "first_seen": r.first_seen.isoformat() if r.first_seen else "",
                "overdue_days": (today - r.due).days if r.due and r.due < today else 0,
            }
        )
    return rows


def _area_choices(gate: Jurisdiction) -> list[dict[str, Any]]:
    """The districts and townships the user may filter by, townships under their district
    (the same until the data change: computed once per data version)."""

    def compute() -> list[dict[str, Any]]:
        areas = (
            gate.areas()
            .filter(level__in=[AreaLevel.DISTRICT, AreaLevel.TOWNSHIP])
            .order_by("path")
            .values_list("code", "name", "level")
        )
        return [
            {"code": c, "name": n, "township": lvl == AreaLevel.TOWNSHIP} for c, n, lvl in areas
        ]

    return compute() if gate.user is None else stats.per_version("area_choices", gate.user, compute)


def _area_options(choices: list[dict[str, Any]], selected: Area | None) -> SafeString:
    """The `<option>`s of the area select (after its 全部区划), townships indented."""
    return tables.options(
        ((a["code"], ("\u3000" if a["township"] else "") + a["name"]) for a in choices),
        selected.code if selected else "",
    )


def _sort_headers(request: HttpRequest, wanted: str) -> dict[str, dict[str, str]]:
    base = tables.query_without(request, "sort", "page")
    out = {}
    for key, label in SORT_LABELS.items():
        current = wanted.lstrip("-") == key
        descending = wanted.startswith("-")
        target = f"-{key}" if current and not descending else key
        out[key] = {
            "label": label,
            "url": f"?{base + '&' if base else ''}sort={target}",
            "aria": ("descending" if descending else "ascending") if current else "none",
            "mark": ("▼" if descending else "▲") if current else "",
        }
    return out


def _counts(user: User, qs: QuerySet[Any], filters: Filters, today: dt.date) -> tuple[int, int]:
    """The figures of the heading — open findings, and how many of them are overdue — in
    one pass (the pager takes the total from it). Without a filter they are the same for
    every page of the list until the data change: computed once per data version and day."""

    def compute() -> tuple[int, int]:
        counts = qs.order_by().aggregate(
            total=Count("pk"), overdue=Count("pk", filter=Q(due__lt=today))
        )
        return counts["total"], counts["overdue"]

    if filters.active or not user.is_authenticated:
        return compute()
    return stats.per_version(f"findings_counts:{today.isoformat()}", user, compute)


@login_required
def findings(request: HttpRequest) -> HttpResponse:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    filters = _filters(request, gate)
    today = filters.as_of or timezone.localdate()
    qs = _queryset(request, filters, today)
    total, overdue = _counts(request.user, qs, filters, today)  # type: ignore[arg-type]
    qs, wanted = _sorted(request, qs)
    page = tables.page(request, qs, count=total)
    rows = _rows(list(page.object_list), today)
    ever_checked = bool(total) or CheckRun.objects.exists()
    area_choices = _area_choices(gate)
    query = tables.query_without(request, "page")
    context = {
        "title": "待办问题",
        "breadcrumbs": crumbs(("待办问题", None)),
        "filters": filters,
        "filter_line": filters.line(today) if filters.active else "",
        "rows": rows,
        "page": page,
        "total": total,
        "overdue": overdue,
        "today": today,
        "ever_checked": ever_checked,
        "rule_choices": [(r.id, r.title) for r in sorted(RULES.values(), key=lambda r: r.id)],
        "severity_choices": [(s, SEVERITY_LABEL[s]) for s in SEVERITIES],
        "area_choices": area_choices,
        "area_options": _area_options(area_choices, filters.area),
        "headers": _sort_headers(request, wanted),
        "sort": wanted,
        "sort_choices": SORT_CHOICES,
        "page_query": tables.query_without(request, "page"),
        "export_url": reverse("web:findings_export") + (f"?{query}" if query else ""),
    }
    return render(request, "web/findings/list.html", context)


def _export_rows(qs: QuerySet[Any], today: dt.date) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for record in qs.iterator(chunk_size=2000):
        chunk.append(record)
        if len(chunk) == 2000:
            yield from _export_chunk(chunk, today)
            chunk = []
    yield from _export_chunk(chunk, today)


def _export_chunk(records: list[Any], today: dt.date) -> Iterator[list[Any]]:
    for row in _rows(records, today):
        r, rule = row["record"], row["rule"]
        yield [
            r.rule,
            rule.title if rule else "",
            row["severity_label"],
            r.message,
            row["subject_label"],
            r.subject_key,
            r.subject_name,
            row["district"],
            row["township"],
            r.first_seen,
            r.due,
            f"已逾期{row['overdue_days']}天" if row["overdue_days"] else "否",
            rule.clause if rule else "",
            rule.action if rule else "",
        ]


@login_required
def findings_export(request: HttpRequest) -> HttpResponse:
    """Exactly the rows the list shows for the same query, every page of them."""
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    filters = _filters(request, gate)
    today = filters.as_of or timezone.localdate()
    qs, _wanted = _sorted(request, _queryset(request, filters, today))
    return tables.xlsx_response(
        f"待办问题_{today.isoformat()}.xlsx",
        EXPORT_HEADER,
        _export_rows(qs, today),
        title="待办问题",
    )
