"""The amount due (应缴金额) of a month's dues, from the brackets of the policy settings
(`dues_employed_rates`, `dues_retired_rates`, `dues_flat_amount`; CONTRACT.md `dues`):
在职 and 离退休 pay their bracket's rate of the base, 学生 and 失业或低保 the flat amount;
rounded half up to the fen. Never imported, never stored, never a literal here."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from dangjian.compliance.policy import Policy
from dangjian.dues.models import DuesCategory

FEN = Decimal("0.01")


def amount_due(policy: Policy, category: str, base: Decimal | None) -> Decimal:
    """The month's amount due of a member of `category` (a `DuesCategory` value) whose base
    is `base` (None for the categories without one)."""
    if category == DuesCategory.EMPLOYED or category == DuesCategory.RETIRED:
        if base is None:
            raise ValueError("a base is needed for the employed and the retired")
        name = "dues_employed_rates" if category == DuesCategory.EMPLOYED else "dues_retired_rates"
        rate = policy.brackets(name).rate(base)
        return (base * rate).quantize(FEN, rounding=ROUND_HALF_UP)
    if category in (DuesCategory.STUDENT, DuesCategory.UNEMPLOYED):
        return policy.decimal("dues_flat_amount").quantize(FEN, rounding=ROUND_HALF_UP)
    raise ValueError(f"unknown dues category {category!r}")
