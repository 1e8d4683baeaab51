"""The registry's live feed (issue 18 item 4; docs/feed.md): what civil affairs' registration
system sent — registration, change and deregistration events for organizations — and what
became of each.

`RegistryEvent` is one event as it arrived (key: the registry + its id): its type, its body
(the `orgs` columns it gave), a hash of both (a repeated delivery with the same body changes
nothing; another body under the same id is refused), and the outcome: applied (with the
fields it changed and the import batch that wrote it), unchanged, or refused (with the
errors, and nothing of it written)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangjian.lib.history import HistoricalRecords


class EventType(models.TextChoices):
    REGISTER = "register", "成立登记"
    CHANGE = "change", "变更登记"
    DEREGISTER = "deregister", "注销登记"


class Outcome(models.TextChoices):
    APPLIED = "applied", "已写入"
    UNCHANGED = "unchanged", "无变化"
    REFUSED = "refused", "已拒收"


class RegistryEvent(models.Model):
    registry = models.ForeignKey(
        "areas.Unit", verbose_name="登记管理机关", on_delete=models.PROTECT, related_name="+"
    )
    event_id = models.CharField("事件编号", max_length=64)
    type = models.CharField("事件类型", max_length=16, choices=EventType.choices)
    uscc = models.CharField("统一社会信用代码", max_length=40, blank=True, default="")
    body = models.JSONField("事件内容", default=dict)
    body_hash = models.CharField("内容摘要", max_length=64)
    outcome = models.CharField("处理结果", max_length=16, choices=Outcome.choices)
    changed = models.JSONField("变更的字段", default=list)
    errors = models.JSONField("拒收原因", default=list)
    batch = models.ForeignKey(
        "imports.ImportBatch", verbose_name="导入批次", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    received_at = models.DateTimeField("收到时间")
    deliveries = models.PositiveIntegerField("收到次数", default=1)
    last_delivered_at = models.DateTimeField("最近一次收到时间")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="推送账号", null=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    history = HistoricalRecords()

    class Meta:
        verbose_name = "登记事件"
        verbose_name_plural = "登记事件"
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["registry", "event_id"],
                name="registry_event_unique",
                violation_error_message="同一登记管理机关的事件编号不能重复",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id}（{self.get_type_display()}）"
