"""One row per import: who imported which file, when, and what it did.

Every record the import wrote carries the batch in its history
(`history_change_reason` = "导入#N …", `history_user` = the importer), so that the import
is one entry in the change history and can be traced and undone.
"""

from __future__ import annotations

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
