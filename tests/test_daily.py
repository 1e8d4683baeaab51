"""The daily full check (`dangjian daily`; the worker's self-queuing task): recorded once a
day, queued once."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dangjian.compliance import tasks
from dangjian.compliance.models import CheckRun, FindingRecord
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_day_is_checked_once(areas):
    factories.org_with_members(areas["wenyilu"], formal=3)  # COV-STANDALONE
    out = io.StringIO()
    call_command("daily", stdout=out)
    assert "已记录" in out.getvalue()
    assert CheckRun.objects.get().as_of == timezone.localdate()
    assert FindingRecord.objects.filter(rule="COV-STANDALONE", resolved_on__isnull=True).exists()
    out = io.StringIO()
    call_command("daily", stdout=out)
    assert "无需重复" in out.getvalue()
    assert CheckRun.objects.count() == 1


def test_it_is_queued_once_and_the_task_queues_the_next_day(areas):
    assert tasks.schedule() is True
    assert tasks.schedule() is False  # one waiting already
    queued = DBTaskResult.objects.get()
    assert queued.task_path.endswith("daily_check")
    queued.delete()
    tasks.daily_check.call()
    assert CheckRun.objects.get().as_of == timezone.localdate()
    following = DBTaskResult.objects.get()
    assert timezone.localtime(following.run_after).date() == timezone.localdate() + dt.timedelta(
        days=1
    )
    assert timezone.localtime(following.run_after).time() == tasks.DAILY_AT


def test_the_next_run_is_tomorrow_just_after_midnight():
    late = timezone.make_aware(dt.datetime(2026, 12, 31, 23, 59))
    assert timezone.localtime(tasks.next_run(late)) == timezone.make_aware(
        dt.datetime(2027, 1, 1, 0, 5)
    )
