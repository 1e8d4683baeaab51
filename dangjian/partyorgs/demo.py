"""The Party organizations' demo records, first half: the townships' Party organizations,
the industry Party committees, and the Party organizations of the social organizations —
standalone (单独组建), joint (联合组建) and functional (功能型) — with what they cover.
Where members' relations sit, committees and instructors come after these
(`dangjian.partyorgs.demo_members`); `dangjian.demo` calls both in order."""

from __future__ import annotations

import datetime as dt
import random

from dangjian.areas.models import Unit
from dangjian.demo.base import (
    DEMO_TODAY,
    POLICY_DATE,
    SYSTEM_SINCE,
    add_years,
    date_between,
    numeral,
    remedied,
    share,
)
from dangjian.demo.context import CityContext, DemoContext, Org, Township
from dangjian.orgs.models import Industry, OrgKind, PartyManagement, RegistrationMode
from dangjian.partyorgs.models import (
    CommitteeMembership,
    CommitteeRole,
    Coverage,
    PartyOrganization,
    PartyOrgForm,
    PartyOrgLevel,
    PartyOrgStatus,
)
from dangjian.people.demo import draw_member

TERM_YEARS: dict[str, int] = {
    PartyOrgLevel.BRANCH: 3,
    PartyOrgLevel.GENERAL_BRANCH: 3,
    PartyOrgLevel.COMMITTEE: 5,
}
# Township, village and community Party organizations are elected for 5 years (党章; 村党组织
# since 2018); the system shows their terms but does not check them.
TERRITORIAL_TERM_YEARS = 5
LEVEL_SUFFIX: dict[str, str] = {
    PartyOrgLevel.BRANCH: "支部委员会",
    PartyOrgLevel.GENERAL_BRANCH: "总支部委员会",
    PartyOrgLevel.COMMITTEE: "委员会",
}


def party_org_code(ctx: DemoContext) -> str:
    ctx.party_org_serial += 1
    return f"D{ctx.party_org_serial:010d}"


def township_party_orgs(ctx: CityContext) -> dict[int, PartyOrganization]:
    """The territorial Party organization of every township (街道党工委, 乡镇党委)."""
    rng = ctx.rng
    result = {}
    for t in ctx.city.townships:
        street = t.name.endswith("街道")
        po = PartyOrganization(
            code=f"T{t.code}",
            name=f"中共{t.district.name}{t.name}{'工作委员会' if street else '委员会'}",
            level=PartyOrgLevel.COMMITTEE,
            form=PartyOrgForm.TOWNSHIP,
            township_id=t.pk,
            founded_on=date_between(rng, dt.date(1984, 1, 1), dt.date(2012, 12, 31)),
        )
        po.term_started_on = term_start(rng, po.founded_on, po.level, years=TERRITORIAL_TERM_YEARS)
        ctx.rows.territorial.append(po)
        result[t.pk] = po
    return result


def new_party_org(
    ctx: CityContext,
    *,
    name: str,
    level: str,
    form: str,
    township: Township,
    founded: dt.date,
    parent: PartyOrganization | None,
    unit: Unit | None = None,
) -> PartyOrganization:
    po = PartyOrganization(
        code=party_org_code(ctx.demo),
        name=name,
        level=level,
        form=form,
        township_id=township.pk,
        parent=parent,
        unit=unit,
        founded_on=founded,
        term_started_on=term_start(ctx.rng, founded, level),
    )
    ctx.rows.party_orgs.append(po)
    return po


def term_start(
    rng: random.Random, founded: dt.date, level: str, *, years: int | None = None
) -> dt.date:
    """The start of the current term: elections held on time, a little late at most;
    about one in twelve of those that fell due in the last four months not yet held
    (换届: rule ORG-TERM)."""
    years = years or TERM_YEARS[level]
    terms = 0
    while add_years(founded, (terms + 1) * years) <= DEMO_TODAY:
        terms += 1
    recent = DEMO_TODAY - dt.timedelta(days=120)
    if terms and add_years(founded, terms * years) > recent and share(rng, 0.08):
        terms -= 1
    start = add_years(founded, terms * years)
    if terms:  # an election held a little late
        start = min(start + dt.timedelta(days=rng.randint(0, 60)), DEMO_TODAY)
    return start


def founding_date(rng: random.Random, earliest: dt.date, latest: dt.date) -> dt.date:
    if earliest < POLICY_DATE and share(rng, 0.6):
        founded = date_between(rng, POLICY_DATE, dt.date(2019, 12, 31))
    else:
        founded = earliest + dt.timedelta(days=rng.randint(60, 2000))
    return max(earliest, min(founded, latest))


def industry_party_orgs(ctx: CityContext, orgs: list[Org]) -> dict[str, PartyOrganization]:
    """Industry Party committees (行业党委) of the three supervisory units with the most
    organizations; two of the three have a full-time Party worker."""
    rng = ctx.rng
    supervised: dict[str, int] = {}
    for org in orgs:
        if org.obj.supervisor is not None:
            name = org.obj.supervisor.name
            supervised[name] = supervised.get(name, 0) + 1
    top = sorted(supervised, key=lambda n: (-supervised[n], n))[:3]
    result = {}
    for unit_name in top:
        founded = date_between(rng, dt.date(2015, 3, 1), dt.date(2017, 12, 31))
        staffed = remedied(rng, founded, ctx.demo.fix_days) is not None
        result[unit_name] = industry_committee(ctx, unit_name, founded, full_time=staffed)
    return result


def more_industry_committees(
    ctx: CityContext,
    orgs: list[Org],
    industry_pos: dict[str, PartyOrganization],
) -> None:
    """Every other supervisory unit that manages enough Party organizations (rule
    MGT-INDUSTRY, counted as the rule counts) set up its industry committee, with a
    full-time worker, since the system came into use."""
    managed: dict[str, set[int]] = {}
    for org in orgs:
        obj = org.obj
        if (
            org.active
            and org.party_org is not None
            and obj.supervisor is not None
            and obj.registration_mode == RegistrationMode.SUPERVISED
            and obj.party_management == PartyManagement.DEFAULT
        ):
            managed.setdefault(obj.supervisor.name, set()).add(id(org.party_org))
    for unit_name in sorted(managed):
        if unit_name in industry_pos or len(managed[unit_name]) < ctx.demo.industry_min:
            continue
        founded = date_between(ctx.rng, SYSTEM_SINCE, DEMO_TODAY - dt.timedelta(days=60))
        industry_pos[unit_name] = industry_committee(ctx, unit_name, founded, full_time=True)


def industry_committee(
    ctx: CityContext,
    unit_name: str,
    founded: dt.date,
    *,
    full_time: bool,
) -> PartyOrganization:
    """An industry Party committee (行业党委) of a supervisory unit: a secretary and a
    deputy, the deputy full-time or not."""
    rng, rows = ctx.rng, ctx.rows
    seat = ctx.city.townships[0]
    po = PartyOrganization(
        code=party_org_code(ctx.demo),
        name=f"中共{unit_name}社会组织行业委员会",
        level=PartyOrgLevel.COMMITTEE,
        form=PartyOrgForm.INDUSTRY,
        township_id=seat.pk,
        parent=None,
        unit=ctx.demo.units[unit_name],
        founded_on=founded,
    )
    po.term_started_on = term_start(rng, po.founded_on, po.level)
    rows.territorial.append(po)
    for role, worker in (
        (CommitteeRole.SECRETARY, False),
        (CommitteeRole.DEPUTY, full_time),
    ):
        cadre = draw_member(
            ctx, seat.district.code, born=(1965, 1990, 1975), joined_at=(22, 6), relation=po
        )
        rows.committee.append(
            CommitteeMembership(
                party_org=po,
                person=cadre,
                role=role,
                started_on=po.term_started_on,
                full_time=worker,
            )
        )
    return po


def standalone(
    ctx: CityContext,
    orgs: list[Org],
    township_pos: dict[int, PartyOrganization],
    industry_pos: dict[str, PartyOrganization],
) -> None:
    """单独组建 once an organization has 3 formal members (`remedied`: most at once, the
    older ones in the wave after the policy; the open ones are rule 三.1's findings, a
    third of them in a joint branch meanwhile); 85% of those that stopped had one, and
    most of those were dissolved within the period after the organization stopped."""
    rng, rows = ctx.rng, ctx.rows
    for org in orgs:
        if org.category != 2:
            continue
        obj = org.obj
        if org.ended is not None:
            if not share(rng, 0.85):
                continue
            founded = founding_date(rng, obj.registered_on, org.ended - dt.timedelta(days=30))
        else:
            arose = org.formal_since(3) or obj.registered_on
            fixed = remedied(rng, arose, ctx.demo.setup_days, wave=True)
            if fixed is None:
                org.joint_candidate = share(rng, 0.3)
                continue
            founded = max(fixed, obj.registered_on)
        members = len(org.formal) + len(org.probationary)
        if members >= 100:
            level = PartyOrgLevel.COMMITTEE
        elif members >= 50:
            level = PartyOrgLevel.GENERAL_BRANCH
        else:
            level = PartyOrgLevel.BRANCH
        parent = township_pos[org.township.pk]
        industry = industry_pos.get(obj.supervisor.name) if obj.supervisor else None
        if industry is not None and share(rng, 0.7):
            parent = industry
        po = new_party_org(
            ctx,
            name=f"中共{obj.name}{LEVEL_SUFFIX[level]}",
            level=level,
            form=PartyOrgForm.STANDALONE,
            township=org.township,
            founded=founded,
            parent=parent,
        )
        dissolved = None
        if org.ended is not None:
            dissolved = remedied(rng, org.ended, ctx.demo.dissolve_days)
        if dissolved is not None:
            po.status = PartyOrgStatus.DISSOLVED
            po.dissolved_on = max(dissolved, founded)
            if po.term_started_on and po.term_started_on > po.dissolved_on:
                po.term_started_on = founded
        org.party_org = po
        rows.coverages.append(
            Coverage(party_org=po, org=obj, started_on=founded, ended_on=po.dissolved_on)
        )


def joint(
    ctx: CityContext,
    orgs: list[Org],
    township_pos: dict[int, PartyOrganization],
) -> None:
    """联合组建: 2–5 small organizations of one township, same industry where possible,
    with 3+ formal members together. An organization with 1–2 formal members joins one
    when its situation is put right (`remedied`; rule 三.1 finds the open ones); with a
    single member, 45% instead have that member's relation held by the township or the
    community (纳入管理, see `relations`). Those left over at the end of a township's
    list form a branch with such a single-member organization, or join a branch with
    room of the township, else of the district (地域相邻)."""
    rng, rows = ctx.rng, ctx.rows
    by_township: dict[int, list[Org]] = {}
    spare: dict[int, list[Org]] = {}  # single members held nearby, who could join one
    for org in orgs:
        if not org.active or org.party_org is not None:
            continue
        if org.category == 1:
            arose = org.formal_since(1) or org.obj.registered_on
            org.joint_fixed = remedied(rng, arose, ctx.demo.setup_days, wave=True)
            if org.joint_fixed is None:
                continue
            if len(org.formal) == 1 and share(rng, 0.45):
                spare.setdefault(org.township.pk, []).append(org)
                continue
        elif not org.joint_candidate:
            continue
        by_township.setdefault(org.township.pk, []).append(org)
    in_district: dict[str, list[tuple[PartyOrganization, list[Org]]]] = {}
    waiting: list[tuple[Org, list[tuple[PartyOrganization, list[Org]]]]] = []
    for township_pk, candidates in by_township.items():
        candidates.sort(key=lambda o: (o.obj.industry, o.serial))
        township = candidates[0].township
        branches: list[tuple[PartyOrganization, list[Org]]] = []

        def form(
            group: list[Org],
            township: Township = township,
            branches: list[tuple[PartyOrganization, list[Org]]] = branches,
        ) -> None:
            number = len(branches) + 1
            po = joint_branch(ctx, group, township, number, township_pos)
            branches.append((po, group))

        group: list[Org] = []
        target = rng.randint(2, 5)
        for org in candidates:
            group.append(org)
            formal = sum(len(o.formal) for o in group)
            if (len(group) >= target and formal >= 3) or len(group) == 5:
                form(group)
                group = []
                target = rng.randint(2, 5)
        extra = spare.get(township_pk, [])
        while group and sum(len(o.formal) for o in group) < 3 and extra:
            group.append(extra.pop())
        if sum(len(o.formal) for o in group) >= 3:
            form(group)
            group = []
        in_district.setdefault(township.district.code, []).extend(branches)
        for org in group:
            if org.category == 1 and len(org.formal) > 1:  # (one member: 纳入管理)
                waiting.append((org, branches))
    for org, branches in waiting:
        room = [(po, members) for po, members in branches if len(members) < 5]
        room = room or [
            (po, members)
            for po, members in in_district[org.township.district.code]
            if len(members) < 5
        ]
        nearby = spare.get(org.township.pk) or next(
            (
                others
                for others in spare.values()
                if others and others[0].township.district is org.township.district
            ),
            [],
        )
        if not room and nearby and org.joint_fixed is not None:
            group = [org, nearby.pop()]  # a new branch with a single member nearby
            district = in_district[org.township.district.code]
            number = 1 + sum(1 for p, _ in district if p.township_id == org.township.pk)
            po = joint_branch(ctx, group, org.township, number, township_pos)
            district.append((po, group))
            continue
        if not room or org.joint_fixed is None:
            org.joint_fixed = None  # still open (rule 三.1)
            continue
        po, members = room[-1]
        members.append(org)
        org.party_org = po
        org.joined_joint = True
        start = max(org.joint_fixed, po.founded_on)
        rows.coverages.append(Coverage(party_org=po, org=org.obj, started_on=start))


def joint_branch(
    ctx: CityContext,
    group: list[Org],
    township: Township,
    number: int,
    township_pos: dict[int, PartyOrganization],
) -> PartyOrganization:
    """A joint branch (联合支部) of `group`, the `number`th of its township."""
    rng, rows = ctx.rng, ctx.rows
    industries = {o.obj.industry for o in group}
    if len(industries) == 1:
        label = Industry(group[0].obj.industry).label.removesuffix("类")
        name = f"中共{township.name}{label}类社会组织联合支部委员会"
        if number > 1:
            name = f"中共{township.name}{label}类社会组织第{numeral(number)}联合支部委员会"
    else:
        name = f"中共{township.name}社会组织第{numeral(number)}联合支部委员会"
    fixed = [o.joint_fixed for o in group if o.joint_fixed is not None]
    if fixed:  # founded when the first of them was put right, the others joined later
        founded = min(fixed)
    else:
        earliest = max(o.obj.registered_on for o in group)
        founded = founding_date(rng, earliest, DEMO_TODAY - dt.timedelta(days=30))
    po = new_party_org(
        ctx,
        name=name,
        level=PartyOrgLevel.BRANCH,
        form=PartyOrgForm.JOINT,
        township=township,
        founded=founded,
        parent=township_pos[township.pk],
    )
    for org in group:
        org.party_org = po
        org.joined_joint = True
        start = max(founded, org.joint_fixed or founded)
        rows.coverages.append(Coverage(party_org=po, org=org.obj, started_on=start))
    return po


def functional(
    ctx: CityContext,
    orgs: list[Org],
    township_pos: dict[int, PartyOrganization],
) -> None:
    """功能型: a few learned societies (学会, 研究会) whose members work in public bodies."""
    rng, rows = ctx.rng, ctx.rows
    for org in orgs:
        obj = org.obj
        if (
            org.active
            and org.party_org is None
            and org.formal
            and obj.kind == OrgKind.ASSOCIATION
            and obj.industry
            in (Industry.SCIENCE, Industry.HEALTH, Industry.EDUCATION, Industry.LAW)
            and share(rng, 0.15)
        ):
            founded = founding_date(rng, obj.registered_on, DEMO_TODAY - dt.timedelta(days=30))
            po = new_party_org(
                ctx,
                name=f"中共{obj.name}功能型党支部",
                level=PartyOrgLevel.BRANCH,
                form=PartyOrgForm.FUNCTIONAL,
                township=org.township,
                founded=founded,
                parent=township_pos[org.township.pk],
            )
            org.party_org = po
            rows.coverages.append(Coverage(party_org=po, org=obj, started_on=founded))
