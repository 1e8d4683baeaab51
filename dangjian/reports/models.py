"""Saved joint-planner proposals, to turn into real joint Party organizations later."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class JointProposal(models.Model):
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="生成人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="joint_proposals",
    )
    as_of = models.DateField("数据日期")
    area = models.CharField("区划代码", max_length=12, blank=True)
    policy_version = models.CharField("政策设置版本", max_length=40)
    plan = models.JSONField("方案")

    class Meta:
        verbose_name = "联合党组织组建方案"
        verbose_name_plural = "联合党组织组建方案"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"方案#{self.pk}（{self.as_of}，{len(self.plan.get('groups', []))}个联合党组织）"
