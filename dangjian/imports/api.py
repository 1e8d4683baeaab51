"""/api/v1/imports/{kind} — the same import as the command."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Literal

from django.http import HttpRequest
from ninja import File, Form, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.responses import Status

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.imports.registry import KINDS
from dangjian.imports.selectors import may_import
from dangjian.imports.service import import_file
from dangjian.lib.api import Message

router = Router(tags=["数据导入"])
MAX_UPLOAD = 200 * 1024 * 1024


class ErrorOut(Schema):
    row: int
    column: str
    value: str
    message: str


class ImportOut(Schema):
    kind: str
    file: str
    dry_run: bool
    rows: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    errors: list[ErrorOut]
    warnings: list[ErrorOut]
    batch: int | None


Kind = Literal[tuple(KINDS)]  # type: ignore[valid-type]  # every import kind, in order


@router.post(
    "/{kind}",
    response={
        200: ImportOut,
        422: ImportOut | Message,
        401: Message,
        403: Message,
        404: Message,
        413: Message,
    },
    summary="导入文件（CSV 或 xlsx）：全部正确才写入；dry_run 只检查",
)
def import_(
    request: HttpRequest,
    kind: Kind,  # type: ignore[valid-type]
    file: File[UploadedFile],
    dry_run: Form[bool] = False,
    skip_invalid: Form[bool] = False,
) -> Status[dict[str, Any]]:
    user: Any = request.user
    gate = Jurisdiction(user)
    if gate.nothing or not may_import(user):
        raise HttpError(403, "只有市、区县、乡镇(街道)管理员和登记管理机关可以导入数据")
    if file.size is not None and file.size > MAX_UPLOAD:
        raise HttpError(413, "文件超过200MB")
    name = Path(file.name or "upload").name[:200]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upload"
        with path.open("wb") as fh:
            for chunk in file.chunks():
                fh.write(chunk)
        result = import_file(
            kind,
            path,
            user=user if user.is_authenticated and user.role else None,
            file_name=name,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
        )
    body = result.as_dict()
    return Status(200 if result.ok or (skip_invalid and result.written) else 422, body)
