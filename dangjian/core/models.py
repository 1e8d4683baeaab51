"""The audit log: who saw or took personal data, and when (PIPL; 等保 2.0 audit)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    UNMASK_EXPORT = "unmask_export", "导出完整公民身份号码"
    UNMASK_VIEW = "unmask_view", "查看完整公民身份号码"
    FULL_EXPORT = "full_export", "导出数据"
    USER_CREATE = "user_create", "新建用户"
    USER_DEACTIVATE = "user_deactivate", "停用用户"
    USER_RESET_PASSWORD = "user_reset_password", "重置用户密码"
    PASSWORD_CHANGE = "password_change", "修改本人密码"


class AuditEvent(models.Model):
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    action = models.CharField("操作", max_length=32, choices=AuditAction.choices)
    detail = models.TextField("内容")

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_action_display()}"


class DataVersion(models.Model):
    """One row: see dangjian/core/version.py."""

    value = models.BigIntegerField("数据版本", default=0)

    class Meta:
        verbose_name = "数据版本"
        verbose_name_plural = "数据版本"

    def __str__(self) -> str:
        return str(self.value)
