"""Dissolving a Party organization (撤销党组织, POLICY 三.3; docs/dissolutions.md).

A case is proposed (提请) by the Party organization's secretary or an area officer — usually
from its DYN-DISSOLVE task — with the day of 撤销, the reason and, for every member whose
organizational relation it holds, where that relation goes (a known Party organization or one
outside the system). The level above decides: on approval the Party organization is written
as dissolved (a one-row import of the `party-orgs` kind) and one transfer is opened for each
member (the `transfers` kind), in one transaction, so that nobody is left without an
organizational relation; on refusal nothing changes. Every step is in the case's history."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from dangjian.lib.history import HistoricalRecords


class DissolutionState(models.TextChoices):
    PROPOSED = "proposed", "待审批"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "未批准"


class Dissolution(models.Model):
    """One case: a proposal to dissolve a Party organization, and its decision."""

    party_org = models.ForeignKey(
        "partyorgs.PartyOrganization",
        verbose_name="党组织",
        on_delete=models.PROTECT,
        related_name="dissolutions",
    )
    dissolved_on = models.DateField("撤销日期")
    reason = models.TextField("撤销原因", max_length=1000)
    state = models.CharField(
        "状态", max_length=16, choices=DissolutionState.choices, default=DissolutionState.PROPOSED
    )
    task = models.ForeignKey(
        "tasks.Task",
        verbose_name="来源待办",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提请人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposed_at = models.DateTimeField("提请时间", default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    opinion = models.TextField("审批意见", max_length=1000, blank=True, default="")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "撤销党组织"
        verbose_name_plural = "撤销党组织"
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["party_org"],
                condition=Q(state="proposed"),
                name="dissolution_one_pending",
                violation_error_message="该党组织已有一件待审批的撤销申请",
            ),
            models.CheckConstraint(
                condition=Q(state__in=DissolutionState.values),
                name="dissolution_state_known",
                violation_error_message="状态不在可选范围内",
            ),
        ]

    def __str__(self) -> str:
        return f"撤销党组织（{self.dissolved_on}）"

    def clean(self) -> None:
        if not (self.reason or "").strip():
            raise ValidationError({"reason": "撤销原因必填"})


class Destination(models.Model):
    """Where one member's relation goes when the case is approved, and the transfer opened."""

    dissolution = models.ForeignKey(
        Dissolution, verbose_name="撤销申请", on_delete=models.CASCADE, related_name="destinations"
    )
    person = models.ForeignKey(
        "people.Person", verbose_name="党员", on_delete=models.PROTECT, related_name="+"
    )
    to_party_org = models.ForeignKey(
        "partyorgs.PartyOrganization",
        verbose_name="转入党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_name = models.CharField("转入党组织名称", max_length=200, blank=True, default="")
    transfer = models.ForeignKey(
        "transfers.Transfer",
        verbose_name="组织关系转接",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "撤销党组织的党员去向"
        verbose_name_plural = "撤销党组织的党员去向"
        ordering = ["dissolution", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dissolution", "person"],
                name="dissolution_destination_unique",
                violation_error_message="同一党员只能填写一个去向",
            ),
            models.CheckConstraint(
                condition=(Q(to_party_org__isnull=False) & Q(to_name=""))
                | (Q(to_party_org__isnull=True) & ~Q(to_name="")),
                name="dissolution_one_destination",
                violation_error_message="转入党组织编码与转入党组织名称须填写且只填写其中一项",
            ),
        ]

    def __str__(self) -> str:
        return f"党员去向（{self.destination}）"

    @property
    def destination(self) -> str:
        return self.to_party_org.name if self.to_party_org is not None else self.to_name
