"""双培 and 关怀帮扶 (POLICY 四.3; docs/care.md): "实施'双培'工程，把党员培养成为业务骨干，把
业务骨干培养成为党员" and "健全党内激励、关怀、帮扶机制……把社会组织中生活困难党员纳入各级党员
关怀帮扶基金的帮扶范围". Records a Party organization keeps, listed per area."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from dangjian.lib.history import HistoricalRecords


class Direction(models.TextChoices):
    TO_BACKBONE = "to_backbone", "把党员培养成业务骨干"
    TO_MEMBER = "to_member", "把业务骨干培养成党员"


class CultivationStatus(models.TextChoices):
    ONGOING = "ongoing", "培养中"
    ACHIEVED = "achieved", "已实现"
    STOPPED = "stopped", "已停止"


class Cultivation(models.Model):
    """One person cultivated under 双培 by a Party organization (key: person + direction +
    start)."""

    person = models.ForeignKey(
        "people.Person", verbose_name="培养对象", on_delete=models.PROTECT, related_name="+"
    )
    party_org = models.ForeignKey(
        "partyorgs.PartyOrganization",
        verbose_name="党组织",
        on_delete=models.PROTECT,
        related_name="cultivations",
    )
    direction = models.CharField("培养方向", max_length=16, choices=Direction.choices)
    started_on = models.DateField("开始培养日期")
    status = models.CharField(
        "培养状态", max_length=16, choices=CultivationStatus.choices, default="ongoing"
    )
    ended_on = models.DateField("实现或停止日期", null=True, blank=True)
    note = models.CharField("培养措施", max_length=300, blank=True, default="")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "双培"
        verbose_name_plural = "双培"
        ordering = ["-started_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "direction", "started_on"],
                name="cultivation_unique",
                violation_error_message="同一人同一培养方向同一开始日期只能有一条记录",
            ),
            models.CheckConstraint(
                condition=(Q(status="ongoing") & Q(ended_on__isnull=True))
                | (~Q(status="ongoing") & Q(ended_on__isnull=False, ended_on__gte=F("started_on"))),
                name="cultivation_ended_on",
                violation_error_message="已实现或已停止时须填写日期且不早于开始日期，培养中不填写",
            ),
        ]

    def __str__(self) -> str:
        return f"双培（{self.get_direction_display()}）"


class CareKind(models.TextChoices):
    LIVING = "living", "生活困难"
    ILLNESS = "illness", "患病"
    DISASTER = "disaster", "受灾或意外"
    OLD = "old", "年老体弱"
    OTHER = "other", "其他"


class CareRecord(models.Model):
    """One act of care for a member in difficulty (key: member + date)."""

    person = models.ForeignKey(
        "people.Person", verbose_name="党员", on_delete=models.PROTECT, related_name="+"
    )
    party_org = models.ForeignKey(
        "partyorgs.PartyOrganization",
        verbose_name="党组织",
        on_delete=models.PROTECT,
        related_name="care_records",
    )
    given_on = models.DateField("帮扶日期")
    kind = models.CharField("困难类型", max_length=16, choices=CareKind.choices)
    help = models.CharField("帮扶内容", max_length=300)
    amount = models.DecimalField(
        "帮扶金额(元)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    from_fund = models.BooleanField("纳入党员关怀帮扶基金", default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "关怀帮扶"
        verbose_name_plural = "关怀帮扶"
        ordering = ["-given_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "given_on"],
                name="care_unique",
                violation_error_message="同一党员同一日期只能有一条帮扶记录",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="care_amount_not_negative",
                violation_error_message="帮扶金额不能为负数",
            ),
        ]

    def __str__(self) -> str:
        return f"关怀帮扶（{self.given_on}）"

    def clean(self) -> None:
        if not (self.help or "").strip():
            raise ValidationError({"help": "必填：请写明帮扶内容"})
