"""Policy versions (docs/policy-versions.md): the settings of the policy as adopted over
time. The shipped `policy.toml` is the first version (read from the file, never stored);
each revision a city officer adopts is a `PolicyVersion`, in force from its
`effective_from` until a later one takes effect. A `PolicyDraft` is a revision an officer
is weighing (the what-if comparison) and has not adopted."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangjian.lib.history import HistoricalRecords


class PolicyVersion(models.Model):
    number = models.CharField("版本号", max_length=30, unique=True)
    document = models.CharField("依据文件", max_length=300)
    effective_from = models.DateField("生效日期", db_index=True)
    text = models.TextField("设置文件（TOML）")
    digest = models.CharField("文件摘要", max_length=8)
    reason = models.TextField("调整理由")
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="采用人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    adopted_at = models.DateTimeField("采用时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "政策设置版本"
        verbose_name_plural = "政策设置版本"
        ordering = ["effective_from", "pk"]

    def __str__(self) -> str:
        return f"{self.number}（{self.effective_from} 起）"

    @property
    def version(self) -> str:
        """The version as findings and reports record it (`Policy.version`)."""
        return f"{self.number}+{self.digest}"


class PolicyDraft(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="起草人",
        on_delete=models.CASCADE,
        related_name="+",
    )
    text = models.TextField("设置文件（TOML）")
    as_of = models.DateField("比较日期")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    adopted = models.ForeignKey(
        PolicyVersion,
        verbose_name="已采用为版本",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "政策设置修订草案"
        verbose_name_plural = "政策设置修订草案"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"草案 {self.pk}"
