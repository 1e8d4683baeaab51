"""Users and the jurisdiction their role gives them (POLICY.md, "Who uses the system")."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from dangjian.areas.models import AreaLevel, UnitKind
from dangjian.lib.history import HistoricalRecords


class Role(models.TextChoices):
    CITY = "city", "市级管理员"
    DISTRICT = "district", "区级管理员"
    TOWNSHIP = "township", "乡镇(街道)干部"
    REGISTRY = "registry", "登记管理机关"
    SUPERVISOR = "supervisor", "业务主管单位"
    ORG = "org", "党组织书记"
    INSTRUCTOR = "instructor", "党建工作指导员"


# Which jurisdiction each role takes, and the area level it must be at.
ROLE_AREA_LEVEL = {
    Role.CITY: AreaLevel.CITY,
    Role.DISTRICT: AreaLevel.DISTRICT,
    Role.TOWNSHIP: AreaLevel.TOWNSHIP,
}
ROLE_UNIT_KIND = {Role.REGISTRY: UnitKind.CIVIL_AFFAIRS, Role.SUPERVISOR: UnitKind.SUPERVISORY}


class User(AbstractUser):
    role = models.CharField("角色", max_length=16, choices=Role.choices, blank=True)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name="管辖区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    unit = models.ForeignKey(
        "areas.Unit",
        verbose_name="所在单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    party_org = models.ForeignKey(
        "partyorgs.PartyOrganization",
        verbose_name="所在党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    instructor = models.ForeignKey(
        "partyorgs.Instructor",
        verbose_name="指导员身份",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta(AbstractUser.Meta):
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def jurisdiction_label(self) -> str:
        """What the top bar shows, e.g. 芙蓉区 · 区级管理员."""
        role = self.get_role_display() if self.role else ("系统管理员" if self.is_superuser else "")
        if self.area is not None:
            place = self.area.name
        elif self.unit is not None:
            place = self.unit.name
        elif self.party_org is not None:
            place = self.party_org.name
        elif self.instructor is not None:
            place = self.instructor.person.name
        else:
            return role
        return f"{place} · {role}"

    def clean(self) -> None:
        super().clean()
        if not self.role:
            return
        errors: dict[str, str] = {}
        level = ROLE_AREA_LEVEL.get(Role(self.role))
        if level is not None:
            if not self.area_id:
                errors["area"] = f"角色「{self.get_role_display()}」须指定管辖区划"
            elif self.area and self.area.level != level:
                errors["area"] = (
                    f"角色「{self.get_role_display()}」的管辖区划应为{AreaLevel(level).label}，"
                    f"「{self.area}」是{self.area.get_level_display()}"
                )
        kind = ROLE_UNIT_KIND.get(Role(self.role))
        if kind is not None:
            if not self.unit_id:
                errors["unit"] = f"角色「{self.get_role_display()}」须指定所在单位"
            elif self.unit and self.unit.kind != kind:
                errors["unit"] = f"「{self.unit}」不是{UnitKind(kind).label}"
        if self.role == Role.ORG and not self.party_org_id:
            errors["party_org"] = "角色「党组织书记」须指定所在党组织"
        if self.role == Role.INSTRUCTOR and not self.instructor_id:
            errors["instructor"] = "角色「党建工作指导员」须指定指导员身份"
        if errors:
            raise ValidationError(errors)


class ApiToken(models.Model):
    """A personal API token: shown once, stored as a hash, revocable."""

    user = models.ForeignKey(
        User, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("用途", max_length=64, blank=True)
    prefix = models.CharField("前缀", max_length=12)
    key_hash = models.CharField("摘要", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "API令牌"
        verbose_name_plural = "API令牌"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}…（{self.user}）"


class LoginFailure(AccessAttempt):
    """django-axes' record of failed log-ins for one account name, in the admin in Chinese;
    deleting it unlocks the account."""

    class Meta:
        proxy = True
        verbose_name = "登录失败与锁定"
        verbose_name_plural = "登录失败与锁定"
