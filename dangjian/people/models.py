"""People, their employment in social organizations, and Party membership."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from dangjian.lib import crypto
from dangjian.lib.codes import (
    id_birth_date,
    id_gender,
    mask_id_number,
    normalize_id_number,
    validate_id_number,
)
from dangjian.lib.history import HistoricalRecords
from dangjian.lib.models import DatedQuerySet, DatedRelation, ends_after_start


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class PoliticalStatus(models.TextChoices):
    MEMBER = "member", "中共党员"
    PROBATIONARY = "probationary", "中共预备党员"
    LEAGUE = "league", "共青团员"
    MASSES = "masses", "群众"
    DEMOCRATIC_PARTY = "democratic_party", "民主党派"
    INDEPENDENT = "independent", "无党派人士"


PARTY_STATUSES = (PoliticalStatus.MEMBER, PoliticalStatus.PROBATIONARY)


class PersonQuerySet(models.QuerySet["Person"]):
    def by_id_number(self, id_number: str) -> PersonQuerySet:
        return self.filter(id_hash=crypto.lookup_hash(normalize_id_number(id_number)))


class Person(models.Model):
    """A person, keyed by the identity number.

    The identity number is never stored in clear: `id_encrypted` holds it encrypted
    (Fernet), `id_hash` a keyed hash for lookups and uniqueness, `id_masked` the form shown
    on pages and exports. Birth date and gender are derived from it.
    """

    name = models.CharField("姓名", max_length=64, db_index=True)
    id_encrypted = models.TextField("公民身份号码（加密）", editable=False)
    id_hash = models.CharField("身份号码检索摘要", max_length=64, unique=True, editable=False)
    id_masked = models.CharField("公民身份号码", max_length=18, editable=False)
    birth_date = models.DateField("出生日期", editable=False)
    gender = models.CharField("性别", max_length=8, choices=Gender.choices, editable=False)
    # Blank while unknown, e.g. for an instructor known only by name and number.
    political_status = models.CharField(
        "政治面貌", max_length=16, choices=PoliticalStatus.choices, blank=True, default=""
    )

    history = HistoricalRecords(excluded_fields=["id_hash"])
    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        ordering = ["name", "id"]
        permissions = [("unmask_id_number", "查看完整公民身份号码")]

    def __str__(self) -> str:
        return f"{self.name}（{self.id_masked}）"

    @property
    def id_number(self) -> str:
        """The identity number in clear: only for those with the unmask right (recorded)."""
        return crypto.decrypt(self.id_encrypted) if self.id_encrypted else ""

    def set_id_number(self, value: str) -> None:
        """Validate and store an identity number, deriving what follows from it."""
        number = normalize_id_number(value)
        validate_id_number(number)
        self.id_encrypted = crypto.encrypt(number)
        self.id_hash = crypto.lookup_hash(number)
        self.id_masked = mask_id_number(number)
        self.birth_date = id_birth_date(number)
        self.gender = id_gender(number)

    @classmethod
    def build(cls, *, name: str, id_number: str, **fields: object) -> Person:
        person = cls(name=name, **fields)
        person.set_id_number(id_number)
        return person

    def clean(self) -> None:
        if not self.id_hash:
            raise ValidationError({"id_masked": "须填写公民身份号码"})


class Position(models.TextChoices):
    LEADER = "leader", "负责人"
    MANAGER = "manager", "管理层"
    SPECIALIST = "specialist", "专业骨干"
    STAFF = "staff", "一线员工"
    INVESTOR = "investor", "主要出资人"


class Employment(DatedRelation):
    """A person working in a social organization (从业人员)."""

    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.CASCADE, related_name="employments"
    )
    org = models.ForeignKey(
        "orgs.SocialOrganization",
        verbose_name="工作单位",
        on_delete=models.CASCADE,
        related_name="employments",
    )
    position = models.CharField("职务类别", max_length=16, choices=Position.choices, blank=True)
    started_on = models.DateField("入职日期", null=True, blank=True)
    ended_on = models.DateField("离职日期", null=True, blank=True)

    history = HistoricalRecords()
    objects = DatedQuerySet["Employment"].as_manager()

    class Meta:
        verbose_name = "从业情况"
        verbose_name_plural = "从业情况"
        ordering = ["org", "person"]
        indexes = [models.Index(fields=["org", "ended_on"])]
        constraints = [
            ends_after_start(
                "employment_ends_after_start", "离职日期不能早于入职日期", start_nullable=True
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} @ {self.org.name}"

    def clean(self) -> None:
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            raise ValidationError(
                {
                    "ended_on": ValidationError(
                        "离职日期「%(end)s」早于入职日期「%(start)s」",
                        params={"end": self.ended_on, "start": self.started_on},
                    )
                }
            )


class MembershipQuerySet(models.QuerySet["Membership"]):
    def formal_on(self, on: dt.date) -> MembershipQuerySet:
        return self.filter(Membership.formal_on_q(on))

    def member_on(self, on: dt.date) -> MembershipQuerySet:
        return self.filter(Membership.member_on_q(on))


class Membership(models.Model):
    """Party membership: admitted (入党, probationary) on `joined_on`, confirmed (转正) on
    `confirmed_on`. Formal on D when confirmed on or before D; probationary from admission
    until then."""

    person = models.OneToOneField(
        Person, verbose_name="人员", on_delete=models.CASCADE, related_name="membership"
    )
    joined_on = models.DateField("入党日期")
    confirmed_on = models.DateField("转正日期", null=True, blank=True)
    relation_party_org = models.ForeignKey(
        "partyorgs.PartyOrganization",
        verbose_name="组织关系所在党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="relations",
    )
    is_mobile = models.BooleanField("流动党员", default=False, db_default=False)
    # The end of an extended probation (预备期延长至; the `people` kind, DEV-PROBATION-OVERDUE).
    probation_extended_to = models.DateField("预备期延长至", null=True, blank=True)

    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "党员信息"
        verbose_name_plural = "党员信息"
        ordering = ["person"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confirmed_on__isnull=True) | Q(confirmed_on__gte=F("joined_on")),
                name="membership_confirmed_after_joined",
                violation_error_message="转正日期不能早于入党日期",
            ),
            models.CheckConstraint(
                condition=Q(probation_extended_to__isnull=True)
                | Q(probation_extended_to__gt=F("joined_on")),
                name="membership_extension_after_joined",
                violation_error_message="预备期延长至的日期须晚于入党日期",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name}（党员）"

    @staticmethod
    def formal_on_q(on: dt.date, prefix: str = "") -> Q:
        """Formal (正式党员) on D: confirmed on or before D."""
        return Q(**{f"{prefix}confirmed_on__lte": on})

    @staticmethod
    def member_on_q(on: dt.date, prefix: str = "") -> Q:
        """A member (formal or probationary) on D: admitted on or before D."""
        return Q(**{f"{prefix}joined_on__lte": on})

    @staticmethod
    def confirmed_by(confirmed_on: dt.date | None, on: dt.date) -> bool:
        """`formal_on_q` for one membership's confirmation day."""
        return confirmed_on is not None and confirmed_on <= on

    def is_formal(self, on: dt.date) -> bool:
        return self.confirmed_by(self.confirmed_on, on)

    def is_member(self, on: dt.date) -> bool:
        return self.joined_on <= on

    def clean(self) -> None:
        if self.confirmed_on and self.joined_on and self.confirmed_on < self.joined_on:
            raise ValidationError(
                {
                    "confirmed_on": ValidationError(
                        "转正日期「%(c)s」早于入党日期「%(j)s」",
                        params={"c": self.confirmed_on, "j": self.joined_on},
                    )
                }
            )
