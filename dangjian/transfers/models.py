"""Transfers of a member's organizational relation (组织关系转接, POLICY 三.3; the `transfers`
kind of CONTRACT.md; docs/transfers.md). A transfer is issued (开出) by the Party organization
holding the relation to a known Party organization or to one outside the system (named
only), and is then received (接收, the relation moves there on 接收日期) or returned (退回,
with a reason). At most one transfer per member is open (办理中) at a time."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from dangjian.lib.history import HistoricalRecords


class TransferStatus(models.TextChoices):
    OPEN = "open", "办理中"
    RECEIVED = "received", "已接收"
    RETURNED = "returned", "已退回"


class Transfer(models.Model):
    """One transfer (key: the person + 开出日期)."""

    person = models.ForeignKey(
        "people.Person", verbose_name="党员", on_delete=models.PROTECT, related_name="transfers"
    )
    from_party_org = models.ForeignKey(
        "partyorgs.PartyOrganization",
        verbose_name="转出党组织",
        on_delete=models.PROTECT,
        related_name="transfers_out",
    )
    to_party_org = models.ForeignKey(
        "partyorgs.PartyOrganization",
        verbose_name="转入党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_in",
    )
    to_name = models.CharField("转入党组织名称", max_length=200, blank=True, default="")
    letter_no = models.CharField("介绍信编号", max_length=64, blank=True, default="")
    issued_on = models.DateField("开出日期")
    status = models.CharField(
        "状态", max_length=16, choices=TransferStatus.choices, default=TransferStatus.OPEN
    )
    received_on = models.DateField("接收日期", null=True, blank=True)
    returned_on = models.DateField("退回日期", null=True, blank=True)
    return_reason = models.CharField(
        "退回原因", max_length=500, blank=True, default="", db_default=""
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "组织关系转接"
        verbose_name_plural = "组织关系转接"
        ordering = ["-issued_on", "person"]
        indexes = [
            models.Index(fields=["from_party_org", "status"], name="transfer_from"),
            models.Index(fields=["to_party_org", "status"], name="transfer_to"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "issued_on"],
                name="transfer_person_issued_unique",
                violation_error_message="同一党员同一开出日期只能有一条转接记录",
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="open"),
                name="transfer_one_open_per_person",
                violation_error_message="该党员已有一条办理中的组织关系转接",
            ),
            models.CheckConstraint(
                condition=Q(status__in=TransferStatus.values),
                name="transfer_status_known",
                violation_error_message="状态不在可选范围内",
            ),
            models.CheckConstraint(
                condition=(Q(to_party_org__isnull=False) & Q(to_name=""))
                | (Q(to_party_org__isnull=True) & ~Q(to_name="")),
                name="transfer_one_destination",
                violation_error_message="转入党组织编码与转入党组织名称须填写且只填写其中一项",
            ),
            models.CheckConstraint(
                condition=(Q(status="received") & Q(received_on__isnull=False))
                | (~Q(status="received") & Q(received_on__isnull=True)),
                name="transfer_received_on",
                violation_error_message="状态为已接收时须填写接收日期，其他状态不填写",
            ),
            models.CheckConstraint(
                condition=Q(received_on__isnull=True) | Q(received_on__gte=F("issued_on")),
                name="transfer_received_after_issued",
                violation_error_message="接收日期不能早于开出日期",
            ),
            models.CheckConstraint(
                condition=Q(returned_on__isnull=True)
                | Q(status="returned", returned_on__gte=F("issued_on")),
                name="transfer_returned_on",
                violation_error_message="退回日期只用于已退回的转接，且不能早于开出日期",
            ),
        ]

    def __str__(self) -> str:
        return f"组织关系转接（{self.issued_on}）"

    @property
    def destination(self) -> str:
        """The receiving Party organization's name (known or outside the system)."""
        return self.to_party_org.name if self.to_party_org is not None else self.to_name

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        if bool(self.to_party_org_id) == bool(self.to_name):
            errors["to_name"] = ValidationError(
                "转入党组织编码与转入党组织名称须填写且只填写其中一项"
            )
        if self.status == TransferStatus.RECEIVED and self.received_on is None:
            errors["received_on"] = ValidationError("状态为「已接收」时必填")
        if self.received_on and self.issued_on and self.received_on < self.issued_on:
            errors["received_on"] = ValidationError(
                "接收日期「%(r)s」早于开出日期「%(i)s」",
                params={"r": self.received_on, "i": self.issued_on},
            )
        if self.returned_on and self.issued_on and self.returned_on < self.issued_on:
            errors["returned_on"] = ValidationError(
                "退回日期「%(r)s」早于开出日期「%(i)s」",
                params={"r": self.returned_on, "i": self.issued_on},
            )
        if errors:
            raise ValidationError(errors)
