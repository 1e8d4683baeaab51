"""The page of findings (待办问题): the open findings of the store, as an officer's to-do list — what, where, by
when, why and what to do, and how far it is dealt with (its task's state, whose it is, a link
to the task page) — filtered, sorted, paginated and exported exactly as shown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.accounts.models import User
from dangjian.areas.models import Area
from dangjian.compliance.models import CheckRun
from dangjian.compliance.output import SUBJECT_LABEL
from dangjian.compliance.rules.base import RULES, SEVERITY_LABEL
from dangjian.compliance.selectors import ASSIGNEES, SEVERITIES, Filters, finding_list, overdue_q
from dangjian.tasks import workflow
from dangjian.tasks.models import Task, TaskState
from dangjian.tasks.selectors import tasks_of_findings
from dangjian.tasks.views import STATE_BADGE, effective_due, holder, is_overdue
from dangjian.web import figures, lists, stats, tables
from dangjian.web.frame import crumbs

SORTS = {"due": "due", "severity": "severity_rank", "rule": "rule"}
SORT_LABELS = {"due": "整改期限", "severity": "严重程度", "rule": "规则"}
SORT_CHOICES = [
    ("due", "整改期限由早到晚"),
    ("-due", "整改期限由晚到早"),
    ("severity", "严重程度由高到低"),
    ("-severity", "严重程度由低到高"),
    ("rule", "按规则"),
]
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
    "办理状态",
    "承办人",
    "政策设置版本",
]


def _filters(request: HttpRequest, gate: Jurisdiction) -> Filters:
    rules = dict.fromkeys(r.strip() for r in request.GET.getlist("rule"))
    severity = request.GET.get("severity", "").strip()
    states = dict.fromkeys(s for s in request.GET.getlist("state") if s in TaskState.values)
    assignees = dict.fromkeys(a for a in request.GET.getlist("assignee") if a in ASSIGNEES)
    return Filters(
        rule=tuple(r for r in rules if r in RULES),
        area=figures.area(request, gate),  # 404 outside the jurisdiction
        severity=severity if severity in SEVERITIES else "",
        overdue=request.GET.get("overdue", "") in ("1", "on", "true"),
        q=lists.text(request),
        as_of=figures.as_of_given(request),
        state=tuple(states),
        assignee=tuple(assignees),
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


def _task_cells(user: Any, task: Task | None, record: Any, today: dt.date) -> dict[str, Any]:
    """What a row shows of the finding's task: its state, whose it is, the link to its page
    (处理 when this user may take a step now, else 查看) — and the due date it is late
    against (an approved extension's, `effective_due`), overdue only until reported fixed."""
    if task is None:
        due = record.due
        overdue = due is not None and due < today
        return {"task": None, "due_date": due, "overdue": overdue, "extended": False}
    extended = bool(getattr(task, "extended", False))
    due = effective_due(task, record.due, extended)
    return {
        "task": task.pk,
        "task_url": reverse("web:task", kwargs={"pk": task.pk}),
        "task_verb": "处理" if workflow.available(user, task) else "查看",
        "state": task.state,
        "state_label": TaskState(task.state).label,
        "state_badge": STATE_BADGE[TaskState(task.state)],
        "holder": holder(task),
        "due_date": due,
        "overdue": is_overdue(task.state, due, today),
        "extended": extended,
    }


def _rows(user: Any, records: list[Any], today: dt.date) -> list[dict[str, Any]]:
    """What the list and the export show of each finding; the list's template reads only
    these keys (plain values: no attribute lookups or date filters per cell). The tasks of
    the findings are read in one query."""
    names = _area_names({r.area for r in records})
    tasks = tasks_of_findings(user, [r.pk for r in records])
    rows = []
    for r in records:
        rule = RULES.get(r.rule)
        district, township = names.get(r.area, ("", r.area))
        cells = _task_cells(user, tasks.get(r.pk), r, today)
        due = cells["due_date"]
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
                "due": due.isoformat() if due else "",
                "first_seen": r.first_seen.isoformat() if r.first_seen else "",
                "overdue_days": (today - due).days if cells["overdue"] and due else 0,
                **cells,
            }
        )
    return rows


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
            total=Count("pk"), overdue=Count("pk", filter=overdue_q(today))
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
    qs = finding_list(user=request.user, filters=filters, today=today)  # type: ignore[arg-type]
    total, overdue = _counts(request.user, qs, filters, today)  # type: ignore[arg-type]
    qs, wanted = _sorted(request, qs)
    page = tables.page(request, qs, count=total)
    rows = _rows(request.user, list(page.object_list), today)
    ever_checked = bool(total) or CheckRun.objects.exists()
    areas = lists.area_options(gate, capped=False)
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
        "state_choices": TaskState.choices,
        "assignee_choices": list(ASSIGNEES.items()),
        "area_options": lists.area_select(areas, filters.area),
        "headers": _sort_headers(request, wanted),
        "sort": wanted,
        "sort_choices": SORT_CHOICES,
        "page_query": tables.query_without(request, "page"),
        "export_url": lists.export_url(request, reverse("web:findings_export")),
    }
    return render(request, "compliance/findings.html", context)


def _export_rows(user: Any, qs: QuerySet[Any], today: dt.date) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for record in qs.iterator(chunk_size=tables.EXPORT_CHUNK):
        chunk.append(record)
        if len(chunk) == tables.EXPORT_CHUNK:
            yield from _export_chunk(user, chunk, today)
            chunk = []
    yield from _export_chunk(user, chunk, today)


def _export_chunk(user: Any, records: list[Any], today: dt.date) -> Iterator[list[Any]]:
    for row in _rows(user, records, today):
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
            row["due_date"],
            f"已逾期{row['overdue_days']}天" if row["overdue_days"] else "否",
            rule.clause if rule else "",
            rule.action if rule else "",
            row["state_label"] if row["task"] else "",
            row["holder"] if row["task"] else "",
            r.policy_version,
        ]


@login_required
def findings_export(request: HttpRequest) -> HttpResponse:
    """Exactly the rows the list shows for the same query, every page of them."""
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    filters = _filters(request, gate)
    today = filters.as_of or timezone.localdate()
    qs, _wanted = _sorted(
        request,
        finding_list(user=request.user, filters=filters, today=today),  # type: ignore[arg-type]
    )
    return tables.xlsx_response(
        f"待办问题_{today.isoformat()}.xlsx",
        EXPORT_HEADER,
        _export_rows(request.user, qs, today),
        title="待办问题",
    )
