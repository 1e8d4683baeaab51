"""The people's demo records: the people of each organization (its leader, its Party
members — formal, probationary, departed — and other staff) with their employments and
memberships, and `draw_person`, which the other apps use for the people they need
(committee members, instructors). `dangjian.demo` calls `staff` for every organization
right after `dangjian.orgs.demo.organizations`."""

from __future__ import annotations

import datetime as dt

from dangjian.demo.base import DEMO_TODAY, add_years, date_between, share
from dangjian.demo.context import CityContext, Member, Org
from dangjian.demo.names import GIVEN_FEMALE, GIVEN_MALE, SURNAMES
from dangjian.lib.codes import make_id_number
from dangjian.orgs.models import Industry, OrgKind
from dangjian.partyorgs.models import PartyOrganization
from dangjian.people.models import Employment, Membership, Person, PoliticalStatus, Position


def draw_person(
    ctx: CityContext,
    local: str,
    *,
    born: tuple[int, int, int],
    status: str = PoliticalStatus.MASSES,
) -> Person:
    """A person born in the years `born` (earliest, latest, most common), half of them in
    `local` (a district's code), with an identity number valid for the birth year and not
    yet in use."""
    rng = ctx.rng
    low, high, mode = born
    year = int(rng.triangular(low, high + 1, mode))
    year = min(max(year, low), high)
    birth = date_between(rng, dt.date(year, 1, 1), dt.date(year, 12, 31))
    male = share(rng, 0.52)
    region = ctx.regions.pick(rng, year, local)
    used = ctx.demo.used_ids.setdefault((region, birth), set())
    for _ in range(20):
        seq = rng.randrange(500) * 2 + (1 if male else 0)
        if seq not in used:
            break
    else:  # that day of that region is (nearly) full: draw another person
        return draw_person(ctx, local, born=born, status=status)
    used.add(seq)
    number = make_id_number(f"{region}{birth:%Y%m%d}{seq:03d}")
    surname = rng.choice(SURNAMES)
    chars = GIVEN_MALE if male else GIVEN_FEMALE
    given = rng.choice(chars) + (rng.choice(chars) if share(rng, 0.7) else "")
    return Person.build(name=surname + given, id_number=number, political_status=status)


def draw_member(
    ctx: CityContext,
    local: str,
    *,
    born: tuple[int, int, int],
    joined_at: tuple[int, int],
    relation: PartyOrganization,
) -> Person:
    """A formal Party member outside any organization (a township cadre, an instructor),
    drawn as `draw_person` draws, who joined at an age of `joined_at` (youngest, years more
    at most) and was confirmed a year later, their relation held by `relation`."""
    person = draw_person(ctx, local, born=born, status=PoliticalStatus.MEMBER)
    youngest, spread = joined_at
    joined = add_years(person.birth_date, youngest + ctx.rng.randint(0, spread))
    ctx.rows.people.append(person)
    ctx.rows.memberships.append(
        Membership(
            person=person,
            joined_on=joined,
            confirmed_on=add_years(joined, 1),
            relation_party_org=relation,
        )
    )
    return person


def staff(ctx: CityContext, org: Org) -> None:
    """The leader, the Party members (formal, probationary, departed) and other staff."""
    rng, rows, today = ctx.rng, ctx.rows, DEMO_TODAY
    obj = org.obj
    local = org.township.district.code
    last_day = org.ended or today - dt.timedelta(days=1)

    def employ(person: Person, position: str, *, founder: bool = False) -> Employment:
        earliest = min(max(obj.registered_on, add_years(person.birth_date, 20)), last_day)
        start = earliest
        if not founder:  # staff come and go: most have been there a few years
            tenure = dt.timedelta(days=int(rng.expovariate(1 / 1800)))
            start = max(earliest, last_day - tenure)
        ended = org.ended  # nobody works for an organization that stopped
        employment = Employment(
            person=person, org=obj, position=position, started_on=start, ended_on=ended
        )
        rows.employments.append(employment)
        return employment

    def member(*, probationary: bool = False, departed: bool = False) -> Member:
        if probationary:
            person = draw_person(
                ctx,
                local,
                born=(1985, 2003, 1997),
                status=PoliticalStatus.PROBATIONARY,
            )
            overdue = share(rng, 0.05)
            days = rng.randint(460, 700) if overdue else rng.randint(20, 340)
            joined = today - dt.timedelta(days=days)
            confirmed = None
        else:
            # admitted while the organization was active: born early enough for that
            latest_birth = min(2003, last_day.year - 20)
            person = draw_person(
                ctx,
                local,
                born=(1950, latest_birth, min(1978, latest_birth)),
                status=PoliticalStatus.MEMBER,
            )
            age = 18 + min(int(rng.expovariate(1 / 7)), 40)
            joined = date_between(
                rng,
                add_years(person.birth_date, age),
                add_years(person.birth_date, age + 1),
            )
            joined = min(joined, last_day - dt.timedelta(days=400 + rng.randint(0, 300)))
            joined = max(joined, add_years(person.birth_date, 18))
            confirmed = add_years(joined, 1)
            if share(rng, 0.05):  # probation extended (延长预备期)
                confirmed += dt.timedelta(days=rng.randint(180, 365))
            confirmed = min(confirmed, today - dt.timedelta(days=1))
        membership = Membership(
            person=person, joined_on=joined, confirmed_on=confirmed, is_mobile=share(rng, 0.05)
        )
        rows.people.append(person)
        rows.memberships.append(membership)
        position = rng.choices(
            (Position.MANAGER, Position.SPECIALIST, Position.STAFF), weights=(3, 4, 3)
        )[0]
        employment = employ(person, position)
        if departed:
            start_limit = today - dt.timedelta(days=400)
            employment.started_on = min(employment.started_on or start_limit, start_limit)
            employment.started_on = max(employment.started_on, obj.registered_on)
            ended = date_between(rng, employment.started_on + dt.timedelta(days=30), last_day)
            employment.ended_on = max(min(ended, last_day), employment.started_on)
        return Member(person=person, membership=membership, employment=employment)

    n_formal = 0
    if org.category == 1:
        n_formal = 1 if share(rng, 0.6) else 2
    elif org.category == 2:
        r = rng.random()
        if r < 0.72:
            n_formal = 3 + min(int(rng.expovariate(1 / 2.2)), 6)
        elif r < 0.96:
            n_formal = int(10 * 4.9 ** rng.random())
        else:
            n_formal = int(50 * 3.0 ** rng.random())
    org.formal = [member() for _ in range(n_formal)]
    n_probationary = 0
    if share(rng, 0.03 if org.category == 0 else 0.18):
        n_probationary = 2 if org.category == 2 and share(rng, 0.3) else 1
    if org.active:  # nobody is admitted in an organization that stopped
        org.probationary = [member(probationary=True) for _ in range(n_probationary)]
    if share(rng, 0.10 if org.category else 0.02):
        org.departed = [member(departed=True)]

    if org.formal and share(rng, 0.45):  # the leader is a member (负责人是党员)
        leader = org.formal[0]
        leader.employment.position = Position.LEADER
        leader.employment.started_on = min(
            max(obj.registered_on, add_years(leader.person.birth_date, 20)), last_day
        )
    else:
        status = rng.choices(
            (
                PoliticalStatus.MASSES,
                PoliticalStatus.DEMOCRATIC_PARTY,
                PoliticalStatus.INDEPENDENT,
            ),
            weights=(90, 6, 4),
        )[0]
        leader_person = draw_person(ctx, local, born=(1950, 1995, 1972), status=status)
        rows.people.append(leader_person)
        employ(leader_person, Position.LEADER, founder=True)

    n_others = rng.choices((0, 1, 2, 3), weights=(35, 35, 20, 10))[0] + n_formal // 10
    for _ in range(n_others):
        person = draw_person(ctx, local, born=(1958, 2003, 1986))
        if person.birth_date.year >= 1996 and share(rng, 0.4):
            person.political_status = PoliticalStatus.LEAGUE
        elif share(rng, 0.04):
            person.political_status = PoliticalStatus.DEMOCRATIC_PARTY
        rows.people.append(person)
        position = rng.choices(
            (Position.MANAGER, Position.SPECIALIST, Position.STAFF, Position.INVESTOR),
            weights=(30, 35, 35, 3 if obj.kind == OrgKind.SERVICE_AGENCY else 0),
        )[0]
        employ(person, position)

    people = 1 + n_formal + len(org.probationary) + n_others
    staff = int(rng.lognormvariate(2.2, 0.75)) + 1
    if share(rng, 0.02):
        staff = rng.randint(100, 600)
    if obj.industry in (Industry.EDUCATION, Industry.HEALTH, Industry.ELDERLY):
        staff = int(staff * 1.8)
    if n_formal >= 10:
        staff = max(staff, int(n_formal * rng.uniform(1.5, 4.0)))
    obj.staff_count = max(staff, people + rng.randint(0, 3))
