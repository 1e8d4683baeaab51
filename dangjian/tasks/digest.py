"""The daily digest (督办): after the day's check, the reminders of tasks falling due are
written (`notifications.remind_due_soon`), then every active user with an e-mail address
gets one mail listing their unread notifications of the last day that no digest has
mailed yet — through Django's mail settings (`settings.MAILERS`: SMTP where EMAIL_HOST is
set, else files under var/mail/). A second run the same day mails nothing again."""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from dangjian.tasks.models import Notification, user_label
from dangjian.tasks.notifications import remind_due_soon

SUBJECT = "社会组织党建工作管理系统：今日待办提醒（{n}项）"


def daily(day: dt.date | None = None) -> tuple[int, int]:
    """What the daily run does after its check: the due-soon reminders, then the digests.
    Returns (reminders written, mails sent)."""
    day = day or timezone.localdate()
    return remind_due_soon(day), send_digests(day)


def _since(day: dt.date) -> dt.datetime:
    """The start of the day before `day`, local time: "the last day" of a digest sent
    early on `day` (the reminders written on `day` itself come with it)."""
    return timezone.make_aware(dt.datetime.combine(day - dt.timedelta(days=1), dt.time.min))


def body(name: str, day: dt.date, items: list[Notification]) -> str:
    site = settings.SITE_URL
    lines = [f"{name}，您好：", "", f"截至 {day}，您有 {len(items)} 条未读的提醒：", ""]
    for n, item in enumerate(items, 1):
        when = timezone.localtime(item.created_at)
        lines.append(f"{n}. 【{item.get_kind_display()}】{item.text}（{when:%Y-%m-%d %H:%M}）")
        if item.meeting_id is not None:
            url = reverse("web:meeting", kwargs={"pk": item.meeting_id})
            lines.append(f"   查看会议记录：{site}{url}")
        else:
            lines.append(f"   查看待办：{site}{reverse('web:task', kwargs={'pk': item.task_id})}")
    lines += [
        "",
        f"全部通知：{site}{reverse('web:notifications')}",
        "",
        "本邮件由社会组织党建工作管理系统自动发送，请勿直接回复。",
    ]
    return "\n".join(lines)


def send_digests(day: dt.date) -> int:
    """One mail per active user with an e-mail address and unread notifications since the
    start of the day before `day` not mailed yet; those are then marked mailed. Returns how
    many mails were sent. One query reads them all; one update per mail marks them."""
    pending = (
        Notification.objects.filter(
            read_at__isnull=True,
            emailed_at__isnull=True,
            created_at__gte=_since(day),
            user__is_active=True,
        )
        .exclude(user__email="")
        .select_related("user")
        .order_by("user_id", "created_at", "pk")
    )
    sent = 0
    for _user_pk, group in groupby(pending, key=lambda n: n.user_id):
        items = list(group)
        user = items[0].user
        send_mail(
            SUBJECT.format(n=len(items)),
            body(user_label(user), day, items),
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
        )
        Notification.objects.filter(pk__in=[i.pk for i in items]).update(emailed_at=timezone.now())
        sent += 1
    return sent
