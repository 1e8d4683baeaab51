"""Dues and funds (POLICY 六.1; the `dues` and `dues-returns` kinds of CONTRACT.md;
docs/dues.md).

- `DuesPayment`: one member's dues for one month (key: person + month). The amount due
  (应缴金额) is never stored: it is computed from the category and base by the brackets of
  the policy settings (`dangjian.dues.amounts`), so a revision of the brackets shows at once.
- `DuesReturn`: what a social organization's Party organization paid up (上缴) in a year and
  what was returned to it (拨返; key: Party organization + year) — rule FUN-DUES-RETURN.
- `Fund`: a Party organization's funds of a year by source (财政预算 / 税前列支 / 党费扶持 /
  捐助; key: Party organization + year + source), summed per area."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from dangjian.lib.history import HistoricalRecords


class DuesCategory(models.TextChoices):
    EMPLOYED = "employed", "在职"
    RETIRED = "retired", "离退休"
    STUDENT = "student", "学生"
    UNEMPLOYED = "unemployed", "失业或低保"


# The categories whose amount due is a share of a base (the others pay a flat amount).
CATEGORIES_WITH_BASE = (DuesCategory.EMPLOYED, DuesCategory.RETIRED)


class DuesPayment(models.Model):
    """One member's dues for one month (`month` is the month's first day)."""

    person = models.ForeignKey(
        "people.Person", verbose_name="党员", on_delete=models.PROTECT, related_name="dues"
    )
    month = models.DateField("月份")
    category = models.CharField("人员类别", max_length=16, choices=DuesCategory.choices)
    base = models.DecimalField("计缴基数", null=True, blank=True, max_digits=14, decimal_places=2)
    paid = models.DecimalField("实缴金额", max_digits=14, decimal_places=2)
    paid_on = models.DateField("缴纳日期", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "党费缴纳"
        verbose_name_plural = "党费缴纳"
        ordering = ["person", "month"]
        indexes = [models.Index(fields=["month", "person"], name="dues_month_person")]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "month"],
                name="dues_person_month_unique",
                violation_error_message="同一党员同一月份只能有一条党费记录",
            ),
            models.CheckConstraint(
                condition=Q(month__day=1),
                name="dues_month_first_day",
                violation_error_message="月份须记为该月第一天",
            ),
            models.CheckConstraint(
                condition=Q(category__in=DuesCategory.values),
                name="dues_category_known",
                violation_error_message="人员类别不在可选范围内",
            ),
            models.CheckConstraint(
                condition=(
                    Q(category__in=CATEGORIES_WITH_BASE) & Q(base__isnull=False, base__gte=0)
                )
                | (~Q(category__in=CATEGORIES_WITH_BASE) & Q(base__isnull=True)),
                name="dues_base_by_category",
                violation_error_message="在职、离退休人员须填写计缴基数，学生、失业或低保人员不填写",
            ),
            models.CheckConstraint(
                condition=Q(paid__gte=0),
                name="dues_paid_not_negative",
                violation_error_message="实缴金额不能为负数",
            ),
            models.CheckConstraint(
                condition=Q(paid=0) | Q(paid_on__isnull=False),
                name="dues_paid_on_when_paid",
                violation_error_message="实缴金额大于0时须填写缴纳日期",
            ),
        ]

    def __str__(self) -> str:
        return f"党费（{self.month:%Y-%m}）"

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        if self.month and self.month.day != 1:
            errors["month"] = ValidationError("月份须记为该月第一天")
        if self.category in CATEGORIES_WITH_BASE and self.base is None:
            errors["base"] = ValidationError("在职、离退休人员须填写计缴基数")
        if self.category and self.category not in CATEGORIES_WITH_BASE and self.base is not None:
            errors["base"] = ValidationError("学生、失业或低保人员不填写计缴基数")
        if self.paid is not None and self.paid > 0 and self.paid_on is None:
            errors["paid_on"] = ValidationError("实缴金额大于0时须填写缴纳日期")
        if errors:
            raise ValidationError(errors)


class DuesReturn(models.Model):
    """党费上缴与拨返 of one Party organization of a social organization in one year."""

    party_org = models.ForeignKey(
        "partyorgs.PartyOrganization",
        verbose_name="党组织",
        on_delete=models.PROTECT,
        related_name="dues_returns",
    )
    year = models.PositiveSmallIntegerField("年度")
    paid_up = models.DecimalField("上缴金额", max_digits=14, decimal_places=2)
    returned = models.DecimalField("返还金额", max_digits=14, decimal_places=2)
    returned_on = models.DateField("返还日期", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "党费上缴与拨返"
        verbose_name_plural = "党费上缴与拨返"
        ordering = ["party_org", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["party_org", "year"],
                name="dues_return_party_org_year_unique",
                violation_error_message="同一党组织同一年度只能有一条党费上缴与拨返记录",
            ),
            models.CheckConstraint(
                condition=Q(paid_up__gte=0) & Q(returned__gte=0),
                name="dues_return_not_negative",
                violation_error_message="上缴金额、返还金额不能为负数",
            ),
            models.CheckConstraint(
                condition=Q(returned=0) | Q(returned_on__isnull=False),
                name="dues_return_returned_on",
                violation_error_message="返还金额大于0时须填写返还日期",
            ),
        ]

    def __str__(self) -> str:
        return f"党费上缴与拨返（{self.year}年）"


class FundSource(models.TextChoices):
    BUDGET = "budget", "财政预算"
    PRETAX = "pretax", "税前列支"
    DUES_SUPPORT = "dues_support", "党费扶持"
    DONATION = "donation", "捐助"


class Fund(models.Model):
    """A Party organization's funds of one year from one source (POLICY 六.1)."""

    party_org = models.ForeignKey(
        "partyorgs.PartyOrganization",
        verbose_name="党组织",
        on_delete=models.PROTECT,
        related_name="funds",
    )
    year = models.PositiveSmallIntegerField("年度")
    source = models.CharField("经费来源", max_length=16, choices=FundSource.choices)
    amount = models.DecimalField("金额", max_digits=14, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "党建工作经费"
        verbose_name_plural = "党建工作经费"
        ordering = ["party_org", "year", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["party_org", "year", "source"],
                name="fund_party_org_year_source_unique",
                violation_error_message="同一党组织同一年度同一来源只能有一条经费记录",
            ),
            models.CheckConstraint(
                condition=Q(source__in=FundSource.values),
                name="fund_source_known",
                violation_error_message="经费来源不在可选范围内",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="fund_amount_not_negative",
                violation_error_message="金额不能为负数",
            ),
        ]

    def __str__(self) -> str:
        return f"党建工作经费（{self.year}年）"
