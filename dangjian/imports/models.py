"""One row per import (`ImportBatch`): who imported which file, when, and what it did.

Every record the import wrote carries the batch in its history
(`history_change_reason` = "导入#N …", `history_user` = the importer), so that the import
is one entry in the change history and can be traced and undone.

`PendingUpload`: an upload on its way through the import pages: checked (a dry run),
confirmed, imported.

The file stays under VAR_DIR/uploads/<folder>/ from the upload until it is imported or
discarded, so that nothing the user sent is lost between the check and the confirmation.
The folder also holds what each run found (`check.json`, `import.json`), the rejected rows
as CSV (`check-errors.csv`, `import-errors.csv`) and the progress of the run under way
(`progress.json`: the import writes inside one transaction, so a row updated from within it
could not be seen by the page until the end — a file can).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models


class ImportBatch(models.Model):
    kind = models.CharField("导入类别", max_length=32)
    file_name = models.CharField("文件名", max_length=255)
    file_sha256 = models.CharField("文件摘要(SHA-256)", max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="导入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="import_batches",
    )
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    rows = models.PositiveIntegerField("数据行数", default=0)
    created = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("未变化", default=0)
    rejected = models.PositiveIntegerField("未导入（有错误）", default=0)
    skip_invalid = models.BooleanField("跳过错误行", default=False)
    undone_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"导入#{self.pk} {self.kind}「{self.file_name}」"

    @property
    def history_reason(self) -> str:
        return f"导入#{self.pk} {self.kind}「{self.file_name}」"


class UploadState(models.TextChoices):
    CHECK_QUEUED = "check_queued", "等待检查"
    CHECKING = "checking", "正在检查"
    CHECKED = "checked", "已检查，待确认"
    IMPORT_QUEUED = "import_queued", "等待导入"
    IMPORTING = "importing", "正在导入"
    IMPORTED = "imported", "已导入"
    FAILED = "failed", "出错"
    DISCARDED = "discarded", "已放弃"


# States in which a background task is waiting or running: the page polls.
BUSY = (
    UploadState.CHECK_QUEUED,
    UploadState.CHECKING,
    UploadState.IMPORT_QUEUED,
    UploadState.IMPORTING,
)
QUEUED = (UploadState.CHECK_QUEUED, UploadState.IMPORT_QUEUED)
# States the user can still act on (the file is kept).
OPEN = (*BUSY, UploadState.CHECKED, UploadState.FAILED)


class PendingUpload(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        on_delete=models.CASCADE,
        related_name="pending_uploads",
    )
    kind = models.CharField("导入类别", max_length=32)
    file_name = models.CharField("文件名", max_length=255)
    size = models.PositiveBigIntegerField("文件大小(字节)", default=0)
    folder = models.CharField("存放目录", max_length=64, unique=True)
    state = models.CharField(
        "状态", max_length=16, choices=UploadState.choices, default=UploadState.CHECK_QUEUED
    )
    skip_invalid = models.BooleanField("跳过错误行", default=False)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    started_at = models.DateTimeField("本步开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("本步完成时间", null=True, blank=True)
    task_id = models.CharField("后台任务编号", max_length=64, blank=True)
    # Counts of the last check (or of a confirmation that found errors and wrote nothing).
    check_summary = models.JSONField("检查结果", default=dict, blank=True)
    import_summary = models.JSONField("导入结果", default=dict, blank=True)
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name="导入批次",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    message = models.TextField("说明", blank=True)

    class Meta:
        db_table = "web_pendingupload"  # made by the web app, where the import pages were
        verbose_name = "待导入文件"
        verbose_name_plural = "待导入文件"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "state"])]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.get_state_display()}）"

    # --- the folder --------------------------------------------------------------------

    @staticmethod
    def root() -> Path:
        return Path(settings.VAR_DIR) / "uploads"

    @property
    def path(self) -> Path:
        return self.root() / self.folder

    @property
    def data_path(self) -> Path:
        """The uploaded file, with its own extension (.csv or .xlsx)."""
        return self.path / ("upload" + Path(self.file_name).suffix.lower())

    def errors_path(self, phase: str) -> Path:
        return self.path / f"{phase}-errors.csv"

    def result_path(self, phase: str) -> Path:
        return self.path / f"{phase}.json"

    def has_errors_file(self, phase: str) -> bool:
        path = self.errors_path(phase)
        return path.is_file() and path.stat().st_size > 0

    def result(self, phase: str) -> dict[str, Any]:
        """What the run of `phase` ("check" or "import") found: ImportResult.as_dict()."""
        try:
            return json.loads(self.result_path(phase).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def write_result(self, phase: str, data: dict[str, Any]) -> None:
        _write_atomic(self.result_path(phase), json.dumps(data, ensure_ascii=False))

    # --- progress of the run under way -------------------------------------------------

    def write_progress(self, done: int, total: int) -> None:
        data = {"done": done, "total": total, "at": time.time()}
        with contextlib.suppress(OSError):  # a discarded upload's folder is gone
            _write_atomic(self.path / "progress.json", json.dumps(data))

    def clear_progress(self) -> None:
        (self.path / "progress.json").unlink(missing_ok=True)

    def progress(self) -> dict[str, Any]:
        """{"done", "total", "percent" (None while unknown)}."""
        try:
            data = json.loads((self.path / "progress.json").read_text(encoding="utf-8"))
            done, total = int(data["done"]), int(data["total"])
        except (OSError, ValueError, KeyError, TypeError):
            return self.no_progress()
        percent = min(100, round(done * 100 / total)) if total > 0 else None
        return {"done": done, "total": total, "percent": percent}

    @staticmethod
    def no_progress() -> dict[str, Any]:
        return {"done": 0, "total": 0, "percent": None}

    def remove_data(self) -> None:
        self.data_path.unlink(missing_ok=True)

    def remove_folder(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
