"""The management system of Party building (POLICY 二.1, 2.3): the yearly topic studies
(专题研究) of the districts' Party committees and the supervisory units' Party organizations
— the `studies` kind of CONTRACT.md, read by rule MGT-STUDY."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from dangjian.lib.history import HistoricalRecords
from dangjian.lib.models import DatedQuerySet, DatedRelation, ends_after_start


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


# --- work bodies, their staff, township cadres, contact points (POLICY 二.1, 2.3) -----------


class WorkBodyKind(models.TextChoices):
    DISTRICT = "district", "区县"
    PARK = "park", "园区"


class WorkBody(models.Model):
    """A 社会组织党建工作机构 of a district (区县(市)) or of a park (园区) in a district: the
    `work-bodies` kind. Its name and district are its `unit` (a Unit of kind work_body)."""

    unit = models.OneToOneField(
        "areas.Unit", verbose_name="机构", on_delete=models.PROTECT, related_name="work_body"
    )
    kind = models.CharField("机构类别", max_length=16, choices=WorkBodyKind.choices)
    established_on = models.DateField("成立日期", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "社会组织党建工作机构"
        verbose_name_plural = "社会组织党建工作机构"
        ordering = ["unit__area__code", "kind", "unit__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=WorkBodyKind.values),
                name="work_body_kind_known",
                violation_error_message="机构类别应为区县或园区",
            ),
        ]

    def __str__(self) -> str:
        return self.unit.name


class WorkBodyStaff(DatedRelation):
    """A member of a work body's staff (an official, by name and post; not a registry
    Person): full-time (专职) or part-time (兼职), over a period (`work-body-staff`)."""

    body = models.ForeignKey(
        WorkBody, verbose_name="工作机构", on_delete=models.CASCADE, related_name="staff"
    )
    name = models.CharField("姓名", max_length=50)
    post = models.CharField("职务", max_length=50)
    full_time = models.BooleanField("是否专职")
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)

    history = HistoricalRecords()
    objects = DatedQuerySet["WorkBodyStaff"].as_manager()

    class Meta:
        verbose_name = "工作机构工作人员"
        verbose_name_plural = "工作机构工作人员"
        ordering = ["body", "started_on", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "name", "started_on"],
                name="work_body_staff_unique",
                violation_error_message="同一工作机构同一姓名同一开始日期只记录一次",
            ),
            ends_after_start("work_body_staff_ends_after_start", "结束日期不能早于开始日期"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.post}）"


class TownshipCadre(DatedRelation):
    """A 乡镇(街道) 专(兼)职干部 in charge of social organizations' Party building in a
    township, over a period (`township-cadres`)."""

    township = models.ForeignKey(
        "areas.Area",
        verbose_name="乡镇(街道)",
        on_delete=models.PROTECT,
        related_name="party_cadres",
    )
    name = models.CharField("姓名", max_length=50)
    post = models.CharField("职务", max_length=50)
    full_time = models.BooleanField("是否专职")
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)

    history = HistoricalRecords()
    objects = DatedQuerySet["TownshipCadre"].as_manager()

    class Meta:
        verbose_name = "乡镇(街道)党建干部"
        verbose_name_plural = "乡镇(街道)党建干部"
        ordering = ["township__code", "started_on", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "name", "started_on"],
                name="township_cadre_unique",
                violation_error_message="同一乡镇(街道)同一姓名同一开始日期只记录一次",
            ),
            ends_after_start("township_cadre_ends_after_start", "结束日期不能早于开始日期"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.post}）"


class ContactPoint(DatedRelation):
    """A 联系点: a leader of a member unit follows a social organization, over a period
    (`contact-points`)."""

    unit = models.ForeignKey(
        "areas.Unit",
        verbose_name="成员单位",
        on_delete=models.PROTECT,
        related_name="contact_points",
    )
    leader_name = models.CharField("领导姓名", max_length=50)
    leader_post = models.CharField("领导职务", max_length=50)
    org = models.ForeignKey(
        "orgs.SocialOrganization",
        verbose_name="联系的社会组织",
        on_delete=models.CASCADE,
        related_name="contact_points",
    )
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)

    history = HistoricalRecords()
    objects = DatedQuerySet["ContactPoint"].as_manager()

    class Meta:
        verbose_name = "联系点"
        verbose_name_plural = "联系点"
        ordering = ["org", "started_on", "leader_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "leader_name", "org", "started_on"],
                name="contact_point_unique",
                violation_error_message="同一单位同一领导同一社会组织同一开始日期只记录一次",
            ),
            ends_after_start("contact_point_ends_after_start", "结束日期不能早于开始日期"),
        ]

    def __str__(self) -> str:
        return f"{self.leader_name}（{self.leader_post}）"
