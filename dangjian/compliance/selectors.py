"""Reads of the findings store (待办问题) for a user, through the jurisdiction gate: the
list's filters and search, and what each finding's task (待办, `dangjian.tasks`) adds to
them: its state, whose it is, and whether it is overdue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from dangjian.accounts.jurisdiction import findings_for
from dangjian.accounts.models import User
from dangjian.areas.models import Area
from dangjian.compliance.engine import open_on
from dangjian.compliance.rules.base import SEVERITY_LABEL
from dangjian.tasks.models import OPEN_STATES, OVERDUE_STATES, Task, TaskState
from dangjian.tasks.selectors import extended

SEVERITIES = ("high", "medium", "low")
# Whose tasks the list keeps (`?assignee=`): the user's own (assigned to them or their
# unit), or those nobody has been given yet.
ASSIGNEES = {"me": "我的待办", "none": "未指定承办人"}


@dataclass
class Filters:
    rule: tuple[str, ...]  # every `?rule=` asked (known rules only)
    area: Area | None
    severity: str
    overdue: bool
    q: str
    # The findings open on this date (a dashboard's figures are of a date); None: open now.
    as_of: dt.date | None = None
    # Their tasks' states (TaskState values): any of these.
    state: tuple[str, ...] = ()
    assignee: tuple[str, ...] = ()  # keys of ASSIGNEES: any of these

    @property
    def active(self) -> bool:
        return bool(
            self.rule
            or self.area
            or self.severity
            or self.overdue
            or self.q
            or self.as_of
            or self.state
            or self.assignee
        )

    @property
    def settled(self) -> bool:
        """Does the list keep tasks that are done (已销号, 已整改)? Their findings may be
        resolved: the list is then one of tasks, not only of unresolved findings."""
        return any(s not in OPEN_STATES for s in self.state)

    def line(self, day: dt.date) -> str:
        """What the filter keeps, in one line (the figure a user came from says the same)."""
        words = ["待办" if self.settled else "未解决问题"]
        if self.state:
            words.append("、".join(TaskState(s).label for s in self.state))
        if self.assignee:
            words.append("或".join(ASSIGNEES[a] for a in self.assignee))
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


def _tasks() -> QuerySet[Task]:
    """The tasks of the finding of the outer query (at most one follows a finding record)."""
    return Task.objects.filter(finding=OuterRef("pk"))


def overdue_q(today: dt.date) -> Q:
    """Findings overdue on `today`: past their due date, and their task (if any) not yet
    reported fixed (once it is, the wait is the officer's: docs/tasks.md) — past the date
    of an approved extension instead where the task has one."""
    tasks = _tasks().alias(extended=extended())
    waiting = Q(state__in=OVERDUE_STATES)
    settled_or_extended = tasks.filter(~waiting | Q(extended=True))
    late_extended = tasks.filter(waiting, extended=True, due__lt=today)
    return (Q(due__lt=today) & ~Exists(settled_or_extended)) | Exists(late_extended)


def finding_list(*, user: User, filters: Filters, today: dt.date) -> QuerySet[Any]:
    """The findings of the store in the user's jurisdiction that `filters` keep, with
    `severity_rank` to sort by."""
    qs = findings_for(user)
    day = filters.as_of or today
    # Open on the date asked for, or today (as the dashboard counts them); a task done
    # (已整改, 已销号) may follow a finding resolved since: seen by then.
    qs = qs.filter(Q(first_seen__lte=day) if filters.settled else open_on(day))
    if filters.state or filters.assignee:
        tasks = _tasks().filter(state__in=list(filters.state or OPEN_STATES))
        whose = Q()
        if "me" in filters.assignee:
            whose |= Q(assignee_id=user.pk)
            if user.unit_id:
                whose |= Q(assigned_unit_id=user.unit_id)
        if "none" in filters.assignee:
            whose |= Q(assignee__isnull=True, assigned_unit__isnull=True)
        qs = qs.filter(Exists(tasks.filter(whose)))
    if filters.rule:
        qs = qs.filter(rule__in=filters.rule)
    if filters.area is not None:
        qs = qs.filter(area_path__startswith=filters.area.path)
    if filters.severity:
        qs = qs.filter(severity=filters.severity)
    if filters.overdue:
        qs = qs.filter(overdue_q(today))
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
