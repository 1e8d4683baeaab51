"""Pagination shared by the API and the pages: bounded, so that no page number overflows."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from ninja import Schema
from pydantic import Field

MAX_PAGE = 1_000_000
AREA_CODE = r"^[0-9]{6}([0-9]{3}){0,2}$"


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="页码，从1开始")
    page_size: int = Field(50, ge=1, le=500, description="每页条数（最多500）")


def page_of(qs: QuerySet[Any], page: int, page_size: int) -> tuple[list[Any], int]:
    count = qs.count()
    start = (page - 1) * page_size
    if start >= count:
        return [], count
    return list(qs[start : start + page_size]), count
