"""Reading dues for the pages (docs/dues.md, "## 页面"), always through the jurisdiction
gate: a branch's month (its members and their stored rows), a Party organization's yearly
ledger, a member's own history, and per area the dues collected (收缴), paid up (上缴) and
returned (返还, the 拨返 rate) with the funds by source. The amount due is computed from the
policy's brackets (`amounts.amount_due`), never stored. Each figure is set-based: a few
grouped queries over the jurisdiction, whatever the number of Party organizations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum

from dangjian.compliance.policy import Policy
from dangjian.dues.amounts import amount_due
from dangjian.dues.models import DuesPayment, DuesReturn, Fund, FundSource
from dangjian.people.models import Person

ZERO = Decimal("0.00")
SOURCES = FundSource.choices


def members_held(party_org: Any) -> list[Person]:
    """The people whose organizational relation the Party organization holds today."""
    return list(
        Person.objects.filter(membership__relation_party_org=party_org).order_by("name", "pk")
    )


def month_rows(people: list[Person], month: dt.date) -> dict[int, DuesPayment]:
    """The stored dues of `people` in `month` (person pk -> row)."""
    return {
        d.person_id: d
        for d in DuesPayment.objects.filter(person__in=[p.pk for p in people], month=month)
    }


def last_rows(people: list[Person], month: dt.date) -> dict[int, DuesPayment]:
    """Each person's latest dues before `month` (to prefill the category and base)."""
    out: dict[int, DuesPayment] = {}
    for d in DuesPayment.objects.filter(
        person__in=[p.pk for p in people], month__lt=month
    ).order_by("person_id", "-month"):
        out.setdefault(d.person_id, d)
    return out


def due(policy: Policy, row: DuesPayment) -> Decimal:
    return amount_due(policy, row.category, row.base)


LEDGER_MONTH = ("计缴基数", "应缴", "实缴")


def ledger_header(year: int) -> list[str]:
    head = ["姓名", "公民身份号码"]
    for m in range(1, 13):
        head += [f"{year}-{m:02d} {what}" for what in LEDGER_MONTH]
    return [*head, "全年应缴", "全年实缴"]


def ledger_rows(party_org: Any, year: int, policy: Policy) -> list[list[Any]]:
    """Per member whose relation the Party organization holds: each month's base, amount due
    and paid (blank for a month without a row), and the year's totals."""
    people = members_held(party_org)
    stored: dict[tuple[int, int], DuesPayment] = {
        (d.person_id, d.month.month): d
        for d in DuesPayment.objects.filter(person__in=[p.pk for p in people], month__year=year)
    }
    out = []
    for person in people:
        cells: list[Any] = [person.name, person.id_masked]
        total_due = total_paid = ZERO
        for m in range(1, 13):
            row = stored.get((person.pk, m))
            if row is None:
                cells += [None, None, None]
                continue
            owed = due(policy, row)
            total_due += owed
            total_paid += row.paid
            cells += [row.base, owed, row.paid]
        out.append([*cells, total_due, total_paid])
    return out


def history(person: Person, policy: Policy, limit: int = 24) -> list[dict[str, Any]]:
    """A member's own dues, latest first."""
    return [
        {"row": d, "due": due(policy, d)}
        for d in DuesPayment.objects.filter(person=person).order_by("-month")[:limit]
    ]


@dataclass
class AreaLine:
    name: str
    code: str
    party_orgs: int = 0
    collected: Decimal = ZERO  # 收缴: dues paid by the members in the year
    paid_up: Decimal = ZERO  # 上缴
    returned: Decimal = ZERO  # 返还
    funds: dict[str, Decimal] = field(default_factory=lambda: {k: ZERO for k, _ in SOURCES})

    @property
    def rate(self) -> float | None:
        """拨返率: returned / paid up."""
        return float(self.returned / self.paid_up) if self.paid_up else None

    @property
    def funds_total(self) -> Decimal:
        return sum(self.funds.values(), ZERO)


def by_area(party_orgs: QuerySet[Any], year: int, children: list[Any]) -> list[AreaLine]:
    """The year's figures of the Party organizations `party_orgs`, summed by child area
    (each Party organization counted where its township lies; rows of Party organizations in
    none of the children are left out). Members' dues count at the Party organization that
    holds their relation today."""
    paths = dict(party_orgs.values_list("pk", "township__path"))
    within = party_orgs.values("pk")
    collected = dict(
        DuesPayment.objects.filter(
            person__membership__relation_party_org__in=within, month__year=year
        )
        .order_by()
        .values_list("person__membership__relation_party_org")
        .annotate(total=Sum("paid"))
        .values_list("person__membership__relation_party_org", "total")
    )
    returns = {
        pk: (up, back)
        for pk, up, back in DuesReturn.objects.filter(party_org__in=within, year=year)
        .order_by()
        .values_list("party_org")
        .annotate(up=Sum("paid_up"), back=Sum("returned"))
        .values_list("party_org", "up", "back")
    }
    funds: dict[int, dict[str, Decimal]] = {}
    for pk, source, total in (
        Fund.objects.filter(party_org__in=within, year=year)
        .order_by()
        .values_list("party_org", "source")
        .annotate(total=Sum("amount"))
        .values_list("party_org", "source", "total")
    ):
        funds.setdefault(pk, {})[source] = total
    lines = {child.path: AreaLine(child.name, child.code) for child in children}
    for pk, path in paths.items():
        # The child whose path begins the township's path (/430000/430100/430102/…/).
        parts = (path or "").strip("/").split("/")
        line = next(
            (lines[p] for i in range(1, len(parts) + 1)
             if (p := "/" + "/".join(parts[:i]) + "/") in lines),
            None,
        )  # fmt: skip
        if line is None:
            continue
        line.party_orgs += 1
        line.collected += collected.get(pk) or ZERO
        up, back = returns.get(pk, (None, None))
        line.paid_up += up or ZERO
        line.returned += back or ZERO
        for source, total in funds.get(pk, {}).items():
            line.funds[source] += total or ZERO
    return list(lines.values())
