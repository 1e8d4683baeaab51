"""/api/v1/trainings — training records (培训记录), scoped to the caller's jurisdiction. A
training is recorded or corrected as a one-row import of the `trainings` kind (the same
checks and Chinese messages as a file or a form: 422 with the errors, nothing written)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.cadres.models import Training, TrainingKind
from dangjian.imports.kinds.cadres import days_text
from dangjian.lib.api import ERRORS, Message
from dangjian.lib.pages import AREA_CODE, PageQuery, page_of
from dangjian.life.api import SavedOut, _save

router = Router(tags=["党务干部"])
KindKey = Literal[tuple(TrainingKind.values)]  # type: ignore[valid-type]


class TrainingOut(Schema):
    id: int
    id_number: str = Field(description="公民身份号码（脱敏）")
    person: str = Field(description="学员姓名")
    name: str
    kind: str = Field(description="培训类别（中文，与导入列相同）")
    organizer: str
    started_on: dt.date
    ended_on: dt.date
    days: str = Field(description="培训天数，如 5、4.5")


class TrainingPage(Schema):
    items: list[TrainingOut]
    count: int


class TrainingFilters(PageQuery):
    area: str | None = Field(None, pattern=AREA_CODE, description="区划代码（6、9或12位）")
    kind: KindKey | None = Field(None, description="培训类别")  # type: ignore[valid-type]
    year: int | None = Field(None, ge=1949, le=2100, description="结束日期所在年度")


class TrainingIn(Schema):
    id_number: str = Field(max_length=20, description="公民身份号码")
    name: str = Field(max_length=100)
    kind: str = Field(max_length=10, description="集中培训 / 任职培训 / 其他")
    organizer: str = Field(max_length=100)
    started_on: str = Field(max_length=20)
    ended_on: str = Field(max_length=20)
    days: str = Field(max_length=10, description="大于0，最多一位小数")


@router.get("/trainings", response={200: TrainingPage, **ERRORS}, summary="培训记录列表")
def training_list(request: HttpRequest, filters: Query[TrainingFilters]) -> dict[str, Any]:
    gate = Jurisdiction(request.user)  # type: ignore[arg-type]
    qs = Training.objects.filter(person__in=gate.people().values("pk"))
    if filters.area:  # outside the jurisdiction: 404
        area = gate.access_area(filters.area)
        qs = qs.filter(
            person__in=gate.people()
            .filter(membership__relation_party_org__township__path__startswith=area.path)
            .values("pk")
        )
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.year:
        qs = qs.filter(ended_on__year=filters.year)
    qs = qs.select_related("person").order_by("-started_on", "name", "person__id_masked", "pk")
    items, count = page_of(qs, filters.page, filters.page_size)
    return {
        "items": [
            {
                "id": t.pk,
                "id_number": t.person.id_masked,
                "person": t.person.name,
                "name": t.name,
                "kind": TrainingKind(t.kind).label,
                "organizer": t.organizer,
                "started_on": t.started_on,
                "ended_on": t.ended_on,
                "days": days_text(Decimal(t.days)),
            }
            for t in items
        ],
        "count": count,
    }


@router.post(
    "/trainings",
    response={200: SavedOut, 422: SavedOut | Message, 401: Message, 403: Message},
    summary="登记或修改一条培训记录（与导入同一套检查）",
)
def training_save(request: HttpRequest, body: TrainingIn) -> Status[dict[str, Any]]:
    return _save(request, "trainings", body.dict())
