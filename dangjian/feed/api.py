"""POST /api/v1/registry/events — the registry's live feed (docs/feed.md, docs/api.md)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from dangjian.feed.services import MAX_EVENTS, events_apply, may_push
from dangjian.lib.api import Message

router = Router(tags=["登记管理机关数据推送"])


class EventsIn(Schema):
    events: list[dict[str, Any]]


class ErrorOut(Schema):
    field: str
    column: str
    value: str
    message: str


class EventOut(Schema):
    id: str
    outcome: str
    uscc: str
    changed: list[str]
    errors: list[ErrorOut]


class EventsOut(Schema):
    applied: int
    unchanged: int
    duplicate: int
    refused: int
    events: list[EventOut]


@router.post(
    "/events",
    response={
        200: EventsOut,
        422: EventsOut | Message,
        401: Message,
        403: Message,
        413: Message,
    },
    summary="推送登记事件（成立、变更、注销登记）：逐个事件校验，重复推送不重复写入",
)
def events(request: HttpRequest, payload: EventsIn) -> Status[dict[str, Any]]:
    user: Any = request.user
    if not may_push(user):
        raise HttpError(403, "只有登记管理机关的账号可以推送登记事件")
    if len(payload.events) > MAX_EVENTS:
        raise HttpError(413, f"一次最多推送{MAX_EVENTS}个事件")
    results = events_apply(user=user, events=payload.events)
    counts = {k: sum(1 for r in results if r.outcome == k)
              for k in ("applied", "unchanged", "duplicate", "refused")}  # fmt: skip
    body = {**counts, "events": [r.as_dict() for r in results]}
    return Status(422 if counts["refused"] else 200, body)
