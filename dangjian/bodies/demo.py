"""The work bodies' demo records (POLICY 二.1, 2.3; docs/bodies.md): a 社会组织党建工作机构
per district (and a park's in a couple of districts) with two to six staff, one or two
cadres in charge per township, and contact points (联系点) of member units' leaders for a
few dozen organizations of the city.

`work_bodies(ctx)` is pure: it draws from `ctx.rng` only and returns unsaved rows (the work
bodies' units, the bodies, their staff, the cadres, the contact points) for the generator
to insert in that order; it writes nothing itself."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from dangjian.areas.models import Unit, UnitKind
from dangjian.bodies.models import (
    ContactPoint,
    TownshipCadre,
    WorkBody,
    WorkBodyKind,
    WorkBodyStaff,
)
from dangjian.demo.base import DEMO_TODAY, date_between, share
from dangjian.demo.context import CityContext
from dangjian.demo.names import GIVEN_FEMALE, GIVEN_MALE, SURNAMES

PARKS = ("高新技术产业开发区", "经济技术开发区", "临空经济示范区", "工业园区")
BODY_POSTS = ("主任", "副主任", "专职副书记", "组织干事", "宣传干事", "综合干事")
CADRE_POSTS = ("党工委副书记", "党工委委员、组织委员", "组织干事", "党建办主任")
LEADER_POSTS = ("局长", "副局长", "党组书记", "党组成员、副局长", "主任", "副主任")
ESTABLISHED = (dt.date(2012, 1, 1), dt.date(2016, 12, 31))
CONTACT_POINTS = (24, 48)  # contact points per city, at most one per organization


@dataclass
class BodiesRows:
    """One city's rows of the work bodies, in the order they are inserted."""

    units: list[Unit] = field(default_factory=list)
    work_bodies: list[WorkBody] = field(default_factory=list)
    staff: list[WorkBodyStaff] = field(default_factory=list)
    cadres: list[TownshipCadre] = field(default_factory=list)
    contact_points: list[ContactPoint] = field(default_factory=list)


def _name(rng: Any) -> str:
    given = GIVEN_MALE if share(rng, 0.55) else GIVEN_FEMALE
    return rng.choice(SURNAMES) + "".join(rng.choice(given) for _ in range(rng.randint(1, 2)))


def _people(
    rng: Any, n: int, posts: tuple[str, ...], since: dt.date, full: float
) -> list[tuple[str, str, bool, dt.date, dt.date | None]]:
    """n officials (name, post, full time, start, end): a few left and were replaced."""
    out: list[tuple[str, str, bool, dt.date, dt.date | None]] = []
    for i in range(n):
        started = date_between(rng, since, DEMO_TODAY - dt.timedelta(days=30))
        post = posts[0] if i == 0 else rng.choice(posts[1:])
        ended = None
        if share(rng, 0.15):  # one who left, with a successor from the next day
            ended = date_between(rng, started, DEMO_TODAY - dt.timedelta(days=1))
            out.append((_name(rng), post, share(rng, full), started, ended))
            started = ended
        out.append((_name(rng), post, share(rng, full), started, None))
    return out


def work_bodies(ctx: CityContext) -> BodiesRows:
    """The city's work bodies, their staff, township cadres and contact points (unsaved).
    A unit's name is unique nationally: where a district's name is already a unit's
    (`ctx.demo.units`: 鼓楼区 is in several cities), the city's name goes before it."""
    rng, city = ctx.rng, ctx.city
    rows = BodiesRows()
    taken = ctx.demo.units

    def unique(name: str) -> str:
        return name if name not in taken else f"{city.name}{name}"

    parks = set(rng.sample(range(len(city.districts)), min(2, len(city.districts))))
    for i, district in enumerate(city.districts):
        kinds = [(WorkBodyKind.DISTRICT, f"{district.name}社会组织党建工作办公室")]
        if i in parks:
            park = f"{district.name}{rng.choice(PARKS)}社会组织党建工作站"
            kinds.append((WorkBodyKind.PARK, park))
        for kind, name in kinds:
            unit = Unit(name=unique(name), kind=UnitKind.WORK_BODY, area_id=district.pk)
            established = date_between(rng, *ESTABLISHED)
            body = WorkBody(unit=unit, kind=kind, established_on=established)
            rows.units.append(unit)
            rows.work_bodies.append(body)
            for name_, post, full, started, ended in _people(
                rng, rng.randint(2, 6), BODY_POSTS, established, 0.6
            ):
                rows.staff.append(
                    WorkBodyStaff(
                        body=body,
                        name=name_,
                        post=post,
                        full_time=full,
                        started_on=started,
                        ended_on=ended,
                    )
                )
        for township in district.townships:
            for name_, post, full, started, ended in _people(
                rng, rng.randint(1, 2), CADRE_POSTS, dt.date(2015, 1, 1), 0.3
            ):
                rows.cadres.append(
                    TownshipCadre(
                        township_id=township.pk,
                        name=name_,
                        post=post,
                        full_time=full,
                        started_on=started,
                        ended_on=ended,
                    )
                )
    units = [u for u in ctx.rows.units if u.kind in (UnitKind.SUPERVISORY, UnitKind.CIVIL_AFFAIRS)]
    orgs = [o for o in ctx.rows.orgs if o.status == "active"]
    if units and orgs:
        followed = rng.sample(orgs, min(len(orgs), rng.randint(*CONTACT_POINTS)))
        for org in followed:
            started = date_between(rng, max(org.registered_on, dt.date(2016, 1, 1)), DEMO_TODAY)
            rows.contact_points.append(
                ContactPoint(
                    unit=rng.choice(units),
                    leader_name=_name(rng),
                    leader_post=rng.choice(LEADER_POSTS),
                    org=org,
                    started_on=started,
                )
            )
    return rows
