"""Party organizations, what they cover, their committees, and Party-building instructors."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from dangjian.areas.models import Area, AreaLevel
from dangjian.lib.dated import holds_on, holds_on_q
from dangjian.lib.history import HistoricalRecords
from dangjian.lib.models import DatedQuerySet, DatedRelation, ends_after_start


class PartyOrgLevel(models.TextChoices):
    COMMITTEE = "committee", "党委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"


class PartyOrgForm(models.TextChoices):
    STANDALONE = "standalone", "单独组建"
    JOINT = "joint", "联合组建"
    FUNCTIONAL = "functional", "功能型"
    INDUSTRY = "industry", "行业党委"
    TOWNSHIP = "township", "乡镇(街道)"
    COMMUNITY = "community", "村(社区)"


# Party organizations *of social organizations*: the ones the rules check (POLICY.md).
SOCIAL_ORG_FORMS = (
    PartyOrgForm.STANDALONE,
    PartyOrgForm.JOINT,
    PartyOrgForm.FUNCTIONAL,
    PartyOrgForm.INDUSTRY,
)
# Forms whose coverage makes an organization "covered" (CONTRACT.md, coverage report).
COVERING_FORMS = (PartyOrgForm.STANDALONE, PartyOrgForm.JOINT, PartyOrgForm.FUNCTIONAL)


class PartyOrgStatus(models.TextChoices):
    ACTIVE = "active", "正常"
    DISSOLVED = "dissolved", "已撤销"


class PartyOrganizationQuerySet(models.QuerySet["PartyOrganization"]):
    def active_on(self, on: dt.date) -> PartyOrganizationQuerySet:
        return self.filter(PartyOrganization.active_on_q(on))

    def within(self, area: Area) -> PartyOrganizationQuerySet:
        return self.filter(township__path__startswith=area.path)


class PartyOrganization(models.Model):
    code = models.CharField("党组织编码", max_length=32, unique=True)
    name = models.CharField("党组织名称", max_length=200, db_index=True)
    level = models.CharField("党组织类别", max_length=16, choices=PartyOrgLevel.choices)
    form = models.CharField("组建方式", max_length=16, choices=PartyOrgForm.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    township = models.ForeignKey(
        Area,
        verbose_name="所在乡镇(街道)",
        on_delete=models.PROTECT,
        related_name="party_orgs",
        limit_choices_to={"level": AreaLevel.TOWNSHIP},
    )
    unit = models.ForeignKey(
        "areas.Unit",
        verbose_name="所属单位（行业党委的业务主管单位）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_orgs",
    )
    founded_on = models.DateField("成立日期")
    term_started_on = models.DateField("本届任期开始日期", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=PartyOrgStatus.choices, default=PartyOrgStatus.ACTIVE
    )
    dissolved_on = models.DateField("撤销日期", null=True, blank=True)

    history = HistoricalRecords()
    objects = PartyOrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        ordering = ["code"]
        indexes = [models.Index(fields=["township", "form"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="active", dissolved_on__isnull=True)
                | Q(status="dissolved", dissolved_on__isnull=False),
                name="party_org_dissolution_dated",
                violation_error_message="状态为「已撤销」时须填写撤销日期；状态为「正常」时不应有撤销日期",
            ),
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=F("founded_on")),
                name="party_org_dissolved_after_founded",
                violation_error_message="撤销日期不能早于成立日期",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def active_on_q(on: dt.date, prefix: str = "") -> Q:
        """Active on D: founded on or before D and not dissolved on or before D."""
        return holds_on_q(
            on, start="founded_on", end="dissolved_on", start_required=True, prefix=prefix
        )

    def is_active(self, on: dt.date) -> bool:
        return holds_on(self.founded_on, self.dissolved_on, on)

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        if self.dissolved_on and self.founded_on and self.dissolved_on < self.founded_on:
            errors["dissolved_on"] = ValidationError(
                "撤销日期「%(d)s」早于成立日期「%(f)s」",
                params={"d": self.dissolved_on, "f": self.founded_on},
            )
        if self.status == PartyOrgStatus.DISSOLVED and not self.dissolved_on:
            errors["dissolved_on"] = ValidationError("状态为「已撤销」时须填写撤销日期")
        if self.status == PartyOrgStatus.ACTIVE and self.dissolved_on:
            errors["status"] = ValidationError(
                "填写了撤销日期「%(d)s」，状态应为「已撤销」", params={"d": self.dissolved_on}
            )
        if self.term_started_on and self.founded_on and self.term_started_on < self.founded_on:
            errors["term_started_on"] = ValidationError(
                "本届任期开始日期「%(t)s」早于成立日期「%(f)s」",
                params={"t": self.term_started_on, "f": self.founded_on},
            )
        if self.parent_id is not None and self.pk is not None:
            errors.update(self._parent_errors())
        if self.township_id and self.township.level != AreaLevel.TOWNSHIP:
            errors["township"] = ValidationError(
                "「%(v)s」不是乡镇(街道)", params={"v": self.township}
            )
        if errors:
            raise ValidationError(errors)

    def _parent_errors(self) -> dict[str, ValidationError]:
        seen = {self.pk}
        node = self.parent
        while node is not None:
            if node.pk in seen:
                return {"parent": ValidationError("上级党组织不能是本组织或其下级组织")}
            seen.add(node.pk)
            node = node.parent
        return {}


class Coverage(DatedRelation):
    """A Party organization covering a social organization, from `started_on` to `ended_on`.

    It counts on D while it holds on D *and* the Party organization is active on D.
    """

    party_org = models.ForeignKey(
        PartyOrganization,
        verbose_name="党组织",
        on_delete=models.CASCADE,
        related_name="coverages",
    )
    org = models.ForeignKey(
        "orgs.SocialOrganization",
        verbose_name="社会组织",
        on_delete=models.CASCADE,
        related_name="coverages",
    )
    started_on = models.DateField("覆盖开始日期")
    ended_on = models.DateField("覆盖结束日期", null=True, blank=True)

    history = HistoricalRecords()
    objects = DatedQuerySet["Coverage"].as_manager()

    class Meta:
        verbose_name = "党组织覆盖"
        verbose_name_plural = "党组织覆盖"
        ordering = ["party_org", "org"]
        indexes = [models.Index(fields=["org", "ended_on"])]
        constraints = [
            ends_after_start("coverage_ends_after_start", "覆盖结束日期不能早于开始日期"),
            models.UniqueConstraint(
                fields=["party_org", "org", "started_on"],
                name="coverage_unique_start",
                violation_error_message="该党组织对该社会组织的覆盖已登记",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party_org} → {self.org}"

    @classmethod
    def current_on_q(cls, on: dt.date, prefix: str = "") -> Q:
        """Holds on D and its Party organization is active on D."""
        return super().current_on_q(on, prefix) & PartyOrganization.active_on_q(
            on, prefix=f"{prefix}party_org__"
        )

    def is_current(self, on: dt.date) -> bool:
        return super().is_current(on) and self.party_org.is_active(on)


class CommitteeRole(models.TextChoices):
    SECRETARY = "secretary", "书记"
    DEPUTY = "deputy", "副书记"
    MEMBER = "member", "委员"


class SecretarySource(models.TextChoices):
    """Where a secretary comes from (POLICY 五.1, in its order of preference)."""

    ELECTED = "elected", "内部选举"
    LEADER = "leader", "社会组织负责人兼任"
    BACKBONE = "backbone", "管理层或骨干党员"
    APPOINTED = "appointed", "上级党组织选派"
    RECRUITED = "recruited", "公开招聘"


class CommitteeMembership(DatedRelation):
    """Who holds which office in a Party organization (班子成员), and since when."""

    party_org = models.ForeignKey(
        PartyOrganization,
        verbose_name="党组织",
        on_delete=models.CASCADE,
        related_name="committee",
    )
    person = models.ForeignKey(
        "people.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="offices"
    )
    role = models.CharField("职务", max_length=16, choices=CommitteeRole.choices)
    started_on = models.DateField("任职日期")
    ended_on = models.DateField("离任日期", null=True, blank=True)
    full_time = models.BooleanField("专职党务工作者", default=False)
    # 书记 only (POLICY 五.1): recorded so the reports can show 负责人兼任书记.
    source = models.CharField(
        "书记来源",
        max_length=16,
        choices=SecretarySource.choices,
        blank=True,
        default="",
        db_default="",
    )

    history = HistoricalRecords()
    objects = DatedQuerySet["CommitteeMembership"].as_manager()

    class Meta:
        verbose_name = "班子成员"
        verbose_name_plural = "班子成员"
        ordering = ["party_org", "role", "started_on"]
        constraints = [
            ends_after_start("committee_ends_after_start", "离任日期不能早于任职日期"),
            models.CheckConstraint(
                condition=models.Q(source="") | models.Q(role="secretary"),
                name="committee_source_of_secretary",
                violation_error_message="只有书记填写书记来源",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party_org} · {self.get_role_display()} · {self.person.name}"


class InstructorSource(models.TextChoices):
    ORGAN = "organ", "党政机关"
    STATE_UNIT = "state_unit", "国有企事业单位"
    RETIRED_CADRE = "retired_cadre", "离退休干部"
    VETERAN = "veteran", "复转军人"
    VILLAGE_OFFICIAL = "village_official", "大学生村官"
    OTHER = "other", "其他"


class Instructor(models.Model):
    """A Party-building instructor (党建工作指导员)."""

    person = models.OneToOneField(
        "people.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="instructor"
    )
    source = models.CharField("来源", max_length=16, choices=InstructorSource.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "党建工作指导员"
        verbose_name_plural = "党建工作指导员"
        ordering = ["person"]

    def __str__(self) -> str:
        return f"{self.person.name}（指导员）"


class InstructorAssignment(DatedRelation):
    instructor = models.ForeignKey(
        Instructor,
        verbose_name="指导员",
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    org = models.ForeignKey(
        "orgs.SocialOrganization",
        verbose_name="派驻社会组织",
        on_delete=models.CASCADE,
        related_name="instructor_assignments",
    )
    started_on = models.DateField("派驻日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)

    history = HistoricalRecords()
    objects = DatedQuerySet["InstructorAssignment"].as_manager()

    class Meta:
        verbose_name = "指导员派驻"
        verbose_name_plural = "指导员派驻"
        ordering = ["org", "started_on"]
        constraints = [
            ends_after_start("instructor_assignment_ends_after_start", "结束日期不能早于派驻日期"),
        ]

    def __str__(self) -> str:
        return f"{self.instructor.person.name} → {self.org}"
