"""Supervision (督办): the overdue tasks of a jurisdiction rise to the dashboard of the level
above — a district officer sees each township's count, a city officer each district's, a
township officer their own — each count a link to the findings list filtered to that area
and overdue, which shows exactly those rows: the counts are of the list's own queryset
(`compliance.selectors.finding_list` with `overdue`), grouped in one query by the prefix of
the findings' area paths that names the area below."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.db.models.functions import Substr

from dangjian.accounts.models import User
from dangjian.areas.models import Area
from dangjian.compliance.selectors import Filters, finding_list


def overdue_filters(area: Area | None, as_of: dt.date) -> Filters:
    """What the findings list is asked for by `?area=…&overdue=1` (and `as_of`)."""
    return Filters(rule=(), area=area, severity="", overdue=True, q="", as_of=as_of)


def overdue_by_area(
    user: User, base: Area | None, area: Area | None, as_of: dt.date
) -> dict[str, Any]:
    """The user's overdue findings on `as_of` within `area` (None: the whole jurisdiction):
    the total, and per area directly under `base` (the area the dashboard shows: `area`, or
    the jurisdiction's) — `[(child, n)]` in code order, the areas without any left out.
    Two queries: the total, then the counts grouped by path prefix (a third reads the
    children)."""
    qs = finding_list(user=user, filters=overdue_filters(area, as_of), today=as_of).order_by()
    total = qs.count()
    children: list[tuple[Area, int]] = []
    if base is not None and total:
        below = list(Area.objects.filter(parent=base).order_by("code"))
        lengths = {len(child.path) for child in below}
        counts: dict[str, int] = {}
        for length in sorted(lengths):  # one length in practice: codes of a level are alike
            counts.update(
                qs.values(prefix=Substr("area_path", 1, length))
                .annotate(n=Count("pk"))
                .values_list("prefix", "n")
            )
        children = [(child, counts[child.path]) for child in below if counts.get(child.path)]
    return {"total": total, "children": children}
