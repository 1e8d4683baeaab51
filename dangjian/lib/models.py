"""The dated relation, defined once: a relation between two records that holds from
`started_on` to `ended_on` (a coverage, an office, an instructor's assignment, an
employment). "Holds on D" is `lib/dated.py`; this gives the fields, the date-order
constraint, `Model.objects.current_on(D)` (SQL) and `obj.is_current(D)` (Python) built on it.

A model subclasses `DatedRelation`, redeclares the two fields with its own Chinese names
(`started_on` without `null=True` where the start is always known), takes
`objects = DatedQuerySet["Model"].as_manager()` and lists `ends_after_start(...)` in its
`Meta.constraints`. Where "current" asks more than the dates (a coverage counts only while
its Party organization is active), the model extends `current_on_q` and `is_current` — both
readings at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Self

from django.db import models
from django.db.models import F, Q

from dangjian.lib.dated import holds_on, holds_on_q


class DatedQuerySet[M: "DatedRelation"](models.QuerySet[M]):
    def current_on(self, on: dt.date) -> Self:
        """The relations current on `on` (the model's `current_on_q`)."""
        return self.filter(self.model.current_on_q(on))


class DatedRelation(models.Model):
    # A subclass redeclares both with its own names; `started_on` is required where the
    # start is always known (`holds_on`: an unknown start counts as started).
    started_on = models.DateField("开始日期", null=True, blank=True)
    ended_on = models.DateField("结束日期", null=True, blank=True)

    class Meta:
        abstract = True

    @classmethod
    def current_on_q(cls, on: dt.date, prefix: str = "") -> Q:
        """Current on D, as SQL over the rows `prefix` leads to."""
        start_required = not cls._meta.get_field("started_on").null
        return holds_on_q(on, start_required=start_required, prefix=prefix)

    def is_current(self, on: dt.date) -> bool:
        """Current on D, for this object (the same as `current_on_q`)."""
        return holds_on(self.started_on, self.ended_on, on)


def ends_after_start(
    name: str, message: str, *, start_nullable: bool = False
) -> models.CheckConstraint:
    """The date-order constraint of a dated relation: it does not end before it starts."""
    condition = Q(ended_on__isnull=True)
    if start_nullable:
        condition |= Q(started_on__isnull=True)
    condition |= Q(ended_on__gte=F("started_on"))
    return models.CheckConstraint(condition=condition, name=name, violation_error_message=message)
