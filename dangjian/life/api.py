"""/api/v1/meetings and /api/v1/party-groups — organization life, scoped to the caller's
jurisdiction. A meeting or Party group is created or corrected as a one-row import of its
kind (the same checks and Chinese messages as a file or a form: 422 with the errors, nothing
written); a meeting is submitted, approved or returned with the review steps of the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status
from pydantic import Field

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.imports.records import record_save
from dangjian.imports.writers import may_write
from dangjian.lib.api import ERRORS, Message, unprocessable
from dangjian.lib.pages import AREA_CODE, PageQuery, page_of
from dangjian.life import services
from dangjian.life.models import Meeting, MeetingType, PartyGroup, ReviewState, duties_text
from dangjian.life.selectors import meeting_get, meetings_for

router = Router(tags=["组织生活"])
TypeKey = Literal[tuple(MeetingType.values)]  # type: ignore[valid-type]
StateKey = Literal[tuple(ReviewState.values)]  # type: ignore[valid-type]


class MeetingOut(Schema):
    id: int
    party_org: str
    type: str = Field(description="会议类型（中文，与导入列相同）")
    party_group: str
    held_on: dt.date
    topic: str
    expected: int | None
    present: int | None
    duties: str = Field(description="职责分类，以「、」分隔")
    place: str
    host: str
    recorder: str
    state: str = Field(
        description="审核状态：draft 待报送、submitted 已报送、returned 已退回、approved 已审核"
    )
    opinion: str


class MeetingPage(Schema):
    items: list[MeetingOut]
    count: int


class MeetingFilters(PageQuery):
    area: str | None = Field(None, pattern=AREA_CODE, description="区划代码（6、9或12位）")
    party_org: str | None = Field(None, max_length=32, description="党组织编码")
    type: TypeKey | None = Field(None, description="会议类型")  # type: ignore[valid-type]
    state: StateKey | None = Field(None, description="审核状态")  # type: ignore[valid-type]
    held_from: dt.date | None = Field(None, description="召开日期起")
    held_to: dt.date | None = Field(None, description="召开日期止")


class MeetingIn(Schema):
    """The columns of the `meetings` kind by their keys (CONTRACT.md), as text."""

    party_org: str = Field(max_length=32)
    type: str = Field(max_length=20, description="会议类型（中文）")
    party_group: str = Field("", max_length=40)
    held_on: str = Field(max_length=20)
    topic: str = Field(max_length=200)
    expected: str = Field("", max_length=10)
    present: str = Field("", max_length=10)
    duties: str = Field("", max_length=200)
    place: str = Field("", max_length=100)
    host: str = Field("", max_length=40)
    recorder: str = Field("", max_length=40)
    minutes: str = Field("", max_length=20000)
    attended: str = Field("", max_length=20000, description="出席人员的公民身份号码，以「;」分隔")
    on_leave: str = Field("", max_length=20000, description="请假人员：公民身份号码（事由）")
    absent: str = Field("", max_length=20000, description="缺席人员的公民身份号码")


class ErrorOut(Schema):
    column: str
    message: str


class SavedOut(Schema):
    created: int
    updated: int
    unchanged: int
    errors: list[ErrorOut]


class Opinion(Schema):
    opinion: str = Field("", max_length=500)


def _meeting(m: Meeting) -> dict[str, Any]:
    return {
        "id": m.pk, "party_org": m.party_org.code, "type": MeetingType(m.type).label,
        "party_group": m.party_group.name if m.party_group else "", "held_on": m.held_on,
        "topic": m.topic, "expected": m.expected, "present": m.present,
        "duties": duties_text(m.duties), "place": m.place, "host": m.host,
        "recorder": m.recorder, "state": m.state, "opinion": m.opinion,
    }  # fmt: skip


@router.get("/meetings", response={200: MeetingPage, **ERRORS}, summary="组织生活会议列表")
def meeting_list(request: HttpRequest, filters: Query[MeetingFilters]) -> dict[str, Any]:
    qs = meetings_for(request.user)
    if filters.area:  # outside the jurisdiction: 404
        area = Jurisdiction(request.user).access_area(filters.area)  # type: ignore[arg-type]
        qs = qs.filter(party_org__township__path__startswith=area.path)
    if filters.party_org:
        qs = qs.filter(party_org=Jurisdiction(request.user).access_party_org(filters.party_org))  # type: ignore[arg-type]
    if filters.type:
        qs = qs.filter(type=filters.type)
    if filters.state:
        qs = qs.filter(state=filters.state)
    for day, label in ((filters.held_from, "召开日期起"), (filters.held_to, "召开日期止")):
        if day is not None and not dt.date(1990, 1, 1) <= day <= dt.date(2100, 12, 31):
            raise unprocessable(f"{label}应在1990年至2100年之间")
    if filters.held_from:
        qs = qs.filter(held_on__gte=filters.held_from)
    if filters.held_to:
        qs = qs.filter(held_on__lte=filters.held_to)
    items, count = page_of(qs.order_by("-held_on", "pk"), filters.page, filters.page_size)
    return {"items": [_meeting(m) for m in items], "count": count}


@router.get("/meetings/{meeting_id}", response={200: MeetingOut, **ERRORS}, summary="会议详情")
def meeting_detail(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    return _meeting(meeting_get(request.user, meeting_id))


def _save(request: HttpRequest, kind: str, values: dict[str, str]) -> Status[dict[str, Any]]:
    user: Any = request.user
    if not may_write(user, kind):
        raise HttpError(403, "您无权写入该类数据")
    saved = record_save(kind=kind, values=values, user=user, reason="接口写入")
    result = saved.result
    body = {
        "created": result.created if result else 0,
        "updated": result.updated if result else 0,
        "unchanged": result.unchanged if result else 0,
        "errors": [
            {"column": key, "message": message}
            for key, messages in saved.errors.items()
            for message in messages
        ],
    }
    return Status(200 if saved.ok else 422, body)


@router.post(
    "/meetings",
    response={200: SavedOut, 422: SavedOut | Message, 401: Message, 403: Message},
    summary="记录或修改一次会议（与导入同一套检查；党组织账号写入的为待报送）",
)
def meeting_save(request: HttpRequest, body: MeetingIn) -> Status[dict[str, Any]]:
    return _save(request, "meetings", body.dict())


def _step(request: HttpRequest, meeting_id: int, step: Any, **kwargs: Any) -> dict[str, Any]:
    meeting_get(request.user, meeting_id)  # outside the jurisdiction: 404
    try:
        meeting = step(user=request.user, meeting=meeting_id, **kwargs)
    except ValidationError as exc:
        raise HttpError(422, "；".join(exc.messages)) from None
    return _meeting(meeting)


@router.post("/meetings/{meeting_id}/submit", response={200: MeetingOut, **ERRORS}, summary="报送")
def meeting_submit(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    return _step(request, meeting_id, services.meeting_submit)


@router.post(
    "/meetings/{meeting_id}/approve", response={200: MeetingOut, **ERRORS}, summary="审核通过"
)
def meeting_approve(request: HttpRequest, meeting_id: int, body: Opinion) -> dict[str, Any]:
    return _step(request, meeting_id, services.meeting_approve, opinion=body.opinion)


@router.post("/meetings/{meeting_id}/return", response={200: MeetingOut, **ERRORS}, summary="退回")
def meeting_return(request: HttpRequest, meeting_id: int, body: Opinion) -> dict[str, Any]:
    return _step(request, meeting_id, services.meeting_return, opinion=body.opinion)


class GroupOut(Schema):
    party_org: str
    name: str
    leader: str = Field(description="组长姓名")
    founded_on: dt.date
    dissolved_on: dt.date | None


class GroupPage(Schema):
    items: list[GroupOut]
    count: int


class GroupIn(Schema):
    party_org: str = Field(max_length=32)
    name: str = Field(max_length=40)
    leader: str = Field("", max_length=20, description="组长公民身份号码")
    founded_on: str = Field(max_length=20)
    dissolved_on: str = Field("", max_length=20)


class GroupFilters(PageQuery):
    area: str | None = Field(None, pattern=AREA_CODE, description="区划代码（6、9或12位）")
    party_org: str | None = Field(None, max_length=32, description="党组织编码")


@router.get("/party-groups", response={200: GroupPage, **ERRORS}, summary="党小组列表")
def group_list(request: HttpRequest, filters: Query[GroupFilters]) -> dict[str, Any]:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    qs = PartyGroup.objects.filter(party_org__in=gate.party_orgs().values("pk"))
    if filters.area:
        qs = qs.filter(party_org__township__path__startswith=gate.access_area(filters.area).path)
    if filters.party_org:
        qs = qs.filter(party_org=gate.access_party_org(filters.party_org))
    qs = qs.select_related("party_org", "leader").order_by("party_org__code", "name")
    items, count = page_of(qs, filters.page, filters.page_size)
    return {
        "items": [
            {
                "party_org": g.party_org.code,
                "name": g.name,
                "leader": g.leader.name if g.leader else "",
                "founded_on": g.founded_on,
                "dissolved_on": g.dissolved_on,
            }
            for g in items
        ],
        "count": count,
    }


@router.post(
    "/party-groups",
    response={200: SavedOut, 422: SavedOut | Message, 401: Message, 403: Message},
    summary="登记或修改党小组（与导入同一套检查）",
)
def group_save(request: HttpRequest, body: GroupIn) -> Status[dict[str, Any]]:
    return _save(request, "party-groups", body.dict())
