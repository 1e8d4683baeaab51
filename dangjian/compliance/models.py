"""The findings store: each recorded full check updates one row per open finding, so that
users get a task list (待办) that closes itself when the data changes, and a history of how
many findings were open on each day."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class FindingRecord(models.Model):
    rule = models.CharField("规则", max_length=32)
    subject_type = models.CharField("对象类型", max_length=16)
    subject_key = models.CharField("对象编码", max_length=64)
    subject_name = models.CharField("对象名称", max_length=200)
    # The subject's primary key in its own table, for the jurisdiction gate.
    subject_pk = models.BigIntegerField("对象内部编号", null=True, blank=True)
    # What tells apart several findings of one rule about one subject (a period, a year, a
    # record); "" for a rule that finds a subject at most once (rules/base.py `Finding`).
    occurrence = models.CharField("发生期间或记录", max_length=64, blank=True, default="")
    area = models.CharField("所在区划代码", max_length=12)
    area_path = models.CharField("区划路径", max_length=80, db_index=True)
    severity = models.CharField("严重程度", max_length=8)
    message = models.TextField("问题")
    due = models.DateField("整改期限", null=True, blank=True)
    facts = models.JSONField("依据事实", default=dict)
    first_seen = models.DateField("首次发现")
    last_seen = models.DateField("最近一次发现")
    resolved_on = models.DateField("已解决日期", null=True, blank=True, db_index=True)
    policy_version = models.CharField("政策设置版本", max_length=40)

    class Meta:
        verbose_name = "问题（待办）"
        verbose_name_plural = "问题（待办）"
        ordering = ["rule", "subject_key"]
        indexes = [
            models.Index(fields=["rule", "subject_type", "subject_pk", "occurrence"]),
            models.Index(fields=["first_seen", "resolved_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject_type", "subject_pk", "occurrence"],
                condition=Q(resolved_on__isnull=True),
                name="one_open_finding_per_occurrence",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.subject_name}"


class CheckRun(models.Model):
    as_of = models.DateField("检查日期")
    ran_at = models.DateTimeField("运行时间", auto_now_add=True)
    policy_version = models.CharField("政策设置版本", max_length=40)
    summary = models.JSONField("各规则问题数", default=dict)
    opened = models.PositiveIntegerField("新发现", default=0)
    resolved = models.PositiveIntegerField("已解决", default=0)
    open = models.PositiveIntegerField("未解决", default=0)

    class Meta:
        verbose_name = "规则检查记录"
        verbose_name_plural = "规则检查记录"
        ordering = ["-as_of", "-ran_at"]

    def __str__(self) -> str:
        return f"{self.as_of} 检查"
