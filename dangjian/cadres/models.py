"""The people who make Party work happen (POLICY 五): their trainings (集中培训, 任职培训)
— the `trainings` kind of CONTRACT.md, read by rules CAD-SECRETARY-TRAINING,
CAD-NEW-SECRETARY and CAD-WORKER-TRAINING (`dangjian.compliance.rules.cadres`)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q

from dangjian.lib.history import HistoricalRecords
from dangjian.lib.models import DatedQuerySet, DatedRelation, ends_after_start


class TrainingKind(models.TextChoices):
    CENTRALIZED = "centralized", "集中培训"
    INDUCTION = "induction", "任职培训"
    OTHER = "other", "其他"


# The kinds the training rules count (CONTRACT.md: 集中培训 and 任职培训).
COUNTED_KINDS = (TrainingKind.CENTRALIZED, TrainingKind.INDUCTION)


class Training(models.Model):
    """One person's attendance of one training (one row of the `trainings` kind; key:
    trainee + name + start). A class of forty is forty rows of the same name and dates."""

    person = models.ForeignKey(
        "people.Person", verbose_name="学员", on_delete=models.PROTECT, related_name="trainings"
    )
    name = models.CharField("培训名称", max_length=100)
    kind = models.CharField("培训类别", max_length=16, choices=TrainingKind.choices)
    organizer = models.CharField("举办单位", max_length=100)
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期")
    days = models.DecimalField("培训天数", max_digits=5, decimal_places=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "培训记录"
        verbose_name_plural = "培训记录"
        ordering = ["-started_on", "name", "person"]
        indexes = [
            models.Index(fields=["person", "ended_on"], name="training_person_ended"),
            models.Index(fields=["ended_on"], name="training_ended"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "name", "started_on"],
                name="training_unique",
                violation_error_message="同一学员同一培训（名称、开始日期相同）只记录一次",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__gte=F("started_on")),
                name="training_ends_after_start",
                violation_error_message="结束日期不能早于开始日期",
            ),
            models.CheckConstraint(
                condition=Q(days__gt=Decimal(0)),
                name="training_days_positive",
                violation_error_message="培训天数应大于0",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=TrainingKind.values),
                name="training_kind_known",
                violation_error_message="培训类别不在可选范围内",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.started_on}）"


class RecommendationKind(models.TextChoices):
    PARTY_CONGRESS = "party_congress", "党代会代表"
    PEOPLES_CONGRESS = "peoples_congress", "人大代表"
    CPPCC = "cppcc", "政协委员"
    MODEL_WORKER = "model_worker", "劳动模范"


class Opinion(models.TextChoices):
    AGREE = "agree", "同意"
    DISAGREE = "disagree", "不同意"


class Recommendation(models.Model):
    """A leader (负责人) or main investor (主要出资人) of a social organization recommended as
    a delegate, deputy, CPPCC member or model worker, with the opinion of the Party
    organization asked (POLICY 五.4; the `recommendations` kind; rule CAD-RECOMMENDATION)."""

    person = models.ForeignKey(
        "people.Person",
        verbose_name="被推荐人",
        on_delete=models.PROTECT,
        related_name="recommendations",
    )
    kind = models.CharField("推荐类别", max_length=20, choices=RecommendationKind.choices)
    recommended_on = models.DateField("推荐日期")
    party_org = models.ForeignKey(
        "partyorgs.PartyOrganization",
        verbose_name="征求意见党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recommendations",
    )
    opinion = models.CharField(
        "党组织意见", max_length=10, choices=Opinion.choices, blank=True, default=""
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "推荐人选"
        verbose_name_plural = "推荐人选"
        ordering = ["-recommended_on", "person"]
        indexes = [models.Index(fields=["opinion", "recommended_on"], name="recommendation_open")]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "recommended_on"],
                name="recommendation_unique",
                violation_error_message="同一人员同一类别同一日期的推荐只记录一次",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=RecommendationKind.values),
                name="recommendation_kind_known",
                violation_error_message="推荐类别不在可选范围内",
            ),
            models.CheckConstraint(
                condition=Q(opinion__in=["", *Opinion.values]),
                name="recommendation_opinion_known",
                violation_error_message="党组织意见应为同意或不同意",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.recommended_on}）"


class PartyWorker(DatedRelation):
    """A Party worker (党务工作者, POLICY 五.2) of a Party organization: full-time (专职) or
    part-time (兼职), over a period (the `party-workers` kind). A committee office marked
    是否专职 is one too; this records those outside the committee and the part-time ones.
    A full-time worker is held to CAD-WORKER-TRAINING."""

    party_org = models.ForeignKey(
        "partyorgs.PartyOrganization",
        verbose_name="党组织",
        on_delete=models.CASCADE,
        related_name="workers",
    )
    person = models.ForeignKey(
        "people.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="party_work"
    )
    full_time = models.BooleanField("是否专职")
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)

    history = HistoricalRecords()
    objects = DatedQuerySet["PartyWorker"].as_manager()

    class Meta:
        verbose_name = "党务工作者"
        verbose_name_plural = "党务工作者"
        ordering = ["party_org", "started_on", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["party_org", "person", "started_on"],
                name="party_worker_unique",
                violation_error_message="同一党组织同一人员同一开始日期只记录一次",
            ),
            ends_after_start("party_worker_ends_after_start", "结束日期不能早于开始日期"),
        ]

    def __str__(self) -> str:
        return f"{'专职' if self.full_time else '兼职'}党务工作者（{self.started_on}）"


class WorkerAllowance(models.Model):
    """A Party worker's allowance (津贴) for a year, in yuan (the `worker-allowances` kind)."""

    party_org = models.ForeignKey(
        "partyorgs.PartyOrganization",
        verbose_name="党组织",
        on_delete=models.CASCADE,
        related_name="worker_allowances",
    )
    person = models.ForeignKey(
        "people.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="allowances"
    )
    year = models.PositiveIntegerField("年度")
    amount = models.DecimalField("津贴金额（元）", max_digits=12, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "党务工作者津贴"
        verbose_name_plural = "党务工作者津贴"
        ordering = ["party_org", "-year", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["party_org", "person", "year"],
                name="worker_allowance_unique",
                violation_error_message="同一党组织同一人员同一年度的津贴只记录一次",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=Decimal(0)),
                name="worker_allowance_not_negative",
                violation_error_message="津贴金额不能为负数",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年度津贴 {self.amount} 元"


class InstructorVisit(models.Model):
    """A Party-building instructor's visit to an organization they are assigned to (POLICY
    三.2), and what came of it: a trade union or Youth League branch helped into being,
    activists found, members discovered (the `instructor-visits` kind, docs/cadres.md)."""

    instructor = models.ForeignKey(
        "partyorgs.Instructor",
        verbose_name="指导员",
        on_delete=models.CASCADE,
        related_name="visits",
    )
    org = models.ForeignKey(
        "orgs.SocialOrganization",
        verbose_name="社会组织",
        on_delete=models.CASCADE,
        related_name="instructor_visits",
    )
    visited_on = models.DateField("走访日期")
    content = models.TextField("走访情况", blank=True, default="", db_default="")
    union_set_up = models.BooleanField("帮助建立工会", default=False, db_default=False)
    youth_league_set_up = models.BooleanField("帮助建立共青团", default=False, db_default=False)
    activists = models.PositiveIntegerField("发现入党积极分子人数", default=0, db_default=0)
    members_found = models.PositiveIntegerField("发现党员人数", default=0, db_default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "指导员走访"
        verbose_name_plural = "指导员走访"
        ordering = ["-visited_on"]
        indexes = [models.Index(fields=["visited_on"], name="instructor_visit_day")]
        constraints = [
            models.UniqueConstraint(
                fields=["instructor", "org", "visited_on"],
                name="instructor_visit_unique",
                violation_error_message="同一指导员同一日期走访同一社会组织只记录一次",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on} 走访"
