"""Notifications (督办通知, issue 14 item 3): written at the steps that concern a user
(a new task assigned, 改派, a 情况说明 decided, 退回整改) and by the daily run (7天内到期, once
per task and due date); the top bar's bell (one COUNT query a page); the notification
centre (newest first, read on opening — a POST —, 全部标为已读); the daily digest mailed
through a real Django mail backend (locmem)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.partyorgs.models import PartyOrganization
from dangjian.tasks.digest import SUBJECT, send_digests
from dangjian.tasks.models import Notification, NotificationKind, Task, TaskState
from dangjian.tasks.notifications import remind_due_soon, unread_count
from dangjian.tasks.services import (
    TaskError,
    explanation_decide,
    explanation_file,
    task_mark_fixed,
    task_reassign,
    task_return,
    task_start,
    tasks_follow,
)
from tests import factories
from tests.test_tasks import DAY, DUE, finding, world_task

pytestmark = pytest.mark.django_db

LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


@pytest.fixture
def setup(areas):
    return world_task(areas)


def kinds(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("kind", flat=True))


# --- written at the steps ------------------------------------------------------------------


def test_a_new_task_tells_its_assignee(setup):
    task, users = setup
    (n,) = Notification.objects.all()
    assert (n.user, n.kind, n.task) == (users["secretary"], NotificationKind.ASSIGNED, task)
    assert n.text == "「D-FR-1」测试问题：新待办指派给您"
    assert n.read_at is None and n.get_kind_display() == "指派给你"


def test_tasks_follow_writes_them_in_one_insert(areas, django_assert_max_num_queries):
    """Many new tasks: one insert of their notifications (the number of queries does not
    grow with the tasks)."""
    world_task(areas)  # the secretary and the township officers exist
    records = [finding("area", 5000 + i, area=areas["wenyilu"]) for i in range(30)]
    with CaptureQueriesContext(connection) as queries:
        tasks_follow(opened=records, resolved=[], on=DAY)
    inserts = [q for q in queries if "tasks_notification" in q["sql"]]
    assert len(inserts) == 1
    # The 30 area tasks (the world's own task is about a Party organization, whose key may
    # pass 5000 on PostgreSQL, where sequences run on across tests).
    mine = Notification.objects.filter(
        kind="assigned", task__subject_type="area", task__subject_pk__gte=5000
    )
    assert mine.count() == 30


def test_a_unit_task_tells_the_units_users(areas):
    unit = factories.unit("芙蓉区民政局", "civil_affairs", areas["furong"])
    clerks = [factories.user(f"clerk{i}", role=Role.REGISTRY, unit=unit) for i in range(2)]
    factories.user("gone", role=Role.REGISTRY, unit=unit, is_active=False)
    record = finding("unit", unit.pk, area=areas["furong"])
    tasks_follow(opened=[record], resolved=[], on=DAY)
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == [
        c.username for c in clerks
    ]


def test_reassigning_tells_the_new_assignee_not_the_officer(setup):
    task, users = setup
    task_reassign(user=users["wenyilu"], task=task, assignee=users["wenyilu2"], text="请跟进")
    (n,) = Notification.objects.filter(user=users["wenyilu2"])
    assert n.kind == NotificationKind.ASSIGNED
    assert "文艺路" not in n.text and "将该待办改派给您" in n.text and n.text.endswith("请跟进")
    assert kinds(users["wenyilu"]) == []


def test_returning_tells_the_assignee(setup):
    task, users = setup
    task_start(user=users["secretary"], task=task)
    task_mark_fixed(user=users["secretary"], task=task)
    task_return(user=users["wenyilu"], task=task, opinion="缺少会议记录")
    n = Notification.objects.get(user=users["secretary"], kind=NotificationKind.RETURNED)
    assert n.text == "「D-FR-1」测试问题：整改被退回，请继续整改。退回意见：缺少会议记录"


def test_a_decided_explanation_tells_who_filed_it(setup):
    task, users = setup
    explanation = explanation_file(
        user=users["secretary"], task=task, kind="extension", reason="换届中",
        requested_due=DUE + dt.timedelta(days=30),
    )  # fmt: skip
    explanation_decide(user=users["wenyilu"], explanation=explanation, approve=True, opinion="同意")
    n = Notification.objects.get(kind=NotificationKind.EXPLANATION_DECIDED)
    assert n.user == users["secretary"]
    assert "情况说明（申请延期至" in n.text and "已批准" in n.text and n.text.endswith("同意")


def test_a_refused_step_writes_nothing(setup):
    task, users = setup
    before = Notification.objects.count()
    with pytest.raises(TaskError):
        task_return(user=users["wenyilu"], task=task, opinion="不对")  # 待处理: not allowed
    assert Notification.objects.count() == before


# --- due within 7 days ---------------------------------------------------------------------


def test_due_soon_once_per_task_and_due_date(setup, areas):
    task, users = setup  # due DUE, assigned to the secretary
    day = DUE - dt.timedelta(days=7)
    assert remind_due_soon(day - dt.timedelta(days=1)) == 0  # 8 days ahead: not yet
    assert remind_due_soon(day) == 1
    n = Notification.objects.get(kind=NotificationKind.DUE_SOON)
    assert n.user == users["secretary"] and n.due == DUE
    assert n.text == f"「D-FR-1」测试问题：整改期限 {DUE}，还有7天到期"
    # Again the same day, and the next: nothing more.
    assert remind_due_soon(day) == 0
    assert remind_due_soon(day + dt.timedelta(days=1)) == 0
    assert Notification.objects.filter(kind=NotificationKind.DUE_SOON).count() == 1
    # A new due date (an approved extension) is reminded again when it comes near.
    Task.objects.filter(pk=task.pk).update(due=DUE + dt.timedelta(days=3))
    assert remind_due_soon(DUE) == 1


def test_due_soon_leaves_out_what_is_not_the_assignees_to_do(setup):
    task, _users = setup
    day = DUE - dt.timedelta(days=3)
    for state in (TaskState.FIXED_PENDING_CHECK, TaskState.CLOSED, TaskState.FIXED):
        Task.objects.filter(pk=task.pk).update(state=state)
        assert remind_due_soon(day) == 0
    Task.objects.filter(pk=task.pk).update(state=TaskState.WORKING)
    assert remind_due_soon(DUE + dt.timedelta(days=1)) == 0  # overdue: not "due soon"
    assert remind_due_soon(DUE) == 1  # due today
    assert "今天到期" in Notification.objects.get(kind="due_soon").text


# --- the bell and the centre ---------------------------------------------------------------


def bell_count(html: str) -> int:
    found = re.search(r'class="[^"]*bell"[^>]*data-unread="(\d+)"', html)
    assert found, "no bell"
    return int(found.group(1))


def test_the_bell_counts_unread_with_one_query(client, setup):
    _task, users = setup
    client.force_login(users["secretary"])
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/findings/").content.decode()
    assert bell_count(html) == 1
    assert "通知：1条未读" in html
    assert len([q for q in queries if "tasks_notification" in q["sql"]]) == 1
    client.force_login(users["wenyilu"])
    assert bell_count(client.get("/").content.decode()) == 0


def test_the_centre_lists_newest_first_and_reads_on_opening(client, setup):
    task, users = setup
    secretary = users["secretary"]
    remind_due_soon(DUE - dt.timedelta(days=2))
    client.force_login(secretary)
    response = client.get("/notifications/")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r["kind"] for r in rows] == ["7天内到期", "指派给你"]
    html = response.content.decode()
    assert "全部标为已读" in html and "未读 2 条" in html
    first = rows[0]
    assert client.get(first["read_url"]).status_code == 405  # reading is a POST
    answer = client.post(first["read_url"])
    assert answer.status_code == 302 and answer.url == f"/tasks/{task.pk}/"
    assert unread_count(secretary) == 1
    # Another's notification is a 404, as a missing one; nothing changes.
    client.force_login(users["wenyilu"])
    assert client.post(rows[1]["read_url"]).status_code == 404
    assert unread_count(secretary) == 1


def test_read_all(client, setup):
    _task, users = setup
    remind_due_soon(DUE)
    client.force_login(users["secretary"])
    answer = client.post("/notifications/read-all/", follow=True)
    assert "已将 2 条通知标为已读" in answer.content.decode()
    assert unread_count(users["secretary"]) == 0
    assert bell_count(answer.content.decode()) == 0
    assert "全部标为已读</button>" not in answer.content.decode()


def test_marking_read_needs_the_csrf_token(setup):
    _task, users = setup
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["secretary"])
    n = Notification.objects.get()
    assert client.post(f"/notifications/{n.pk}/read/").status_code == 403
    assert client.post("/notifications/read-all/").status_code == 403
    assert unread_count(users["secretary"]) == 1


def test_the_centre_says_when_there_is_nothing(client, areas):
    client.force_login(factories.user("new", role=Role.TOWNSHIP, area=areas["pozi"]))
    html = client.get("/notifications/").content.decode()
    assert "暂无通知" in html and "全部标为已读" not in html


def test_it_needs_a_log_in(client):
    assert client.get("/notifications/").status_code == 302


# --- the digest ----------------------------------------------------------------------------


def test_the_digest_mails_each_user_their_unread_of_the_last_day(setup, settings):
    settings.MAILERS = LOCMEM
    task, users = setup
    secretary = users["secretary"]
    secretary.email = "shuji@example.cn"
    secretary.save()
    # The officer has an address but nothing unread; another has unread but no address.
    users["wenyilu"].email = "wyl@example.cn"
    users["wenyilu"].save()
    task_reassign(user=users["wenyilu"], task=task, assignee=users["wenyilu2"])
    today = timezone.localdate()
    Task.objects.filter(pk=task.pk).update(due=today + dt.timedelta(days=3))
    remind_due_soon(today)  # for the new assignee, who has no address
    mail.outbox.clear()
    assert send_digests(today) == 1
    (message,) = mail.outbox
    assert message.to == ["shuji@example.cn"]
    assert message.subject == SUBJECT.format(n=1) == "社会组织党建工作管理系统：今日待办提醒（1项）"
    assert "【指派给你】「D-FR-1」测试问题：新待办指派给您" in message.body
    assert f"/tasks/{task.pk}/" in message.body and "/notifications/" in message.body
    # Sent once: a second run the same day mails nothing.
    assert send_digests(today) == 0 and len(mail.outbox) == 1


def test_the_digest_leaves_out_read_old_and_inactive(setup, settings):
    settings.MAILERS = LOCMEM
    _task, users = setup
    secretary = users["secretary"]
    secretary.email = "shuji@example.cn"
    secretary.save()
    today = timezone.localdate()
    Notification.objects.update(read_at=timezone.now())
    assert send_digests(today) == 0  # read
    Notification.objects.update(read_at=None, created_at=timezone.now() - dt.timedelta(days=3))
    assert send_digests(today) == 0  # older than the last day
    Notification.objects.update(created_at=timezone.now())
    secretary.is_active = False
    secretary.save()
    assert send_digests(today) == 0  # inactive
    secretary.is_active = True
    secretary.save()
    assert send_digests(today) == 1
    assert mail.outbox[-1].subject.endswith("（1项）")


def test_the_daily_run_reminds_then_mails(setup, settings):
    """The worker's daily task: the check, the reminders of the day, the digest."""
    from dangjian.compliance import live
    from dangjian.compliance.tasks import daily_check

    settings.MAILERS = LOCMEM
    task, users = setup
    users["secretary"].email = "shuji@example.cn"
    users["secretary"].save()
    today = timezone.localdate()
    # (Venue checks: VEN-SIX would give the branch a task due today, another reminder.)
    factories.venue_kept(*PartyOrganization.objects.all())
    # Today's check first (the real rules do not find this made-up finding: it would close
    # the task), then the task falling due tomorrow; the worker's run checks nothing again.
    live.daily_check(today)
    Task.objects.filter(pk=task.pk).update(
        state=TaskState.PENDING, due=today + dt.timedelta(days=1)
    )
    mail.outbox.clear()
    daily_check.call()
    assert Notification.objects.filter(kind="due_soon", user=users["secretary"]).count() == 1
    (message,) = [m for m in mail.outbox if m.to == ["shuji@example.cn"]]
    assert "【7天内到期】" in message.body and "还有1天到期" in message.body
    # (The real check also gave the secretary tasks of its own findings: listed too.)
    assert message.subject == SUBJECT.format(n=unread_count(users["secretary"]))
