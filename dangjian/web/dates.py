"""`?as_of=`, read once for every page: the date, or None with the reason told to the user.

A page that cannot read the date shows today's figures and says so (base.html shows
`request.as_of_warning`), never silently.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest

EARLIEST = dt.date(1990, 1, 1)
LATEST = dt.date(2100, 1, 1)


def as_of_param(request: HttpRequest) -> dt.date | None:
    """The date of `?as_of=` (YYYY-MM-DD, 1990 to 2100); None when there is none or it
    cannot be used, the reason then left in `request.as_of_warning` for the page."""
    value = request.GET.get("as_of", "").strip()
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        request.as_of_warning = (  # type: ignore[attr-defined]
            f"日期「{value[:40]}」无法识别，应为 YYYY-MM-DD，已按今天显示"
        )
        return None
    if not EARLIEST <= day <= LATEST:
        request.as_of_warning = (  # type: ignore[attr-defined]
            f"日期「{value}」超出1990年至2100年的范围，已按今天显示"
        )
        return None
    return day
