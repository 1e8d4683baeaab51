"""同登记、同年检、同评估 (POLICY 三.3; docs/dynamics.md): an organization's annual
inspection (年检 / 年报) with its Party-building section, and its evaluation (评估, 1A–5A).

- `AnnualInspection`: the `inspections` kind of CONTRACT.md (key: organization + 年检年度);
  rule DYN-INSPECTION reads the latest by year among those inspected on or before the date.
- `Evaluation`: the project's `evaluations` kind (key: organization + 评估日期): the grade,
  its validity and whether Party building was part of it."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from dangjian.lib.history import HistoricalRecords


class InspectionResult(models.TextChoices):
    QUALIFIED = "qualified", "合格"
    BASIC = "basic", "基本合格"
    UNQUALIFIED = "unqualified", "不合格"


class AnnualInspection(models.Model):
    """One organization's annual inspection of one year (inspected in a later year)."""

    org = models.ForeignKey(
        "orgs.SocialOrganization",
        verbose_name="社会组织",
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    year = models.PositiveSmallIntegerField("年检年度")
    result = models.CharField("年检结论", max_length=16, choices=InspectionResult.choices)
    party_section = models.BooleanField("党建情况已填报")
    inspected_on = models.DateField("年检日期")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "年检"
        verbose_name_plural = "年检"
        ordering = ["org", "-year"]
        indexes = [models.Index(fields=["inspected_on"], name="inspection_inspected_on")]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "year"],
                name="inspection_org_year_unique",
                violation_error_message="同一社会组织同一年度只能有一条年检记录",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年度年检"


class EvaluationGrade(models.TextChoices):
    A1 = "1A", "1A"
    A2 = "2A", "2A"
    A3 = "3A", "3A"
    A4 = "4A", "4A"
    A5 = "5A", "5A"


class Evaluation(models.Model):
    """One evaluation of an organization (评估等级, valid until a date)."""

    org = models.ForeignKey(
        "orgs.SocialOrganization",
        verbose_name="社会组织",
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    evaluated_on = models.DateField("评估日期")
    grade = models.CharField("评估等级", max_length=2, choices=EvaluationGrade.choices)
    valid_until = models.DateField("有效期至")
    party_section = models.BooleanField("党建工作纳入评估")
    party_score = models.PositiveSmallIntegerField("党建工作得分", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "评估"
        verbose_name_plural = "评估"
        ordering = ["org", "-evaluated_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "evaluated_on"],
                name="evaluation_org_date_unique",
                violation_error_message="同一社会组织同一评估日期只能有一条评估记录",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gt=F("evaluated_on")),
                name="evaluation_valid_after",
                violation_error_message="有效期至须晚于评估日期",
            ),
            models.CheckConstraint(
                condition=Q(party_score__isnull=True) | Q(party_score__lte=100),
                name="evaluation_party_score",
                violation_error_message="党建工作得分为0至100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluated_on} 评估 {self.grade}"
