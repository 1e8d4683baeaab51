"""Social organizations (社会组织): the registry facts of the `orgs` import."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from dangjian.areas.models import Area, AreaLevel, Unit, UnitKind
from dangjian.lib.codes import (
    is_valid_uscc,
    normalize_uscc,
    validate_social_org_uscc,
    validate_uscc,
)
from dangjian.lib.dated import holds_on, holds_on_q
from dangjian.lib.history import HistoricalRecords


class OrgKind(models.TextChoices):
    ASSOCIATION = "association", "社会团体"
    SERVICE_AGENCY = "service_agency", "社会服务机构"
    FOUNDATION = "foundation", "基金会"


class RegistrationMode(models.TextChoices):
    DIRECT = "direct", "直接登记"
    SUPERVISED = "supervised", "业务主管单位"


class OrgStatus(models.TextChoices):
    ACTIVE = "active", "正常"
    DEREGISTERED = "deregistered", "注销"
    REVOKED = "revoked", "撤销"
    INACTIVE = "inactive", "停止活动"


class Industry(models.TextChoices):
    """The project's fixed list of industry classes (行业类别)."""

    TRADE = "trade", "行业协会商会"
    SCIENCE = "science", "科技类"
    CHARITY = "charity", "公益慈善类"
    COMMUNITY = "community", "城乡社区服务类"
    EDUCATION = "education", "教育"
    HEALTH = "health", "卫生健康"
    CULTURE = "culture", "文化"
    SPORTS = "sports", "体育"
    ELDERLY = "elderly", "养老服务"
    LAW = "law", "法律服务"
    AGRICULTURE = "agriculture", "农业农村"
    ENVIRONMENT = "environment", "生态环境"
    OTHER = "other", "其他"


class PartyManagement(models.TextChoices):
    """How the organization's Party work is managed (POLICY 2.2); empty is the default rule."""

    DEFAULT = "", "默认（登记机关或业务主管单位）"
    DELEGATED_TOWNSHIP = "delegated_township", "委托乡镇(街道)"
    TOWNSHIP = "township", "属地乡镇(街道)"
    COMMUNITY = "community", "属地村(社区)"


class SocialOrganizationQuerySet(models.QuerySet["SocialOrganization"]):
    def active_on(self, on: dt.date) -> SocialOrganizationQuerySet:
        return self.filter(SocialOrganization.active_on_q(on))

    def within(self, area: Area) -> SocialOrganizationQuerySet:
        return self.filter(township__path__startswith=area.path)


class SocialOrganization(models.Model):
    uscc = models.CharField(
        "统一社会信用代码", max_length=18, unique=True, validators=[validate_uscc]
    )
    name = models.CharField("社会组织名称", max_length=200, db_index=True)
    kind = models.CharField("社会组织类型", max_length=16, choices=OrgKind.choices)
    registry = models.ForeignKey(
        Unit,
        verbose_name="登记管理机关",
        on_delete=models.PROTECT,
        related_name="registered_orgs",
        limit_choices_to={"kind": UnitKind.CIVIL_AFFAIRS},
    )
    registration_mode = models.CharField(
        "登记方式", max_length=16, choices=RegistrationMode.choices
    )
    supervisor = models.ForeignKey(
        Unit,
        verbose_name="业务主管单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised_orgs",
        limit_choices_to={"kind": UnitKind.SUPERVISORY},
    )
    industry = models.CharField("行业类别", max_length=16, choices=Industry.choices)
    district = models.ForeignKey(
        Area,
        verbose_name="所在区县",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": AreaLevel.DISTRICT},
    )
    township = models.ForeignKey(
        Area,
        verbose_name="所在乡镇(街道)",
        on_delete=models.PROTECT,
        related_name="orgs",
        limit_choices_to={"level": AreaLevel.TOWNSHIP},
    )
    community = models.ForeignKey(
        Area,
        verbose_name="所在村(社区)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": AreaLevel.COMMUNITY},
    )
    registered_on = models.DateField("成立登记日期")
    status = models.CharField(
        "登记状态", max_length=16, choices=OrgStatus.choices, default=OrgStatus.ACTIVE
    )
    status_changed_on = models.DateField("状态变更日期", null=True, blank=True)
    staff_count = models.PositiveIntegerField("从业人员数", null=True, blank=True)
    party_management = models.CharField(
        "党建管理方式",
        max_length=24,
        choices=PartyManagement.choices,
        default=PartyManagement.DEFAULT,
        blank=True,
    )

    history = HistoricalRecords()
    objects = SocialOrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = "社会组织"
        verbose_name_plural = "社会组织"
        ordering = ["uscc"]
        indexes = [
            models.Index(fields=["township", "status"]),
            models.Index(fields=["kind"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="active") | Q(status_changed_on__isnull=False),
                name="org_status_change_dated",
                violation_error_message="登记状态不是「正常」时，须填写状态变更日期",
            ),
            models.CheckConstraint(
                condition=Q(status_changed_on__isnull=True)
                | Q(status_changed_on__gte=models.F("registered_on")),
                name="org_status_change_after_registration",
                violation_error_message="状态变更日期不能早于成立登记日期",
            ),
            models.CheckConstraint(
                condition=Q(registration_mode="direct") | Q(supervisor__isnull=False),
                name="org_supervised_has_supervisor",
                violation_error_message="登记方式为「业务主管单位」时，须填写业务主管单位",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    # Active on D — the one definition, in SQL and in Python: registered on or before D
    # (the start), and 正常, or its status changed only after D (the end; a status other
    # than 正常 with no change date, which the constraints refuse, counts as no end).

    @staticmethod
    def active_on_q(on: dt.date, prefix: str = "") -> Q:
        return holds_on_q(
            on, start="registered_on", end=None, start_required=True, prefix=prefix
        ) & (
            Q(**{f"{prefix}status": OrgStatus.ACTIVE})
            | holds_on_q(on, start=None, end="status_changed_on", prefix=prefix)
        )

    @staticmethod
    def active(
        registered_on: dt.date | None, status: str, status_changed_on: dt.date | None, on: dt.date
    ) -> bool:
        """`active_on_q` for one organization's columns (`registered_on` None: whatever
        its registration)."""
        ended = None if status == OrgStatus.ACTIVE else status_changed_on
        return holds_on(registered_on, ended, on)

    def is_active(self, on: dt.date) -> bool:
        return self.active(self.registered_on, self.status, self.status_changed_on, on)

    def clean_fields(self, exclude: object = None) -> None:
        self.uscc = normalize_uscc(self.uscc)
        super().clean_fields(exclude=exclude)  # type: ignore[arg-type]

    def clean(self) -> None:
        errors: dict[str, list[ValidationError]] = {}
        if is_valid_uscc(self.uscc):  # an invalid one is already reported by the field
            try:
                validate_social_org_uscc(self.uscc, self.kind)
            except ValidationError as exc:
                errors.setdefault("uscc", []).append(exc)
        if self.status == OrgStatus.ACTIVE and self.status_changed_on is not None:
            errors.setdefault("status_changed_on", []).append(
                ValidationError("登记状态为「正常」时，不应填写状态变更日期")
            )
        if self.registration_mode == RegistrationMode.DIRECT and self.supervisor_id:
            errors.setdefault("supervisor", []).append(
                ValidationError(
                    "直接登记的社会组织没有业务主管单位，请清空该项或改为「业务主管单位」登记"
                )
            )
        if self.registry_id and self.registry.kind != UnitKind.CIVIL_AFFAIRS:
            errors.setdefault("registry", []).append(
                ValidationError("登记管理机关「%(v)s」不是民政部门", params={"v": self.registry})
            )
        if self.supervisor_id and self.supervisor and self.supervisor.kind != UnitKind.SUPERVISORY:
            errors.setdefault("supervisor", []).append(
                ValidationError("「%(v)s」不是业务主管单位", params={"v": self.supervisor})
            )
        errors.update(self._area_errors())
        if errors:
            raise ValidationError(errors)

    def _area_errors(self) -> dict[str, list[ValidationError]]:
        errors: dict[str, list[ValidationError]] = {}
        district = self.district if self.district_id else None
        township = self.township if self.township_id else None
        community = self.community if self.community_id else None
        for field, area, level in (
            ("district", district, AreaLevel.DISTRICT),
            ("township", township, AreaLevel.TOWNSHIP),
            ("community", community, AreaLevel.COMMUNITY),
        ):
            if area is not None and area.level != level:
                errors.setdefault(field, []).append(
                    ValidationError(
                        "「%(v)s」不是%(level)s",
                        params={"v": area, "level": AreaLevel(level).label},
                    )
                )
        if district and township and township.parent_id != district.pk:
            errors.setdefault("township", []).append(
                ValidationError(
                    "乡镇(街道)「%(t)s」不在区县「%(d)s」内", params={"t": township, "d": district}
                )
            )
        if township and community and community.parent_id != township.pk:
            errors.setdefault("community", []).append(
                ValidationError(
                    "村(社区)「%(c)s」不在乡镇(街道)「%(t)s」内",
                    params={"c": community, "t": township},
                )
            )
        return errors
