"""The demo's dues and funds (docs/demo-data.md, "Dues and funds"; issue 17 item 5).

- **Dues**: a year of dues, 2025-12 to 2026-11 (the as-of date's month paid by about 60%
  so far), of every member whose relation a Party organization of the system holds, from
  the month they joined: 在职 with a base drawn around 4,500 yuan a month after tax (raised
  in January for half of them), 离退休 (born before 1965) around 4,000, 失业或低保 for some
  who left their organization; the amount due from the brackets of the policy settings
  (`dangjian.dues.amounts`), mostly paid in full in the month, 8% a quarter at a time,
  2% short in some months; 1.2% stopped paying in 2026-02 … 2026-05 (rule MEM-DUES-LAPSE),
  their later months missing or recorded as 0.
- **Returns** (党费上缴与拨返) for 2024 and 2025 of every Party organization of a social
  organization that holds relations: paid up about twelve times its members' monthly dues,
  returned in full in the first quarter of the next year, except a few short or not yet
  returned (rule FUN-DUES-RETURN).
- **Funds** by source for 2025 and 2026 of those Party organizations: 税前列支 60%,
  党费扶持 40%, 财政预算 15%, 捐助 10%, amounts growing with the members.

Drawn after every earlier table, from the city's random sequence. The dues rows are kept as
tuples (a city holds hundreds of thousands) and inserted as such
(`dangjian.demo.generator.save`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dangjian.compliance.policy import in_force as load_policy
from dangjian.demo.base import DEMO_TODAY, share
from dangjian.demo.context import CityContext, Org
from dangjian.dues.amounts import amount_due
from dangjian.dues.models import DuesCategory, DuesReturn, Fund, FundSource
from dangjian.partyorgs.models import SOCIAL_ORG_FORMS, PartyOrganization
from dangjian.people.models import Person

# (person, month, category, base, paid, paid_on): one row of `DuesPayment`, unsaved
DuesRow = tuple[Person, dt.date, str, Decimal | None, Decimal, dt.date | None]

FIRST_MONTH = dt.date(2025, 12, 1)
CENT = Decimal("0.01")


def year_months() -> list[dt.date]:
    months, day = [], FIRST_MONTH
    while day <= DEMO_TODAY:
        months.append(day)
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(CENT)


def dues(ctx: CityContext, orgs: list[Org]) -> None:
    rng, rows = ctx.rng, ctx.rows
    policy = load_policy()
    months = year_months()
    left = {id(m.person) for o in orgs for m in o.departed}
    held: dict[int, list[Decimal]] = {}  # id(Party organization) → its members' dues of a month
    for membership in rows.memberships:
        po = membership.relation_party_org
        joined = membership.joined_on
        if po is None or joined is None or joined > DEMO_TODAY:
            continue
        person = membership.person
        base: Decimal | None
        if person.birth_date.year < 1965:
            category = DuesCategory.RETIRED
            base = _money(min(max(rng.lognormvariate(8.3, 0.3), 1800), 15000))
        elif id(person) in left and share(rng, 0.4):
            category, base = DuesCategory.UNEMPLOYED, None
        else:
            category = DuesCategory.EMPLOYED
            base = _money(min(max(rng.lognormvariate(8.4, 0.45), 1500), 60000))
        if base is not None and share(rng, 0.7):
            base = base.quantize(Decimal(1))
        raised = base is not None and share(rng, 0.5)
        raise_by = Decimal(str(round(rng.uniform(1.01, 1.08), 2)))
        quarterly = share(rng, 0.08)
        short = share(rng, 0.02)
        lapse_from = months[rng.randint(2, 5)] if share(rng, 0.012) else None
        lapse_zero = share(rng, 0.3)
        paid_now = share(rng, 0.6)
        held.setdefault(id(po), [])
        for month in months:
            if month < joined.replace(day=1):
                continue
            b = base
            if b is not None and raised and month.year == 2026:
                b = (b * raise_by).quantize(CENT)
            due = amount_due(policy, category, b)
            if month == FIRST_MONTH:
                held[id(po)].append(due)
            if month.year == DEMO_TODAY.year and month.month == DEMO_TODAY.month and not paid_now:
                continue
            if lapse_from is not None and month >= lapse_from:
                if lapse_zero:
                    rows.dues.append((person, month, category, b, Decimal("0.00"), None))
                continue
            paid = due
            if short and share(rng, 0.4):
                paid = (due * Decimal(str(rng.choice((0.5, 0.6, 0.8))))).quantize(CENT)
            if quarterly:
                first = month.replace(month=(month.month - 1) // 3 * 3 + 1)
                paid_on = max(first, joined) + dt.timedelta(days=9)
            else:
                paid_on = month + dt.timedelta(days=rng.randint(2, 24))
            paid_on = min(paid_on, DEMO_TODAY - dt.timedelta(days=1))
            rows.dues.append((person, month, category, b, paid, paid_on if paid > 0 else None))
    returns_and_funds(ctx, held)


def returns_and_funds(ctx: CityContext, held: dict[int, list[Decimal]]) -> None:
    rng, rows = ctx.rng, ctx.rows
    party_orgs: list[PartyOrganization] = [
        po for po in rows.territorial + rows.party_orgs if po.form in SOCIAL_ORG_FORMS
    ]
    for po in party_orgs:
        monthly = sum(held.get(id(po), ()), Decimal(0))
        members = len(held.get(id(po), ()))
        for year in (2024, 2025):
            if po.founded_on.year > year or (po.dissolved_on and po.dissolved_on.year <= year):
                continue
            if members:
                paid_up = (monthly * 12 * Decimal(str(round(rng.uniform(0.92, 1.0), 3)))).quantize(
                    CENT
                )
                returned = paid_up
                returned_on: dt.date | None = dt.date(
                    year + 1, rng.randint(1, 3), rng.randint(1, 28)
                )
                r = rng.random()
                if r < (0.04 if year == 2025 else 0.01):  # short
                    returned = (paid_up * Decimal(str(rng.choice((0.5, 0.7, 0.9))))).quantize(CENT)
                elif r < (0.07 if year == 2025 else 0.015):  # not yet
                    returned, returned_on = Decimal("0.00"), None
                if returned == 0:
                    returned_on = None
                rows.dues_returns.append(DuesReturn(party_org=po, year=year, paid_up=paid_up,
                                                    returned=returned, returned_on=returned_on))  # fmt: skip
        for year in (2025, 2026):
            if po.founded_on.year > year or (po.dissolved_on and po.dissolved_on.year <= year):
                continue
            scale = 1 + members / 10
            for source, p, low, high in (
                (FundSource.PRETAX, 0.6, 2000, 30000),
                (FundSource.DUES_SUPPORT, 0.4, 500, 5000),
                (FundSource.BUDGET, 0.15, 1000, 10000),
                (FundSource.DONATION, 0.1, 500, 20000),
            ):
                if share(rng, p):
                    amount = Decimal(int(rng.uniform(low, high) * min(scale, 5) / 100) * 100)
                    rows.funds.append(Fund(party_org=po, year=year, source=source, amount=amount))
