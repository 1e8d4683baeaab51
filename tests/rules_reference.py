"""A slow, obviously correct reference for the rules of POLICY.md — written from POLICY.md
and CONTRACT.md, independently of dangjian/compliance/facts.py.

It walks every organization, Party organization, membership and unit one by one with the
ORM and the models' own date methods (`is_active(on)`, `Employment.is_current(on)`,
`Membership.is_formal(on)`, `Coverage.is_current(on)`, …), and answers the set of
(rule, subject type, subject key) the policy demands on a date over a jurisdiction. It makes
one query or more per object: only for small datasets (tests/test_rules_reference.py).
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from dangjian.areas.models import Area, Unit
from dangjian.compliance.policy import Policy
from dangjian.orgs.models import SocialOrganization
from dangjian.partyorgs.models import PartyOrganization
from dangjian.people.models import Membership
from dangjian.transfers.models import Transfer

# (rule, subject type, subject key); a rule that finds one subject once per period adds
# what tells its findings apart: (…, facts.period, facts.type, facts.party_group or "").
Demand = tuple[str, ...]

# Spelled out here on purpose rather than imported from the code under test.
OF_SOCIAL_ORGS = {"standalone", "joint", "functional", "industry"}  # POLICY.md, the rules' scope
COVERING = {"standalone", "joint", "functional"}  # CONTRACT.md, "covered"
SOCIAL_FORMS = {
    "standalone",
    "joint",
    "functional",
    "industry",
}  # Party organizations of social organizations
# 四.4: each meeting type, the setting of its period, the rule that asks for it.
LIFE_TYPES = [
    ("assembly", "支部党员大会", "life_assembly_period", "LIFE-MEETINGS"),
    ("committee", "支部委员会会议", "life_committee_period", "LIFE-MEETINGS"),
    ("group", "党小组会", "life_group_period", "LIFE-MEETINGS"),
    ("lecture", "党课", "life_lecture_period", "LIFE-MEETINGS"),
    ("theme_day", "主题党日", "life_theme_day_period", "LIFE-MEETINGS"),
    ("life", "组织生活会", "life_review_period", "LIFE-REVIEW"),
    ("appraisal", "民主评议党员", "life_appraisal_period", "LIFE-REVIEW"),
]
ADOPTING = {"industry", "township", "community"}  # POLICY 3.1, 纳入管理
TERM_YEARS = {
    "branch": "branch_term_years",
    "general_branch": "general_branch_term_years",
    "committee": "committee_term_years",
}


def mask(id_number: str) -> str:
    """CONTRACT.md: first 6 + ******** + last 4."""
    return f"{id_number[:6]}********{id_number[-4:]}"


def anniversary(start: dt.date, years: int) -> dt.date:
    """The same day `years` later; the month's last day when that day does not exist."""
    year = start.year + years
    return dt.date(year, start.month, min(start.day, calendar.monthrange(year, start.month)[1]))


def months_later(day: dt.date, n: int) -> dt.date:
    """CONTRACT.md's "X + n months": the same day n months later (n may be negative), or
    that month's last day."""
    year, month = day.year + (day.month - 1 + n) // 12, (day.month - 1 + n) % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def calendar_periods(unit: str, around: dt.date) -> list[tuple[dt.date, dt.date, str]]:
    """(first day, last day, label) of every month, quarter or year from two years before
    `around` to a year after it."""
    out = []
    for year in range(around.year - 2, around.year + 2):
        if unit == "year":
            out.append((dt.date(year, 1, 1), dt.date(year, 12, 31), str(year)))
        for month in range(1, 13):
            last = dt.date(year, month, calendar.monthrange(year, month)[1])
            if unit == "month":
                out.append((dt.date(year, month, 1), last, f"{year}-{month:02d}"))
            elif unit == "quarter" and month % 3 == 0:
                out.append((dt.date(year, month - 2, 1), last, f"{year}-Q{month // 3}"))
    return out


def life_demanded(party_org: PartyOrganization, on: dt.date, policy: Policy) -> set[Demand]:
    """LIFE-MEETINGS and LIFE-REVIEW of one branch (CONTRACT.md): each checked period of a
    type with no approved meeting of it (of each Party group that existed throughout, for
    党小组会; 支部委员会会议 only with 3 people in office on the period's first day)."""
    from dangjian.life.models import Meeting, PartyGroup

    limit = months_later(on, -policy["life_lookback_months"])
    meetings = [m for m in Meeting.objects.filter(party_org=party_org) if m.counts]
    groups = list(PartyGroup.objects.filter(party_org=party_org))
    offices = list(party_org.committee.all())
    out: set[Demand] = set()
    for type_, label, setting, rule in LIFE_TYPES:
        for first, last, period in calendar_periods(policy.period(setting).unit, on):
            checked = (
                limit < last < on
                and first >= policy.effective_on
                and party_org.founded_on <= first
                and (party_org.dissolved_on is None or party_org.dissolved_on > last)
            )
            if not checked:
                continue
            held = [m for m in meetings if m.type == type_ and first <= m.held_on <= last]
            if type_ == "committee":
                people = {o.person_id for o in offices if o.is_current(first)}
                if len(people) < 3:
                    continue
            if type_ == "group":
                for group in groups:
                    whole = group.founded_on <= first and (
                        group.dissolved_on is None or group.dissolved_on > last
                    )
                    if whole and not any(m.party_group_id == group.pk for m in held):
                        out.add((rule, "party_org", party_org.code, period, label, group.name))
            elif not held:
                out.add((rule, "party_org", party_org.code, period, label, ""))
    return out


def inside(area: Area | None, place: Area) -> bool:
    return area is None or place.path.startswith(area.path)


def org_inside(area: Area | None, org: SocialOrganization) -> bool:
    """An organization lies where its address is: in a community area (CONTRACT.md lets
    `--area` be a community), only if it is registered in that community."""
    if area is not None and area.level == "community":
        return org.community is not None and inside(area, org.community)
    return inside(area, org.township)


def party_org_inside(area: Area | None, party_org: PartyOrganization) -> bool:
    """A Party organization is recorded by township. In a community area — which the policy
    leaves open — it is one of the community's township that covers (or covered) an
    organization of the community, as the engine defines it: a community never sees what
    its township does not."""
    if area is not None and area.level == "community":
        return party_org.township_id == area.parent_id and any(
            org_inside(area, c.org) for c in party_org.coverages.select_related("org")
        )
    return inside(area, party_org.township)


def stopped(org: SocialOrganization, on: dt.date) -> bool:
    """Deregistered, revoked or inactive (注销/撤销/停止活动) on or before the date."""
    changed = org.status_changed_on
    return org.status != "active" and changed is not None and changed <= on


def employed_members(org: SocialOrganization, on: dt.date) -> list[Membership]:
    """Party members (formal or probationary) employed there on the date, each once."""
    found: dict[int, Membership] = {}
    for employment in org.employments.select_related("person"):
        if not employment.is_current(on):
            continue
        membership = Membership.objects.filter(person=employment.person).first()
        if membership is not None and membership.is_member(on):
            found[employment.person_id] = membership
    return list(found.values())


def covering(org: SocialOrganization, on: dt.date, forms: set[str]) -> list[PartyOrganization]:
    return [
        coverage.party_org
        for coverage in org.coverages.select_related("party_org")
        if coverage.is_current(on) and coverage.party_org.form in forms
    ]


def managing_body(org: SocialOrganization) -> tuple[str, str] | None:
    """POLICY 2.2, in its order; None when the data does not allow one."""
    if org.party_management == "community":  # 4. small and tied to a community
        return ("community", org.community.code) if org.community_id else None
    if org.party_management in ("township", "delegated_township"):  # 3. and 4.: the township
        return ("township", org.township.code)
    if org.registration_mode == "supervised":  # 2. that unit
        unit = org.supervisor
        return ("supervisor", unit.name) if unit and unit.kind == "supervisory" else None
    unit = org.registry  # 1. the civil-affairs department that registered it
    return ("registry", unit.name) if unit.kind == "civil_affairs" else None


def to_dissolve(party_org: PartyOrganization, on: dt.date) -> bool:
    """DYN-DISSOLVE: an active Party organization of social organizations whose every
    covered organization has been deregistered or stopped."""
    if not party_org.is_active(on) or party_org.form not in OF_SOCIAL_ORGS:
        return False
    covered = [c.org for c in party_org.coverages.select_related("org") if c.is_current(on)]
    return bool(covered) and all(stopped(org, on) for org in covered)


def demanded(*, as_of: dt.date, policy: Policy, area: Area | None = None) -> set[Demand]:
    on = as_of
    out: set[Demand] = set()

    # 三.1 / 三.2 / 二.2 — per social organization.
    for org in SocialOrganization.objects.select_related("township").order_by("pk"):
        if not org_inside(area, org) or not org.is_active(on):
            continue
        subject = ("social_org", org.uscc)
        formal = [m for m in employed_members(org, on) if m.is_formal(on)]
        if len(formal) >= policy["standalone_min_formal_members"]:
            if not covering(org, on, {"standalone"}):
                out.add(("COV-STANDALONE", *subject))
        elif formal:
            if not covering(org, on, COVERING):
                relation = formal[0].relation_party_org
                adopted = (
                    len(formal) == 1
                    and relation is not None
                    and relation.is_active(on)
                    and relation.form in ADOPTING
                )
                if not adopted:
                    out.add(("COV-JOINT", *subject))
        else:
            instructed = any(a.is_current(on) for a in org.instructor_assignments.all())
            if not covering(org, on, COVERING) and not instructed:
                out.add(("COV-INSTRUCTOR", *subject))
        if managing_body(org) is None:
            out.add(("MGT-ASSIGNED", *subject))

    # 三.3 / 五 — per Party organization.
    for party_org in PartyOrganization.objects.select_related("township").order_by("pk"):
        if not party_org_inside(area, party_org):
            continue
        subject = ("party_org", party_org.code)
        if to_dissolve(party_org, on):
            out.add(("DYN-DISSOLVE", *subject))
        if not party_org.is_active(on) or party_org.form not in OF_SOCIAL_ORGS:
            continue
        offices = [o for o in party_org.committee.all() if o.is_current(on)]
        relations = [m for m in party_org.relations.all() if m.is_member(on)]
        formal_relations = sum(1 for m in relations if m.is_formal(on))
        if not any(o.role == "secretary" for o in offices):
            out.add(("ORG-SECRETARY", *subject))
        if party_org.level == "branch":
            # A committee is made of people: one person in two offices is one member of it.
            committee = {o.person_id for o in offices}
            deputies = {o.person_id for o in offices if o.role == "deputy"}
            if formal_relations >= policy["branch_committee_min_formal_members"]:
                if len(committee) < 3:
                    out.add(("ORG-COMMITTEE", *subject))
            elif len(deputies) > 1:
                out.add(("ORG-COMMITTEE", *subject))
        years = policy[TERM_YEARS[party_org.level]]
        if anniversary(party_org.term_started_on or party_org.founded_on, years) <= on:
            out.add(("ORG-TERM", *subject))
        large = len(relations) >= policy["fulltime_worker_min_members"]
        if large and not any(o.full_time for o in offices):
            out.add(("CAD-FULLTIME", *subject))
        if party_org.level == "branch" and party_org.form in COVERING:
            out |= life_demanded(party_org, on, policy)

    # 五.3 — per office holder (and Party organization) of the Party organizations checked.
    out |= cadre_demanded(on, policy, area)
    out |= development_demanded(on, policy, area)
    out |= dues_demanded(on, policy, area)
    out |= dynamics_demanded(on, area)

    # 三.3 — per member whose relation sits in a dissolved or to-be-dissolved Party organization,
    # on the day: where the first transfer received after it came from, else where it is now.
    moved_from: dict[int, PartyOrganization] = {}
    for transfer in (
        Transfer.objects.filter(status="received", received_on__gt=on)
        .order_by("received_on", "pk")
        .select_related("from_party_org__township")
    ):
        moved_from.setdefault(transfer.person_id, transfer.from_party_org)
    for membership in Membership.objects.select_related(
        "person", "relation_party_org__township"
    ).order_by("pk"):
        relation = moved_from.get(membership.person_id, membership.relation_party_org)
        if relation is None or not membership.is_member(on) or not party_org_inside(area, relation):
            continue
        dissolved = relation.dissolved_on is not None and relation.dissolved_on <= on
        if dissolved or to_dissolve(relation, on):
            out.add(("DYN-TRANSFER", "person", mask(membership.person.id_number)))

    # 二.1 — per supervisory unit.
    for unit in Unit.objects.filter(kind="supervisory").select_related("area").order_by("pk"):
        if not inside(area, unit.area):
            continue
        managed: set[int] = set()
        for org in unit.supervised_orgs.all():
            if org.is_active(on) and managing_body(org) == ("supervisor", unit.name):
                managed.update(p.pk for p in covering(org, on, COVERING))
        if len(managed) < policy["industry_committee_min_party_orgs"]:
            continue
        staffed = any(
            committee.is_active(on)  # a committee not yet founded, or dissolved, staffs nothing
            and any(o.full_time and o.is_current(on) for o in committee.committee.all())
            for committee in PartyOrganization.objects.filter(
                unit=unit, form="industry", level__in=["committee", "general_branch"]
            )
        )
        if not staffed:
            out.add(("MGT-INDUSTRY", "unit", unit.name))

    # 二.3 — each district, and each supervisory unit supervising an active organization,
    # studies the matter once a year (MGT-STUDY), the last closed year.
    from dangjian.bodies.models import TopicStudy

    year = on.year - 1
    studied = list(TopicStudy.objects.filter(held_on__year=year))
    for district in Area.objects.filter(level="district").order_by("pk"):
        if inside(area, district) and not any(t.area_id == district.pk for t in studied):
            out.add(("MGT-STUDY", "area", district.code))
    for unit in Unit.objects.filter(kind="supervisory").select_related("area").order_by("pk"):
        busy = any(org.is_active(on) for org in unit.supervised_orgs.all())
        if inside(area, unit.area) and busy and not any(t.unit_id == unit.pk for t in studied):
            out.add(("MGT-STUDY", "unit", unit.name))
    return out


TRAINED = {"centralized", "induction"}  # CONTRACT.md: the trainings the rules count


def cadre_demanded(on: dt.date, policy: Policy, area: Area | None) -> set[Demand]:
    """CAD-SECRETARY-TRAINING, CAD-NEW-SECRETARY, CAD-WORKER-TRAINING (CONTRACT.md), office by
    office: (rule, "person", masked number, Party organization, year or appointment day)."""
    from dangjian.cadres.models import PartyWorker, Training
    from dangjian.partyorgs.models import CommitteeMembership

    out: set[Demand] = set()
    y = on.year - 1
    first, mid, end = dt.date(y, 1, 1), dt.date(y, 6, 30), dt.date(y, 12, 31)
    offices: list[Any] = list(
        CommitteeMembership.objects.select_related("party_org__township", "person")
    )
    # A full-time Party worker (`party-workers`) is held to the workers' rule as a member.
    for worker in PartyWorker.objects.filter(full_time=True).select_related("party_org", "person"):
        worker.role = "full-time worker"  # type: ignore[attr-defined]
        offices.append(worker)
    trainings = list(Training.objects.order_by("pk"))

    def held(office: Any, day: dt.date) -> bool:
        return office.started_on <= day and (office.ended_on is None or office.ended_on > day)

    def took(person_id: int, lo: dt.date, hi: dt.date, kinds: set[str]) -> list[Any]:
        return [
            t for t in trainings
            if t.person_id == person_id and t.kind in kinds and lo <= t.ended_on <= hi
        ]  # fmt: skip

    for office in offices:
        po = office.party_org
        if not (po.is_active(on) and po.form in COVERING and party_org_inside(area, po)):
            continue
        who = mask(office.person.id_number)
        whole_year = office.started_on <= mid and held(office, end) and po.founded_on <= end
        if office.role == "secretary":
            if whole_year:
                done = took(office.person_id, first, end, TRAINED)
                if not done or sum(t.days for t in done) < policy["secretary_training_min_days"]:
                    out.add(("CAD-SECRETARY-TRAINING", "person", who, po.code, str(y)))
            s = office.started_on
            renewed = any(
                o.person_id == office.person_id and o.party_org_id == po.pk
                and o.role == "secretary" and o.ended_on == s
                for o in offices
            )  # fmt: skip
            t = months_later(s, policy["new_secretary_training_months"])
            if (
                s >= policy.effective_on
                and not renewed
                and t < on
                and held(office, t)
                and not took(office.person_id, s, t, {"induction"})
            ):
                out.add(("CAD-NEW-SECRETARY", "person", who, po.code, s.isoformat()))
        else:
            secretary_there = any(
                o.person_id == office.person_id and o.party_org_id == po.pk
                and o.role == "secretary" and held(o, end)
                for o in offices
            )  # fmt: skip
            if (
                whole_year
                and not secretary_there
                and not took(office.person_id, first, end, TRAINED)
            ):
                out.add(("CAD-WORKER-TRAINING", "person", who, po.code, str(y)))
    return out


def development_demanded(on: dt.date, policy: Policy, area: Area | None) -> set[Demand]:
    """DEV-TALK, DEV-ACTIVIST-TIME, DEV-PROBATION-OVERDUE (CONTRACT.md), applicant by
    applicant and membership by membership: (rule, "person", masked number). An applicant
    belongs to the Party organization developing them, a member to the one holding their
    relation; the rules check those active on the day, of a covering form (docs/development.md)."""
    from dangjian.development.models import Applicant

    out: set[Demand] = set()

    def checked(po: PartyOrganization | None) -> bool:
        return (
            po is not None
            and po.is_active(on)
            and po.form in COVERING
            and party_org_inside(area, po)
        )

    for a in Applicant.objects.select_related("party_org__township", "person"):
        if not checked(a.party_org):
            continue
        who = mask(a.person.id_number)
        developing = a.status == "developing" or (
            a.status_changed_on is not None and a.status_changed_on > on
        )
        due = months_later(a.applied_on, policy["talk_within_months"])
        talked_in_time = a.talked_on is not None and a.talked_on <= due
        if developing and due < on and not talked_in_time:
            out.add(("DEV-TALK", "person", who))
        if (
            a.activist_on is not None
            and a.candidate_on is not None
            and a.candidate_on < months_later(a.activist_on, policy["activist_min_months"])
        ):
            out.add(("DEV-ACTIVIST-TIME", "person", who))
    for m in Membership.objects.select_related("relation_party_org__township", "person"):
        if not checked(m.relation_party_org) or not m.is_member(on) or m.is_formal(on):
            continue
        ends = m.probation_extended_to or months_later(m.joined_on, policy["probation_months"])
        if months_later(ends, policy["probation_grace_months"]) < on:
            out.add(("DEV-PROBATION-OVERDUE", "person", mask(m.person.id_number)))
    return out


def dues_demanded(on: dt.date, policy: Policy, area: Area | None) -> set[Demand]:
    """MEM-DUES-LAPSE and FUN-DUES-RETURN (CONTRACT.md), member by member and return by
    return: (rule, "person", masked number, last month paid before the window or "") and
    (rule, "party_org", code, year)."""
    from dangjian.dues.models import DuesPayment, DuesReturn

    out: set[Demand] = set()
    months = policy["dues_lapse_months"]
    this_month = on.replace(day=1)
    window = [months_later(this_month, -k) for k in range(months, 0, -1)]
    for m in Membership.objects.select_related("relation_party_org__township", "person"):
        po = m.relation_party_org
        if po is None or not po.is_active(on) or po.form not in COVERING:
            continue
        if not party_org_inside(area, po) or not m.is_member(on) or not window:
            continue
        if not m.joined_on < window[0]:
            continue
        paid = [p.month for p in DuesPayment.objects.filter(person=m.person) if p.paid > 0]
        if any(month in window for month in paid):
            continue
        before = [month for month in paid if month < window[0]]
        last = f"{max(before):%Y-%m}" if before else ""
        out.add(("MEM-DUES-LAPSE", "person", mask(m.person.id_number), last))
    for r in DuesReturn.objects.select_related("party_org__township"):
        po = r.party_org
        if po.form not in SOCIAL_FORMS or not party_org_inside(area, po):
            continue
        if r.year < on.year and r.returned < r.paid_up:
            out.add(("FUN-DUES-RETURN", "party_org", po.code, str(r.year)))
    return out


SIX = ["has_place", "has_facilities", "has_sign", "has_flag", "has_reading", "has_rules"]


def dynamics_demanded(on: dt.date, area: Area | None) -> set[Demand]:
    """DYN-INSPECTION, DYN-WEAK-OVERDUE and VEN-SIX (CONTRACT.md), record by record:
    (rule, "social_org", uscc, year inspected), (rule, "party_org", code, 认定日期) and
    (rule, "party_org", code)."""
    out: set[Demand] = set()
    for org in SocialOrganization.objects.select_related("township").order_by("pk"):
        if not org_inside(area, org) or not org.is_active(on):
            continue
        done = [i for i in org.inspections.all() if i.inspected_on <= on]
        if done:
            latest = max(done, key=lambda i: i.year)
            if not latest.party_section:
                out.add(("DYN-INSPECTION", "social_org", org.uscc, str(latest.year)))
    for po in PartyOrganization.objects.select_related("township").order_by("pk"):
        if not party_org_inside(area, po) or not po.is_active(on):
            continue
        for r in po.rectifications.all():
            open_on = r.resolved_on is None or r.resolved_on > on
            if r.identified_on <= on and open_on and r.deadline < on:
                out.add(("DYN-WEAK-OVERDUE", "party_org", po.code, r.identified_on.isoformat()))
        if po.form not in COVERING:
            continue
        checks = [v for v in po.venues.all() if v.checked_on <= on]
        if not checks:
            out.add(("VEN-SIX", "party_org", po.code))
            continue
        latest_check = max(checks, key=lambda v: v.checked_on)
        if not all(getattr(latest_check, f) for f in SIX):
            out.add(("VEN-SIX", "party_org", po.code))
    return out
