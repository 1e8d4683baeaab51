"""The management system of Party building (POLICY 二.1, 2.3): the yearly topic studies
(专题研究) of the districts' Party committees and the supervisory units' Party organizations
— the `studies` kind of CONTRACT.md, read by rule MGT-STUDY."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from dangjian.lib.history import HistoricalRecords


class TopicStudy(models.Model):
    """A 专题研究社会组织党建工作 held by a district's Party committee (区县(市)委: `area`, a
    district) or a supervisory unit's Party organization (`unit`) — exactly one of them."""

    area = models.ForeignKey(
        "areas.Area",
        verbose_name="研究主体（区县）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="topic_studies",
    )
    unit = models.ForeignKey(
        "areas.Unit",
        verbose_name="研究主体（业务主管单位）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="topic_studies",
    )
    held_on = models.DateField("研究日期")
    topic = models.CharField("主题", max_length=200)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "专题研究"
        verbose_name_plural = "专题研究"
        ordering = ["-held_on"]
        indexes = [models.Index(fields=["held_on"], name="topic_study_held")]
        constraints = [
            models.CheckConstraint(
                condition=Q(area__isnull=False, unit__isnull=True)
                | Q(area__isnull=True, unit__isnull=False),
                name="topic_study_one_body",
                violation_error_message="研究主体须为一个区县(市)或一个业务主管单位",
            ),
            models.UniqueConstraint(
                fields=["area", "held_on"],
                condition=Q(area__isnull=False),
                name="topic_study_area_day",
                violation_error_message="同一区县同一日期的专题研究只记录一次",
            ),
            models.UniqueConstraint(
                fields=["unit", "held_on"],
                condition=Q(unit__isnull=False),
                name="topic_study_unit_day",
                violation_error_message="同一单位同一日期的专题研究只记录一次",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"
