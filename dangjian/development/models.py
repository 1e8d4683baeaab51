"""The development of Party members before admission (POLICY 四.3; 发展党员工作细则 2014):
入党申请人 → 入党积极分子 → 发展对象, each step dated — the `applicants` kind of CONTRACT.md,
read by rules DEV-TALK and DEV-ACTIVIST-TIME (`dangjian.compliance.rules.development`).
Admission as a probationary member is the person's `Membership` (`people`); its extended
probation is `Membership.probation_extended_to` (rule DEV-PROBATION-OVERDUE)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from dangjian.lib.history import HistoricalRecords


class ApplicantStatus(models.TextChoices):
    DEVELOPING = "developing", "培养中"
    ADMITTED = "admitted", "已接收为预备党员"
    STOPPED = "stopped", "已停止培养"


class Stage(models.TextChoices):
    """Where an applicant stands (GLOSSARY: stage applicant / activist / candidate)."""

    APPLICANT = "applicant", "入党申请人"
    ACTIVIST = "activist", "入党积极分子"
    CANDIDATE = "candidate", "发展对象"


class Applicant(models.Model):
    """A person who applied to join the Party, and how far their development went (one row
    of the `applicants` kind; key: the person — one record per person)."""

    person = models.OneToOneField(
        "people.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="applicant"
    )
    party_org = models.ForeignKey(
        "partyorgs.PartyOrganization",
        verbose_name="培养党组织",
        on_delete=models.PROTECT,
        related_name="applicants",
    )
    applied_on = models.DateField("入党申请日期")
    talked_on = models.DateField("谈话日期", null=True, blank=True)
    activist_on = models.DateField("确定入党积极分子日期", null=True, blank=True)
    candidate_on = models.DateField("确定发展对象日期", null=True, blank=True)
    status = models.CharField(
        "培养状态",
        max_length=16,
        choices=ApplicantStatus.choices,
        default=ApplicantStatus.DEVELOPING,
    )
    status_changed_on = models.DateField("状态变更日期", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "入党申请人"
        verbose_name_plural = "入党申请人"
        ordering = ["-applied_on", "person"]
        indexes = [models.Index(fields=["party_org", "status"], name="applicant_party_org")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ApplicantStatus.values),
                name="applicant_status_known",
                violation_error_message="培养状态不在可选范围内",
            ),
            models.CheckConstraint(
                condition=Q(talked_on__isnull=True) | Q(talked_on__gte=F("applied_on")),
                name="applicant_talk_after_application",
                violation_error_message="谈话日期不能早于入党申请日期",
            ),
            models.CheckConstraint(
                condition=Q(activist_on__isnull=True) | Q(activist_on__gte=F("applied_on")),
                name="applicant_activist_after_application",
                violation_error_message="确定入党积极分子日期不能早于入党申请日期",
            ),
            models.CheckConstraint(
                condition=Q(candidate_on__isnull=True)
                | Q(activist_on__isnull=False, candidate_on__gte=F("activist_on")),
                name="applicant_candidate_after_activist",
                violation_error_message="确定发展对象日期须有确定入党积极分子日期，且不能早于它",
            ),
            models.CheckConstraint(
                condition=Q(status=ApplicantStatus.DEVELOPING, status_changed_on__isnull=True)
                | (~Q(status=ApplicantStatus.DEVELOPING) & Q(status_changed_on__isnull=False)),
                name="applicant_status_changed_on",
                violation_error_message="培养状态不是培养中时须填写状态变更日期，培养中时不填写",
            ),
        ]

    def __str__(self) -> str:
        return f"入党申请（{self.applied_on}）"

    def stage(self) -> str:
        """How far the development went: 发展对象, 入党积极分子 or 入党申请人."""
        if self.candidate_on is not None:
            return Stage.CANDIDATE
        if self.activist_on is not None:
            return Stage.ACTIVIST
        return Stage.APPLICANT

    def developing_on(self, on: dt.date) -> bool:
        """培养中 on D (CONTRACT.md): 培养状态 培养中, or its 状态变更日期 after D."""
        return developing_on(self.status, self.status_changed_on, on)

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        a = self.applied_on
        for name, label in (("talked_on", "谈话日期"), ("activist_on", "确定入党积极分子日期")):
            day = getattr(self, name)
            if a and day and day < a:
                errors[name] = ValidationError(
                    "%(label)s「%(d)s」早于入党申请日期「%(a)s」",
                    params={"label": label, "d": day, "a": a},
                )
        if self.candidate_on and self.activist_on is None:
            errors["candidate_on"] = ValidationError(
                "确定发展对象日期「%(d)s」须有确定入党积极分子日期", params={"d": self.candidate_on}
            )
        elif self.candidate_on and self.activist_on and self.candidate_on < self.activist_on:
            errors["candidate_on"] = ValidationError(
                "确定发展对象日期「%(d)s」早于确定入党积极分子日期「%(a)s」",
                params={"d": self.candidate_on, "a": self.activist_on},
            )
        if self.status != ApplicantStatus.DEVELOPING and self.status_changed_on is None:
            errors["status_changed_on"] = ValidationError(
                "培养状态为「%(s)s」时须填写状态变更日期",
                params={"s": self.get_status_display()},
            )
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def developing_on_q(on: dt.date, prefix: str = "") -> Q:
        """`developing_on` as SQL."""
        return Q(**{f"{prefix}status": ApplicantStatus.DEVELOPING}) | Q(
            **{f"{prefix}status_changed_on__gt": on}
        )


def developing_on(status: str, status_changed_on: dt.date | None, on: dt.date) -> bool:
    """培养中 on D: 培养状态 培养中, or its 状态变更日期 after D (CONTRACT.md)."""
    return status == ApplicantStatus.DEVELOPING or (
        status_changed_on is not None and status_changed_on > on
    )
