"""The events page (docs/feed.md): what the registry's system sent, what each event changed,
what was refused and why. A registry sees its own events; the area officers those of the
registries of their area; the system operator all (xlsx too)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dangjian.accounts.models import Role
from dangjian.feed.models import EventType, Outcome, RegistryEvent
from dangjian.web import lists, tables
from dangjian.web.frame import crumbs

PER_PAGE = 50
HEADER = ["收到时间", "登记管理机关", "事件编号", "事件类型", "统一社会信用代码", "处理结果",
          "变更的字段", "拒收原因", "收到次数"]  # fmt: skip


def events_seen(user: Any) -> QuerySet[RegistryEvent]:
    qs = RegistryEvent.objects.select_related("registry")
    if user.is_superuser and not user.role:
        return qs
    if user.role == Role.REGISTRY and user.unit_id is not None:
        return qs.filter(registry_id=user.unit_id)
    if user.role in (Role.CITY, Role.DISTRICT) and user.area is not None:
        return qs.filter(registry__area__path__startswith=user.area.path)
    raise PermissionDenied("只有登记管理机关和市、区县管理员可以查看登记事件")


def _why(event: RegistryEvent) -> str:
    return "；".join(
        f"{e.get('column') or e.get('field')}「{e.get('value', '')}」：{e.get('message', '')}"
        for e in event.errors
    )


def _cells(e: RegistryEvent) -> list[Any]:
    return [e.received_at, e.registry.name, e.event_id, EventType(e.type).label, e.uscc,
            Outcome(e.outcome).label, "、".join(e.changed), _why(e), e.deliveries]  # fmt: skip


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    """`?outcome=applied|unchanged|refused`, `?q=` (编号或统一社会信用代码), `?format=xlsx`."""
    qs = events_seen(request.user)
    outcome = request.GET.get("outcome", "")
    if outcome in Outcome.values:
        qs = qs.filter(outcome=outcome)
    q = request.GET.get("q", "").strip()[:64]
    if q:
        qs = qs.filter(Q(event_id=q) | Q(uscc=q))
    qs = qs.order_by("-received_at", "-pk")
    if request.GET.get("format") == "xlsx":
        rows = (_cells(e) for e in qs.iterator(chunk_size=2000))
        return tables.xlsx_response("登记事件.xlsx", HEADER, rows, title="登记事件")
    page = tables.page(request, qs, PER_PAGE)
    context = {
        "title": "登记事件",
        "breadcrumbs": crumbs(("社会组织", "/orgs/"), ("登记事件", None)),
        "outcome": outcome,
        "outcomes": Outcome.choices,
        "q": q,
        "events": list(page.object_list),
        "count": page.paginator.count,
        "pager": lists.page_links(request, request.path, page),
        "export_query": tables.query_without(request, "page", "format"),
    }
    return render(request, "feed/events.html", context)
