"""The daily full check as a background task of the worker `make run` starts
(`dangjian db_worker`): it runs the check of the day, then queues itself for the next day
(`DAILY_AT`); after the check, the reminders of tasks falling due and the mailed digest
(`dangjian.tasks.digest`). `dangjian daily --schedule` queues the first one; in production a
timer (cron, systemd) running `dangjian daily` does the same (docs/deployment.md)."""

from __future__ import annotations

import datetime as dt

from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dangjian.compliance import live
from dangjian.tasks import digest

DAILY_AT = dt.time(0, 5)  # local time: the periods that ran out at midnight


@task
def daily_check() -> None:
    live.daily_check()
    digest.daily()
    schedule(after=next_run())


def next_run(now: dt.datetime | None = None) -> dt.datetime:
    """The next `DAILY_AT`, local time."""
    now = timezone.localtime(now)
    day = now.date() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, DAILY_AT))


def schedule(after: dt.datetime | None = None) -> bool:
    """Queue the daily check (at once, or at `after`) unless one is queued already."""
    path = f"{daily_check.func.__module__}.{daily_check.func.__qualname__}"
    if DBTaskResult.objects.filter(task_path=path, status="READY").exists():
        return False
    (daily_check.using(run_after=after) if after else daily_check).enqueue()
    return True
