"""Notifications (督办通知): what a user should know about tasks — assigned to them (指派给你),
due within 7 days (7天内到期), their 情况说明 decided (情况说明已审批), returned to them
(退回整改). The services write them at those steps (`notify`, set-based); the daily run
writes the reminders of tasks falling due (`remind_due_soon`, once per task, recipient and
due date); the top bar's bell counts the unread ones (`Bell`: one COUNT per page, only when
a page shows it); the centre (`/notifications/`) lists and marks them read; the digest
(`digest.py`) mails them.

A task's recipients are its assignee or, for a task of a unit, the unit's active users."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from functools import cached_property
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from dangjian.accounts.jurisdiction import NotFound
from dangjian.accounts.models import User
from dangjian.tasks.models import OVERDUE_STATES, Notification, NotificationKind, Task

DUE_SOON_DAYS = 7
NOTIFICATION_NOT_FOUND = "通知不存在"


def subject_of(task: Task) -> str:
    """What a notification names the task by: its finding's subject and message."""
    finding = task.finding
    if finding is None:
        return f"待办#{task.pk}"
    return f"「{finding.subject_name}」{finding.message}"


def recipients(tasks: Iterable[Task]) -> dict[int, list[int]]:
    """Task pk → the users it belongs to: its assignee, or every active user of its
    assigned unit (one query for all the units, none when there is no unit task)."""
    tasks = list(tasks)
    units = {t.assigned_unit_id for t in tasks if t.assignee_id is None and t.assigned_unit_id}
    unit_users: dict[int, list[int]] = {}
    if units:
        for unit_id, user_id in (
            User.objects.filter(unit_id__in=units, is_active=True)
            .order_by("pk")
            .values_list("unit_id", "pk")
        ):
            unit_users.setdefault(unit_id, []).append(user_id)
    out: dict[int, list[int]] = {}
    for task in tasks:
        if task.assignee_id is not None:
            out[task.pk] = [task.assignee_id]
        elif task.assigned_unit_id is not None:
            out[task.pk] = unit_users.get(task.assigned_unit_id, [])
    return out


def notify(
    kind: NotificationKind,
    items: Sequence[tuple[Task, str]],
    *,
    to: dict[int, list[int]] | None = None,
    actor: User | None = None,
) -> int:
    """One notification of `kind` per task of `items` (with its text) and recipient (`to`:
    task pk → user pks; by default the task's own, `recipients`), in one insert. Nobody is
    told of their own step (`actor`)."""
    whom = to if to is not None else recipients(task for task, _text in items)
    now = timezone.now()
    rows = [
        Notification(user_id=user_pk, kind=kind, task=task, text=text, created_at=now)
        for task, text in items
        for user_pk in whom.get(task.pk, [])
        if actor is None or user_pk != actor.pk
    ]
    Notification.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def notify_meeting(
    kind: NotificationKind, meeting: Any, text: str, users: Iterable[int], *, actor: User
) -> int:
    """One notification of a meeting record's review step (`dangjian.life.services`) per
    user of `users` but the actor, in one insert."""
    now = timezone.now()
    rows = [
        Notification(user_id=pk, kind=kind, meeting=meeting, text=text, created_at=now)
        for pk in sorted(set(users))
        if pk != actor.pk
    ]
    Notification.objects.bulk_create(rows)
    return len(rows)


def remind_due_soon(day: dt.date) -> int:
    """Remind the users of every task still to be done (待处理, 整改中) whose due date falls
    within `DUE_SOON_DAYS` days of `day` (today included): once per task, recipient and due
    date — a second run, the same day or the next, adds nothing; a new due date (an
    approved extension) is reminded again when it comes near."""
    tasks = list(
        Task.objects.filter(
            state__in=OVERDUE_STATES,
            due__gte=day,
            due__lte=day + dt.timedelta(days=DUE_SOON_DAYS),
        ).select_related("finding")
    )
    if not tasks:
        return 0
    whom = recipients(tasks)
    done = set(
        Notification.objects.filter(
            kind=NotificationKind.DUE_SOON, task__in=[t.pk for t in tasks]
        ).values_list("user_id", "task_id", "due")
    )
    now = timezone.now()
    rows = []
    for task in tasks:
        assert task.due is not None
        left = (task.due - day).days
        when = "今天到期" if left == 0 else f"还有{left}天到期"
        for user_pk in whom.get(task.pk, []):
            if (user_pk, task.pk, task.due) in done:
                continue
            rows.append(
                Notification(
                    user_id=user_pk,
                    kind=NotificationKind.DUE_SOON,
                    task=task,
                    due=task.due,
                    text=f"{subject_of(task)}：整改期限 {task.due}，{when}",
                    created_at=now,
                )
            )
    # A run beside this one may have written some meanwhile: the constraint keeps one.
    Notification.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


# --- reads ---------------------------------------------------------------------------------


def notifications_for(user: User) -> QuerySet[Notification]:
    """A user's own notifications, newest first (nobody reads another's)."""
    return Notification.objects.filter(user_id=user.pk).order_by("-created_at", "-pk")


def unread_count(user: User) -> int:
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()


class Bell:
    """The top bar's unread count, counted when the page first shows it (one query), then
    kept for the rest of the page."""

    def __init__(self, user: User) -> None:
        self.user = user

    @cached_property
    def count(self) -> int:
        loaded = getattr(self.user, "unread_notifications", None)  # accounts/backends.py
        return int(loaded) if loaded is not None else unread_count(self.user)

    @property
    def label(self) -> str:
        return "99+" if self.count > 99 else str(self.count)


# --- marking read --------------------------------------------------------------------------


def notification_read(*, user: User, pk: int) -> Notification:
    """Mark one of the user's notifications read (another's is `NotFound`, as a missing
    one); reading it again keeps the first time."""
    found = notifications_for(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(NOTIFICATION_NOT_FOUND)
    if found.read_at is None:
        found.read_at = timezone.now()
        Notification.objects.filter(pk=found.pk, read_at__isnull=True).update(read_at=found.read_at)
    return found


def notifications_read_all(*, user: User) -> int:
    """Mark every unread notification of the user read: how many were."""
    return Notification.objects.filter(Q(user_id=user.pk), read_at__isnull=True).update(
        read_at=timezone.now()
    )


__all__ = [
    "DUE_SOON_DAYS",
    "Bell",
    "notification_read",
    "notifications_for",
    "notifications_read_all",
    "notify",
    "notify_meeting",
    "recipients",
    "remind_due_soon",
    "subject_of",
    "unread_count",
]
