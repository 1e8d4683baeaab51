"""The demo's development of Party members (docs/demo-data.md, "Development and transfers";
issue 17 item 5): applicants at every stage in the active organizations with a Party
organization, and the development records of the members admitted in the last two years.

Drawn after every earlier table (`dangjian.demo.generator.generate_city` calls it at the
end), from the city's random sequence, so the tables before it stay the same.

- Every probationary member, and every formal member admitted in the last two years, has
  the record of their development: application, talk within the month, activist some
  months later, candidate a year or more after that (a few too early: rule
  DEV-ACTIVIST-TIME), admitted (已接收为预备党员) on the day they joined.
- About one in eight of the staff who are not members (群众, more of the 共青团员) applied
  in the last years: most were talked to within the month (a few late or not at all: rule
  DEV-TALK), most became activists, some candidates; a few were stopped (已停止培养)."""

from __future__ import annotations

import datetime as dt

from dangjian.demo.base import DEMO_TODAY, add_years, date_between, share
from dangjian.demo.context import CityContext, Org
from dangjian.development.models import Applicant, ApplicantStatus
from dangjian.partyorgs.models import PartyOrgStatus
from dangjian.people.models import Employment, PoliticalStatus

RECENT_ADMISSIONS = dt.timedelta(days=730)
TALK_ON_TIME, TALK_LATE = 0.93, 0.03  # the rest: no talk yet
TOO_EARLY = 0.03  # candidates designated before a year as activists (DEV-ACTIVIST-TIME)


def months(day: dt.date, n: int) -> dt.date:
    month = day.month - 1 + n
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError(day)


def applicants(ctx: CityContext, orgs: list[Org]) -> None:
    rng, today = ctx.rng, DEMO_TODAY
    yesterday = today - dt.timedelta(days=1)
    members = {id(m.person) for o in orgs for m in o.formal + o.probationary + o.departed}
    staff: dict[int, list[Employment]] = {}
    for e in ctx.rows.employments:
        if id(e.person) not in members and e.ended_on is None:
            staff.setdefault(id(e.org), []).append(e)
    made = ctx.rows.applicants
    for org in orgs:
        po = org.party_org
        if not org.active or po is None or po.status != PartyOrgStatus.ACTIVE:
            continue
        for m in org.formal + org.probationary:
            joined = m.membership.joined_on
            if joined is None or joined < today - RECENT_ADMISSIONS:
                continue
            designated = joined - dt.timedelta(days=rng.randint(40, 200))
            if share(rng, TOO_EARLY):
                activist_day = months(designated, -rng.randint(6, 11))
            else:
                activist_day = months(designated, -rng.randint(12, 18))
            applied = activist_day - dt.timedelta(days=rng.randint(30, 200))
            made.append(
                Applicant(
                    person=m.person,
                    party_org=po,
                    applied_on=applied,
                    talked_on=applied + dt.timedelta(days=rng.randint(3, 27)),
                    activist_on=activist_day,
                    candidate_on=designated,
                    status=ApplicantStatus.ADMITTED,
                    status_changed_on=joined,
                )
            )
        for e in staff.get(id(org.obj), ()):
            person = e.person
            league = person.political_status == PoliticalStatus.LEAGUE
            if person.political_status not in (PoliticalStatus.MASSES, PoliticalStatus.LEAGUE):
                continue
            if not share(rng, 0.3 if league else 0.1):
                continue
            earliest = max(
                e.started_on or po.founded_on, po.founded_on, add_years(person.birth_date, 18)
            )
            if earliest >= yesterday:
                continue
            back = min(int(rng.expovariate(1 / 420)), 1500)
            applied = max(earliest, today - dt.timedelta(days=1 + back))
            r = rng.random()
            talked: dt.date | None = None
            if r < TALK_ON_TIME:
                talked = applied + dt.timedelta(days=rng.randint(3, 27))
            elif r < TALK_ON_TIME + TALK_LATE:
                talked = months(applied, 1) + dt.timedelta(days=rng.randint(5, 60))
            if talked is not None and talked > yesterday:
                talked = None  # not yet
            activist: dt.date | None = None
            candidate: dt.date | None = None
            if (today - applied).days > 60 and share(rng, 0.75):
                activist = applied + dt.timedelta(days=rng.randint(30, 180))
                activist = activist if activist <= yesterday else None
            if activist is not None and (today - activist).days > 420 and share(rng, 0.6):
                if share(rng, TOO_EARLY):
                    candidate = months(activist, rng.randint(6, 11))
                else:
                    candidate = months(activist, 12) + dt.timedelta(days=rng.randint(0, 150))
                candidate = candidate if candidate <= yesterday else None
            status, changed = ApplicantStatus.DEVELOPING, None
            if (today - applied).days > 90 and share(rng, 0.06):
                status = ApplicantStatus.STOPPED
                changed = date_between(rng, applied + dt.timedelta(days=60), yesterday)
                talked = talked if talked is not None and talked <= changed else None
                activist = activist if activist is not None and activist <= changed else None
                candidate = (
                    candidate
                    if activist is not None and candidate is not None and candidate <= changed
                    else None
                )
            made.append(
                Applicant(
                    person=person,
                    party_org=po,
                    applied_on=applied,
                    talked_on=talked,
                    activist_on=activist,
                    candidate_on=candidate,
                    status=status,
                    status_changed_on=changed,
                )
            )
