"""软弱涣散党组织整顿 (POLICY 三.3; docs/dynamics.md): a Party organization identified
as weak and lax, its plan, deadline and progress, and its resolution reviewed by the level
above (rule DYN-WEAK-OVERDUE: not resolved by the deadline).

- `Rectification`: the `rectifications` kind of CONTRACT.md (key: Party organization +
  认定日期). `resolved_on` is the day the level above accepted the resolution (an import by
  an officer writes it directly); `completion_submitted_on` is the day the Party
  organization reported it done, awaiting that review.
- `RectificationNote`: a progress note (整顿进展)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from dangjian.lib.history import HistoricalRecords


class Origin(models.TextChoices):
    MANUAL = "manual", "直接认定"
    SUGGESTED = "suggested", "根据系统提示认定"


class Rectification(models.Model):
    party_org = models.ForeignKey(
        "partyorgs.PartyOrganization",
        verbose_name="党组织",
        on_delete=models.PROTECT,
        related_name="rectifications",
    )
    identified_on = models.DateField("认定日期")
    problem = models.TextField("主要问题")
    deadline = models.DateField("整顿期限")
    resolved_on = models.DateField("整顿完成日期", null=True, blank=True)
    plan = models.TextField("整顿措施", blank=True, default="", db_default="")
    origin = models.CharField(
        "认定方式",
        max_length=16,
        choices=Origin.choices,
        default=Origin.MANUAL,
        db_default=Origin.MANUAL,
    )
    completion_submitted_on = models.DateField("申请验收日期", null=True, blank=True)
    completion_summary = models.TextField("整顿情况总结", blank=True, default="", db_default="")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="验收人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "软弱涣散党组织整顿"
        verbose_name_plural = "软弱涣散党组织整顿"
        ordering = ["-identified_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["party_org", "identified_on"],
                name="rectification_unique",
                violation_error_message="同一党组织同一认定日期只能有一条整顿记录",
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=F("identified_on")),
                name="rectification_deadline",
                violation_error_message="整顿期限不能早于认定日期",
            ),
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=F("identified_on")),
                name="rectification_resolved_on",
                violation_error_message="整顿完成日期不能早于认定日期",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.identified_on} 认定的软弱涣散党组织整顿"


class RectificationNote(models.Model):
    rectification = models.ForeignKey(
        Rectification, verbose_name="整顿", on_delete=models.CASCADE, related_name="notes"
    )
    written_on = models.DateField("日期")
    text = models.TextField("整顿进展")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="填写人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "整顿进展"
        verbose_name_plural = "整顿进展"
        ordering = ["written_on", "pk"]

    def __str__(self) -> str:
        return f"{self.written_on} 整顿进展"
