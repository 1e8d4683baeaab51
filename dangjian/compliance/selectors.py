"""Reads of the findings store (待办问题) for a user, through the jurisdiction gate: the
list's filters and search."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from dangjian.accounts.jurisdiction import findings_for
from dangjian.accounts.models import User
from dangjian.areas.models import Area
from dangjian.compliance.engine import open_on
from dangjian.compliance.rules.base import SEVERITY_LABEL

SEVERITIES = ("high", "medium", "low")


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


def finding_list(*, user: User, filters: Filters, today: dt.date) -> QuerySet[Any]:
    """The findings of the store in the user's jurisdiction that `filters` keep, with
    `severity_rank` to sort by."""
    qs = findings_for(user)
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
