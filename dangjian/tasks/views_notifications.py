"""The notification centre (通知, `/notifications/`, `web:notifications`): the user's own
notifications, newest first, each leading to its task or meeting record — opening one marks it read (a POST:
`web:notification_read`, then on to the task) — and 「全部标为已读」
(`web:notifications_read_all`). The top bar's bell (`web.context.notifications`) counts the
unread ones."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.tasks.models import NotificationKind
from dangjian.tasks.notifications import (
    notification_read,
    notifications_for,
    notifications_read_all,
)
from dangjian.web import tables
from dangjian.web.frame import crumbs

PER_PAGE = 50
# How a kind looks (a badge: its words, never its colour alone).
KIND_BADGE = {
    NotificationKind.ASSIGNED: "bg-primary-subtle text-primary-emphasis border-primary-subtle",
    NotificationKind.DUE_SOON: "bg-warning-subtle text-warning-emphasis border-warning-subtle",
    NotificationKind.EXPLANATION_DECIDED: "bg-info-subtle text-info-emphasis border-info-subtle",
    NotificationKind.RETURNED: "bg-danger-subtle text-danger-emphasis border-danger-subtle",
    NotificationKind.MEETING_SUBMITTED: (
        "bg-primary-subtle text-primary-emphasis border-primary-subtle"
    ),
    NotificationKind.MEETING_RETURNED: "bg-danger-subtle text-danger-emphasis border-danger-subtle",
    NotificationKind.MEETING_APPROVED: (
        "bg-success-subtle text-success-emphasis border-success-subtle"
    ),
}


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    qs = notifications_for(user)
    page = tables.page(request, qs, PER_PAGE)
    rows = [
        {
            "pk": n.pk,
            "kind": n.get_kind_display(),
            "badge": KIND_BADGE.get(NotificationKind(n.kind), ""),
            "text": n.text,
            "at": n.created_at,
            "read": n.read_at is not None,
            "read_url": reverse("web:notification_read", kwargs={"pk": n.pk}),
            "what": "会议记录" if n.meeting_id is not None else "待办",
        }
        for n in page.object_list
    ]
    context = {
        "title": "通知",
        "breadcrumbs": crumbs(("通知", None)),
        "rows": rows,
        "page": page,
        "unread": qs.filter(read_at__isnull=True).count(),
    }
    return render(request, "tasks/notifications.html", context)


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read, then show its task (another user's is a 404: NotFound)."""
    found = notification_read(user=request.user, pk=pk)  # type: ignore[arg-type]
    if found.meeting_id is not None:
        return redirect("web:meeting", pk=found.meeting_id)
    return redirect("web:task", pk=found.task_id)


@login_required
@require_POST
def notifications_mark_all(request: HttpRequest) -> HttpResponse:
    n = notifications_read_all(user=request.user)  # type: ignore[arg-type]
    messages.success(request, f"已将 {n} 条通知标为已读" if n else "没有未读的通知")
    return redirect("web:notifications")
