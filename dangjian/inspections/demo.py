"""The demo's annual inspections and evaluations (docs/demo-data.md, "Inspections,
rectifications and venues"; issue 18 item 5).

- **Inspections** of 2024 and 2025 (inspected March to June of the next year) of every
  organization registered by then and still active on the inspection day: 合格 about 86%,
  基本合格 10%, 不合格 4%; the Party-building section left out by 14% in 2024 and 9% in 2025
  (rule DYN-INSPECTION: the latest year decides).
- **Evaluations** of about 15% of the organizations: one in 2021–2026, 1A–5A (3A and 4A the
  most), valid five years; Party building part of it in 80% of them, scored 60–100.

Drawn after every earlier table, from the city's random sequence."""

from __future__ import annotations

import datetime as dt

from dangjian.demo.base import DEMO_TODAY, add_years, date_between, share
from dangjian.demo.context import CityContext, Org
from dangjian.inspections.models import AnnualInspection, Evaluation

GRADES = ("1A", "2A", "3A", "4A", "5A")
GRADE_WEIGHTS = (4, 16, 40, 30, 10)


def inspections(ctx: CityContext, orgs: list[Org]) -> None:
    rng, rows = ctx.rng, ctx.rows
    for org in orgs:
        registered = org.obj.registered_on
        for year, lapse in ((2024, 0.14), (2025, 0.09)):
            if registered.year > year:
                continue
            day = date_between(rng, dt.date(year + 1, 3, 1), dt.date(year + 1, 6, 30))
            if day > DEMO_TODAY or (org.ended is not None and org.ended <= day):
                continue
            r = rng.random()
            result = "qualified" if r < 0.86 else "basic" if r < 0.96 else "unqualified"
            rows.inspections.append(
                AnnualInspection(org=org.obj, year=year, result=result,
                                 party_section=not share(rng, lapse), inspected_on=day)
            )  # fmt: skip
        if share(rng, 0.15) and registered.year <= 2024:
            day = date_between(rng, max(registered, dt.date(2021, 1, 1)), DEMO_TODAY)
            party = share(rng, 0.8)
            rows.evaluations.append(
                Evaluation(
                    org=org.obj, evaluated_on=day,
                    grade=rng.choices(GRADES, GRADE_WEIGHTS)[0],
                    valid_until=add_years(day, 5) - dt.timedelta(days=1),
                    party_section=party, party_score=rng.randint(60, 100) if party else None,
                )
            )  # fmt: skip
