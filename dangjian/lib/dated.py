"""When a dated fact holds — defined once for the whole system (CONTRACT.md, "Dates, once for all").

A fact that started on `start` and ends on `end` holds on a day D when it started on or
before D (an unknown start counts as "always started") and has no end, or ends after D:
an end on D means it no longer holds on D.

`holds_on` answers for one object in Python; `holds_on_q` answers for a whole queryset in SQL.
Both say the same thing, and tests/test_dated.py checks that they agree at every boundary.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q


def holds_on(start: dt.date | None, end: dt.date | None, on: dt.date) -> bool:
    return (start is None or start <= on) and (end is None or end > on)


def holds_on_q(
    on: dt.date,
    *,
    start: str | None = "started_on",
    end: str | None = "ended_on",
    start_required: bool = False,
    prefix: str = "",
) -> Q:
    """The SQL form of `holds_on` for fields named `prefix + start` and `prefix + end`.

    `start_required`: the start is a non-null column, so skip the IS NULL branch.
    `start=None` / `end=None`: the fact has no such bound.
    """
    q = Q()
    if start is not None:
        started = Q(**{f"{prefix}{start}__lte": on})
        if not start_required:
            started |= Q(**{f"{prefix}{start}__isnull": True})
        q &= started
    if end is not None:
        q &= Q(**{f"{prefix}{end}__isnull": True}) | Q(**{f"{prefix}{end}__gt": on})
    return q
