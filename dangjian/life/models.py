"""Organization life (组织生活, POLICY 1, 3.1, 4.2, 4.4): Party groups, meetings with their
attendance and review, activities, pairings, demonstration sites and 联组.

Meetings are what rules LIFE-MEETINGS and LIFE-REVIEW count: only approved ones
(`ReviewState.APPROVED`: an area officer's import or form is approved as written; a
secretary's record counts once the level above approves it — docs/organization-life.md).
"""

from __future__ import annotations

import secrets
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from dangjian.lib.history import HistoricalRecords
from dangjian.lib.models import DatedQuerySet, DatedRelation, ends_after_start


class MeetingType(models.TextChoices):
    ASSEMBLY = "assembly", "支部党员大会"
    COMMITTEE = "committee", "支部委员会会议"
    GROUP = "group", "党小组会"
    LECTURE = "lecture", "党课"
    LIFE = "life", "组织生活会"
    APPRAISAL = "appraisal", "民主评议党员"
    THEME_DAY = "theme_day", "主题党日"


class Duty(models.TextChoices):
    """The six duties of a Party organization of a social organization (POLICY 1)."""

    POLITICAL = "political", "保证政治方向"
    MASSES = "masses", "团结凝聚群众"
    TALENT = "talent", "服务人才成长"
    DEVELOPMENT = "development", "推动事业发展"
    CULTURE = "culture", "建设先进文化"
    SELF = "self", "加强自身建设"


DUTY_ORDER = [d.value for d in Duty]


def duties_text(codes: str) -> str:
    """The stored duty codes ("political,self") as their labels, 、-separated."""
    labels = dict(Duty.choices)
    return "、".join(str(labels[c]) for c in codes.split(",") if c in labels)


class ReviewState(models.TextChoices):
    DRAFT = "draft", "待报送"
    SUBMITTED = "submitted", "已报送"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已审核"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "出席"
    LEAVE = "leave", "请假"
    ABSENT = "absent", "缺席"


class PartyGroup(models.Model):
    """A 党小组 of a Party branch."""

    party_org = models.ForeignKey(
        "partyorgs.PartyOrganization",
        verbose_name="党组织",
        on_delete=models.CASCADE,
        related_name="party_groups",
    )
    name = models.CharField("党小组名称", max_length=40)
    leader = models.ForeignKey(
        "people.Person",
        verbose_name="组长",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_party_groups",
    )
    founded_on = models.DateField("成立日期")
    dissolved_on = models.DateField("撤销日期", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "党小组"
        verbose_name_plural = "党小组"
        ordering = ["party_org", "name"]
        constraints = [
            models.UniqueConstraint(fields=["party_org", "name"], name="party_group_unique"),
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=F("founded_on")),
                name="party_group_dissolved_after_founded",
                violation_error_message="撤销日期不能早于成立日期",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    """One meeting of 三会一课, 组织生活会, 民主评议党员 or 主题党日 (the `meetings` kind)."""

    party_org = models.ForeignKey(
        "partyorgs.PartyOrganization",
        verbose_name="党组织",
        on_delete=models.CASCADE,
        related_name="meetings",
    )
    type = models.CharField("会议类型", max_length=16, choices=MeetingType.choices)
    party_group = models.ForeignKey(
        PartyGroup,
        verbose_name="党小组",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    held_on = models.DateField("召开日期")
    topic = models.CharField("主题", max_length=200)
    expected = models.PositiveIntegerField("应到人数", null=True, blank=True)
    present = models.PositiveIntegerField("实到人数", null=True, blank=True)
    duties = models.CharField("职责分类", max_length=100, blank=True, default="", db_default="")
    place = models.CharField("会议地点", max_length=100, blank=True, default="", db_default="")
    host = models.CharField("主持人", max_length=40, blank=True, default="", db_default="")
    recorder = models.CharField("记录人", max_length=40, blank=True, default="", db_default="")
    minutes = models.TextField("会议记录", blank=True, default="", db_default="")
    state = models.CharField(
        "审核状态", max_length=16, choices=ReviewState.choices, default=ReviewState.APPROVED
    )
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviewed_meetings",
    )
    opinion = models.CharField("审核意见", max_length=500, blank=True, default="", db_default="")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "组织生活会议"
        verbose_name_plural = "组织生活会议"
        ordering = ["party_org", "-held_on", "type"]
        indexes = [
            models.Index(fields=["party_org", "held_on"]),
            # What rules LIFE-* read of every branch: covering, no row visited (49 → 22 ms
            # for the city demo's 58,000 meetings on SQLite).
            models.Index(
                fields=["party_org", "type", "party_group", "held_on", "state"],
                name="meeting_life_rules",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["party_org", "type", "held_on"],
                condition=Q(party_group__isnull=True),
                name="meeting_unique_without_group",
            ),
            models.UniqueConstraint(
                fields=["party_org", "type", "held_on", "party_group"],
                condition=Q(party_group__isnull=False),
                name="meeting_unique_with_group",
            ),
            models.CheckConstraint(
                condition=Q(present__isnull=True)
                | Q(expected__isnull=True)
                | Q(present__lte=F("expected")),
                name="meeting_present_within_expected",
                violation_error_message="实到人数不能多于应到人数",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_type_display()}：{self.topic}"

    @property
    def counts(self) -> bool:
        """Whether the rules count it (approved)."""
        return self.state == ReviewState.APPROVED


class Attendance(models.Model):
    """Who was expected at a meeting and whether they came (出席 / 请假 with a reason / 缺席)."""

    meeting = models.ForeignKey(
        Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="attendance"
    )
    person = models.ForeignKey(
        "people.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="attendance"
    )
    status = models.CharField("参会情况", max_length=16, choices=AttendanceStatus.choices)
    reason = models.CharField("请假事由", max_length=100, blank=True, default="", db_default="")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "参会情况"
        verbose_name_plural = "参会情况"
        ordering = ["meeting", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="attendance_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.get_status_display()}"


def attachment_path(instance: MeetingAttachment, filename: str) -> str:
    """meetings/<meeting>/<random><extension>: as tasks' attachments (no guessable path)."""
    return f"meetings/{instance.meeting_id}/{secrets.token_hex(16)}{PurePath(filename).suffix}"


class MeetingAttachment(models.Model):
    """A file of a meeting (sign-in sheet, photos, slides): as a task's attachment, served
    only through the jurisdiction gate."""

    meeting = models.ForeignKey(
        Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("文件", upload_to=attachment_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=255)
    kind = models.CharField("文件类型", max_length=8)
    size = models.PositiveBigIntegerField("大小(字节)")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        on_delete=models.PROTECT,
        related_name="meeting_attachments",
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        verbose_name = "会议附件"
        verbose_name_plural = "会议附件"
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class ActivityKind(models.TextChoices):
    """The ways of POLICY 4.2 (创新活动方式), and the joint activities of a 联组 (3.1)."""

    MODEL_POST = "model_post", "党员示范岗"
    ZONE = "zone", "党员责任区"
    PLEDGE = "pledge", "党员承诺"
    POST_DUTY = "post_duty", "设岗定责"
    ADVICE = "advice", "建言献策"
    VOLUNTEER = "volunteer", "志愿服务"
    COMMUNITY = "community", "在职党员到社区报到"
    THEME = "theme", "主题活动"
    PAIRING = "pairing", "结对共建"
    ONLINE = "online", "网络平台活动"
    JOINT = "joint", "联组活动"


class Activity(models.Model):
    """One activity of a Party organization (the `activities` kind, docs/organization-life.md)."""

    party_org = models.ForeignKey(
        "partyorgs.PartyOrganization",
        verbose_name="党组织",
        on_delete=models.CASCADE,
        related_name="activities",
    )
    kind = models.CharField("活动类型", max_length=16, choices=ActivityKind.choices)
    held_on = models.DateField("开展日期")
    title = models.CharField("活动名称", max_length=200)
    participants = models.PositiveIntegerField("参加人数", null=True, blank=True)
    duties = models.CharField("职责分类", max_length=100, blank=True, default="", db_default="")
    partner = models.ForeignKey(
        "partyorgs.PartyOrganization",
        verbose_name="共建党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="partner_activities",
    )
    joint_group = models.ForeignKey(
        "JointGroup",
        verbose_name="联组",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    occasion = models.CharField("活动契机", max_length=40, blank=True, default="", db_default="")
    description = models.TextField("活动内容", blank=True, default="", db_default="")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "党建活动"
        verbose_name_plural = "党建活动"
        ordering = ["party_org", "-held_on", "kind"]
        indexes = [models.Index(fields=["party_org", "held_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["party_org", "kind", "held_on", "title"], name="activity_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_kind_display()}：{self.title}"


class Pairing(DatedRelation):
    """结对共建: a Party organization of a social organization paired with another (often of
    an organ, a state unit or a community), from `started_on` to `ended_on`."""

    party_org = models.ForeignKey(
        "partyorgs.PartyOrganization",
        verbose_name="党组织",
        on_delete=models.CASCADE,
        related_name="pairings",
    )
    partner = models.ForeignKey(
        "partyorgs.PartyOrganization",
        verbose_name="共建党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="partner_pairings",
    )
    partner_name = models.CharField(
        "共建单位党组织名称", max_length=200, blank=True, default="", db_default=""
    )
    started_on = models.DateField("结对日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    content = models.CharField("共建内容", max_length=500, blank=True, default="", db_default="")

    history = HistoricalRecords()
    objects = DatedQuerySet["Pairing"].as_manager()

    class Meta:
        verbose_name = "结对共建"
        verbose_name_plural = "结对共建"
        ordering = ["party_org", "-started_on"]
        constraints = [ends_after_start("pairing_ends_after_start", "结束日期不能早于结对日期")]


class SiteLevel(models.TextChoices):
    CITY = "city", "市级"
    DISTRICT = "district", "区（县、市）级"
    TOWNSHIP = "township", "乡镇（街道）级"


class DemonstrationSite(models.Model):
    """党建示范点: a Party organization named a demonstration site of a level in a year."""

    party_org = models.ForeignKey(
        "partyorgs.PartyOrganization",
        verbose_name="党组织",
        on_delete=models.CASCADE,
        related_name="demonstration_sites",
    )
    level = models.CharField("示范点级别", max_length=16, choices=SiteLevel.choices)
    year = models.PositiveSmallIntegerField("命名年度")
    named_by = models.CharField("命名单位", max_length=100, blank=True, default="", db_default="")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "党建示范点"
        verbose_name_plural = "党建示范点"
        ordering = ["-year", "level", "party_org"]
        constraints = [
            models.UniqueConstraint(
                fields=["party_org", "level", "year"], name="demonstration_site_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_level_display()}党建示范点"


class JointGroup(models.Model):
    """联组 (联组工作法, POLICY 3.1): small, scattered Party organizations working together
    under a lead one."""

    name = models.CharField("联组名称", max_length=100)
    lead = models.ForeignKey(
        "partyorgs.PartyOrganization",
        verbose_name="牵头党组织",
        on_delete=models.PROTECT,
        related_name="led_joint_groups",
    )
    township = models.ForeignKey(
        "areas.Area",
        verbose_name="所在乡镇(街道)",
        on_delete=models.PROTECT,
        related_name="joint_groups",
    )
    founded_on = models.DateField("成立日期")
    dissolved_on = models.DateField("撤销日期", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "联组"
        verbose_name_plural = "联组"
        ordering = ["township", "name"]
        constraints = [
            models.UniqueConstraint(fields=["lead", "name"], name="joint_group_unique"),
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=F("founded_on")),
                name="joint_group_dissolved_after_founded",
                violation_error_message="撤销日期不能早于成立日期",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class JointGroupMember(DatedRelation):
    """A Party organization in a 联组, from `started_on` to `ended_on` (the lead is one)."""

    group = models.ForeignKey(
        JointGroup, verbose_name="联组", on_delete=models.CASCADE, related_name="members"
    )
    party_org = models.ForeignKey(
        "partyorgs.PartyOrganization",
        verbose_name="党组织",
        on_delete=models.PROTECT,
        related_name="joint_group_memberships",
    )
    started_on = models.DateField("加入日期")
    ended_on = models.DateField("退出日期", null=True, blank=True)

    history = HistoricalRecords()
    objects = DatedQuerySet["JointGroupMember"].as_manager()

    class Meta:
        verbose_name = "联组成员"
        verbose_name_plural = "联组成员"
        ordering = ["group", "started_on"]
        constraints = [
            ends_after_start("joint_group_member_ends_after_start", "退出日期不能早于加入日期"),
            models.UniqueConstraint(
                fields=["group", "party_org", "started_on"], name="joint_group_member_unique"
            ),
        ]
