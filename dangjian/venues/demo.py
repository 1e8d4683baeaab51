"""The demo's venues (docs/demo-data.md, "Inspections, rectifications and venues"; issue 18
item 5).

- **党群服务中心**: one per district (区党群服务中心) and one in about 40% of the townships,
  with address, floor area, capacity, opening hours and managing unit.
- **Venue checks** of about 88% of the active Party organizations of social organizations
  (单独组建, 联合组建, 功能型), checked in 2025 or 2026: 70% their own room, the others a
  centre of their district; each of the six items present in 92–98% of the checks (有书报
  the least; all six in about three checks of four), so that a realistic share lacks one
  or more (rule VEN-SIX), and a tenth of them checked twice, the later check better.

Drawn after every earlier table, from the city's random sequence."""

from __future__ import annotations

import datetime as dt

from dangjian.demo.base import DEMO_TODAY, date_between, share
from dangjian.demo.context import CityContext
from dangjian.partyorgs.models import COVERING_FORMS, PartyOrgStatus
from dangjian.venues.models import SIX_FIELDS, ServiceCentre, Venue

PRESENT = {
    "has_place": 0.98,
    "has_facilities": 0.96,
    "has_sign": 0.96,
    "has_flag": 0.97,
    "has_reading": 0.92,
    "has_rules": 0.95,
}  # fmt: skip  (all six: about 76%)
ROOMS = ("党员活动室", "党建活动室", "党员之家", "会议室（党员活动室）")


def venues(ctx: CityContext) -> None:
    rng, rows = ctx.rng, ctx.rows
    centres: dict[int, list[ServiceCentre]] = {}  # district pk -> its centres
    for district in ctx.city.districts:
        if not district.townships:
            continue
        first = district.townships[0]
        # a centre's name is unique nationally: with its city's and district's names
        prefix = f"{ctx.city.name}{district.name}"
        made = [_centre(ctx, f"{prefix}党群服务中心", first.pk, f"{district.name}委组织部")]
        for township in district.townships:
            if share(rng, 0.4):
                made.append(_centre(ctx, f"{prefix}{township.name}党群服务中心", township.pk,
                                    f"{township.name}党工委"))  # fmt: skip
        centres[district.pk] = made
        rows.service_centres += made
    district_of = {t.pk: d.pk for d in ctx.city.districts for t in d.townships}
    for po in rows.party_orgs:
        if po.form not in COVERING_FORMS or po.status != PartyOrgStatus.ACTIVE:
            continue
        if not share(rng, 0.88):
            continue
        start = max(po.founded_on, dt.date(2025, 1, 1))
        day = date_between(rng, start, DEMO_TODAY - dt.timedelta(days=1))
        near = centres.get(district_of.get(po.township_id, 0), [])
        centre = rng.choice(near) if near and share(rng, 0.3) else None
        name = centre.name if centre is not None else rng.choice(ROOMS)
        flags = {f: share(rng, PRESENT[f]) for f in SIX_FIELDS}
        rows.venues.append(Venue(party_org=po, checked_on=day, name=name, centre=centre, **flags))
        later = DEMO_TODAY - dt.timedelta(days=1)
        if share(rng, 0.1) and day < later:
            again = date_between(rng, day + dt.timedelta(days=1), later)
            better = {f: v or share(rng, 0.7) for f, v in flags.items()}
            rows.venues.append(
                Venue(party_org=po, checked_on=again, name=name, centre=centre, **better)
            )


def _centre(ctx: CityContext, name: str, township: int, unit: str) -> ServiceCentre:
    rng = ctx.rng
    return ServiceCentre(
        name=name, township_id=township, address=f"{name.removesuffix('党群服务中心')}便民服务大楼",
        floor_area=rng.randint(3, 30) * 100, capacity=rng.randint(5, 40) * 10,
        opening_hours=rng.choice(("周一至周五 9:00—17:30", "周一至周六 8:30—18:00")),
        managing_unit=unit,
    )  # fmt: skip
