"""The Party organizations' demo records, second half: where each member's relation
(组织关系) sits — with the communities' Party organizations and the transfers out of
dissolved ones —, the committees (secretaries, deputies, full-time workers) and the
党建工作指导员 with their assignments. `dangjian.demo` calls these after
`dangjian.partyorgs.demo`, in the order of this module."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from dangjian.demo.base import (
    DEMO_TODAY,
    INSTRUCTORS_FROM,
    POLICY_DATE,
    date_between,
    pick,
    remedied,
    share,
)
from dangjian.demo.context import CityContext, Member, Org
from dangjian.partyorgs.demo import LEVEL_SUFFIX, TERRITORIAL_TERM_YEARS, term_start
from dangjian.partyorgs.models import (
    CommitteeMembership,
    CommitteeRole,
    Instructor,
    InstructorAssignment,
    InstructorSource,
    PartyOrganization,
    PartyOrgForm,
    PartyOrgLevel,
    PartyOrgStatus,
)
from dangjian.people.demo import draw_member
from dangjian.people.models import Position

INSTRUCTOR_SOURCE_WEIGHTS = {
    InstructorSource.ORGAN: 30,
    InstructorSource.STATE_UNIT: 20,
    InstructorSource.RETIRED_CADRE: 25,
    InstructorSource.VETERAN: 10,
    InstructorSource.VILLAGE_OFFICIAL: 10,
    InstructorSource.OTHER: 5,
}
# Birth years (earliest, latest, most common) of instructors by where they come from.
INSTRUCTOR_BIRTH_YEARS: dict[str, tuple[int, int, int]] = {
    InstructorSource.RETIRED_CADRE: (1950, 1964, 1958),
    InstructorSource.VILLAGE_OFFICIAL: (1988, 2000, 1994),
}


def relations(
    ctx: CityContext,
    orgs: list[Org],
    township_pos: dict[int, PartyOrganization],
    community_pos: dict[int, PartyOrganization],
) -> None:
    """Where each member's organizational relation (组织关系) sits; the communities' Party
    organizations are made as the first relation needs one (`community_pos`)."""
    rng = ctx.rng
    standalone = [
        o.party_org
        for o in orgs
        if o.party_org is not None
        and o.active
        and o.party_org.form == PartyOrgForm.STANDALONE
        and o.party_org.status == PartyOrgStatus.ACTIVE
    ]

    def community_po(org: Org) -> PartyOrganization:
        pk = org.community_pk
        if pk is None:
            return township_pos[org.township.pk]
        if pk not in community_pos:
            _pk, code, name = next(c for c in org.township.communities if c[0] == pk)
            committee = name.endswith("社区")
            level = PartyOrgLevel.COMMITTEE if committee else PartyOrgLevel.BRANCH
            po = PartyOrganization(
                code=f"C{code}",
                name=f"中共{org.township.name}{name}{LEVEL_SUFFIX[level]}",
                level=level,
                form=PartyOrgForm.COMMUNITY,
                township_id=org.township.pk,
                parent=township_pos[org.township.pk],
                founded_on=date_between(rng, dt.date(1990, 1, 1), dt.date(2012, 12, 31)),
            )
            po.term_started_on = term_start(rng, po.founded_on, level, years=TERRITORIAL_TERM_YEARS)
            ctx.rows.community_party_orgs.append(po)
            community_pos[pk] = po
        return community_pos[pk]

    for org in orgs:
        township = township_pos[org.township.pk]
        own = org.party_org
        for m in org.formal + org.probationary:
            r = rng.random()
            relation: PartyOrganization | None
            if own is not None and own.form == PartyOrgForm.FUNCTIONAL:
                relation = None if r < 0.65 else township  # 一方隶属: at their workplace
            elif own is not None:
                keep = 0.82 if own.form == PartyOrgForm.STANDALONE else 0.78
                relation = own if r < keep else township if r < keep + 0.1 else None
            elif org.category == 1 and len(org.formal) == 1 and m.membership.confirmed_on:
                if org.joint_fixed is not None:  # 纳入管理: put right that way
                    relation = township if r < 0.7 else community_po(org)
                elif r < 0.35 and standalone:
                    relation = rng.choice(standalone)  # a former employer's
                else:
                    relation = None  # still open (rule 三.1)
            elif org.category == 1:
                if r < 0.35:
                    relation = township
                elif r < 0.45:
                    relation = community_po(org)
                elif r < 0.60 and standalone:
                    relation = rng.choice(standalone)  # a former employer's
                else:
                    relation = None
            elif r < 0.3:
                relation = township
            elif r < 0.4 and standalone:
                relation = rng.choice(standalone)
            else:
                relation = None
            m.membership.relation_party_org = relation
        for m in org.departed:
            if own is not None and share(rng, 0.5):
                m.membership.relation_party_org = own  # not transferred (yet)
            elif share(rng, 0.5):
                m.membership.relation_party_org = township
        if own is not None and org.ended is not None:
            transfer(ctx, org, own, township, community_po, standalone)


def transfer(
    ctx: CityContext,
    org: Org,
    own: PartyOrganization,
    township: PartyOrganization,
    community_po: Callable[[Org], PartyOrganization],
    standalone: list[PartyOrganization],
) -> None:
    """The members of a Party organization that was (or is to be) dissolved: all
    transferred to their residence's Party organization (township or community) or a
    new employer's, within the period after the dissolution, where that was done
    (`remedied`); where not, all of them wait while the period runs, half of them once
    it is over. Rule 三.3 finds those who wait."""
    assert org.ended is not None
    rng = ctx.rng
    if own.dissolved_on is not None:
        arose = own.dissolved_on
    else:  # to be dissolved: due the period after the organization stopped
        arose = max(org.ended, POLICY_DATE) + dt.timedelta(days=ctx.demo.dissolve_days)
    done = remedied(rng, arose, ctx.demo.transfer_days) is not None
    overdue = arose + dt.timedelta(days=ctx.demo.transfer_days) <= DEMO_TODAY
    for m in org.formal + org.probationary + org.departed:
        if m.membership.relation_party_org is not own:
            continue
        if not done and (not overdue or share(rng, 0.5)):
            continue
        r = rng.random()
        if r < 0.45:
            m.membership.relation_party_org = township
        elif r < 0.7:
            m.membership.relation_party_org = community_po(org)
        elif standalone:
            m.membership.relation_party_org = rng.choice(standalone)
        else:
            m.membership.relation_party_org = township


def committees(ctx: CityContext, orgs: list[Org]) -> None:
    """A secretary, elected soon after the founding (`remedied`: the few still missing
    are rule 五.1's findings); a committee for branches of 7+ formal members and a
    full-time Party worker where there are 50+ members, counted as the rules count them
    (the relations the Party organization holds) — both put right as the rest; some
    past secretaries."""
    rng, rows = ctx.rng, ctx.rows
    members_of: dict[int, list[Member]] = {}
    holders: dict[int, PartyOrganization] = {}
    for org in orgs:
        if org.party_org is not None:
            key = id(org.party_org)
            holders[key] = org.party_org
            members_of.setdefault(key, []).extend(org.formal)
    held: dict[int, list[int]] = {}  # formal, all members whose relation it holds
    for membership in rows.memberships:
        po = membership.relation_party_org
        if po is not None and id(po) in holders:
            counts = held.setdefault(id(po), [0, 0])
            counts[0] += membership.confirmed_on is not None
            counts[1] += 1
    for key, po in holders.items():
        formal = sorted(members_of[key], key=lambda m: m.membership.confirmed_on or DEMO_TODAY)
        if not formal or remedied(rng, po.founded_on, ctx.demo.fix_days) is None:
            continue  # no secretary (rule 五.1 finds it)
        # the organization's leader serves as secretary where they are a member
        leaders = [m for m in formal if m.employment.position == Position.LEADER]
        secretary = leaders[0] if leaders else formal[0]
        others = [m for m in formal if m is not secretary]
        held_formal, held_all = held.get(key, [0, 0])
        big = max(len(formal), held_all) >= ctx.demo.fulltime_min
        full_time = big and remedied(rng, po.founded_on, ctx.demo.fix_days) is not None
        committee = (
            max(len(formal), held_formal) >= ctx.demo.committee_min
            and len(others) >= 2
            and remedied(rng, po.founded_on, ctx.demo.fix_days) is not None
        )
        offices = [
            (secretary, CommitteeRole.SECRETARY, full_time and not committee)
            if big
            else (secretary, CommitteeRole.SECRETARY, share(rng, 0.04))
        ]
        if committee:
            size = 5 if len(formal) < 50 else 7
            offices.append((others[0], CommitteeRole.DEPUTY, full_time))
            offices.extend((m, CommitteeRole.MEMBER, False) for m in others[1 : size - 1])
        elif others and share(rng, 0.3):
            offices.append((others[0], CommitteeRole.DEPUTY, False))
        rows.committee.extend(committee_office(po, *office) for office in offices)
        term = po.term_started_on or po.founded_on
        if term > po.founded_on + dt.timedelta(days=365) and share(rng, 0.2):
            previous = others[-1] if others else secretary
            rows.committee.append(
                CommitteeMembership(
                    party_org=po,
                    person=previous.person,
                    role=CommitteeRole.SECRETARY,
                    started_on=po.founded_on,
                    ended_on=term,
                )
            )


def committee_office(
    po: PartyOrganization, m: Member, role: str, full_time: bool
) -> CommitteeMembership:
    """An office held since the current term began (or since the holder could hold it)."""
    term = po.term_started_on or po.founded_on
    start = max(term, m.membership.confirmed_on or term)
    start = max(start, m.employment.started_on or start)
    ended = None
    if m.employment.ended_on:  # left the organization, left the office
        ended = max(m.employment.ended_on, start)
    if po.dissolved_on is not None:
        start = min(start, po.dissolved_on)
    return CommitteeMembership(
        party_org=po,
        person=m.person,
        role=role,
        started_on=start,
        ended_on=ended,
        full_time=full_time,
    )


def instructors(
    ctx: CityContext,
    orgs: list[Org],
    township_pos: dict[int, PartyOrganization],
) -> None:
    """党建工作指导员 for the active organizations with no formal member and no Party
    organization, sent once the organization is registered (`remedied`: from mid-2015
    for the older ones; rule 三.2 finds the rest), 2–6 organizations each in one
    district; ~12% of assignments ended, another instructor of the district taking
    over the same day."""
    rng, rows = ctx.rng, ctx.rows
    chosen: list[tuple[Org, dt.date]] = []
    for o in orgs:
        if not o.active or o.party_org is not None or o.formal:
            continue
        fixed = remedied(rng, o.obj.registered_on, ctx.demo.setup_days, wave=True)
        if fixed is not None:
            start = max(fixed, o.obj.registered_on)
            if start < INSTRUCTORS_FROM:
                start = date_between(rng, INSTRUCTORS_FROM, dt.date(2016, 12, 31))
            chosen.append((o, min(start, DEMO_TODAY - dt.timedelta(days=1))))
    by_district: dict[str, list[tuple[Org, dt.date]]] = {}
    for org, start in chosen:
        by_district.setdefault(org.township.district.code, []).append((org, start))
    for district_code, group in by_district.items():
        i = 0
        serving: list[Instructor] = []
        ending: list[InstructorAssignment] = []
        while i < len(group):
            size = rng.randint(2, 6)
            assigned = group[i : i + size]
            i += size
            source = pick(rng, INSTRUCTOR_SOURCE_WEIGHTS)
            born = INSTRUCTOR_BIRTH_YEARS.get(source, (1965, 1995, 1980))
            person = draw_member(
                ctx,
                district_code,
                born=born,
                joined_at=(20, 8),
                relation=township_pos[assigned[0][0].township.pk],
            )
            instructor = Instructor(person=person, source=source)
            rows.instructors.append(instructor)
            serving.append(instructor)
            for org, start in assigned:
                assignment = InstructorAssignment(
                    instructor=instructor, org=org.obj, started_on=start
                )
                rows.assignments.append(assignment)
                if share(rng, 0.12):
                    ended = start + dt.timedelta(days=rng.randint(90, 900))
                    if ended < DEMO_TODAY:
                        assignment.ended_on = ended
                        ending.append(assignment)
        for assignment in ending:  # a successor takes over
            others = [s for s in serving if s is not assignment.instructor]
            ended_on = assignment.ended_on
            if not others or ended_on is None:
                assignment.ended_on = None
                continue
            rows.assignments.append(
                InstructorAssignment(
                    instructor=rng.choice(others),
                    org=assignment.org,
                    started_on=ended_on,
                )
            )
