"""四.3 The development of members: an application answered by a talk within a month
(DEV-TALK), an activist trained long enough before becoming a 发展对象 (DEV-ACTIVIST-TIME),
a probation decided on in time (DEV-PROBATION-OVERDUE) — exactly as CONTRACT.md's rules of
Party work say, over the facts of `dangjian/compliance/facts/development.py`.

Each is a finding about a person (the masked identity number is its key), found at most
once per rule: one applicant record and one membership per person (occurrence "")."""

from __future__ import annotations

from collections.abc import Iterator

from dangjian.compliance.facts import Facts
from dangjian.compliance.facts.life import add_months
from dangjian.compliance.policy import Policy
from dangjian.compliance.rules.base import Finding, Subject, rule
from dangjian.development.models import developing_on


@rule(
    id="DEV-TALK",
    clause="四.3",
    title="入党申请人按期谈话",
    quote="按照保持党员队伍先进性和纯洁性的要求，严格把关，注重质量",
    severity="medium",
    subject="person",
    action="党组织派人同入党申请人谈话，并录入谈话日期",
    settings=("talk_within_months",),
)
def talk(facts: Facts, policy: Policy) -> Iterator[Finding]:
    months = policy["talk_within_months"]
    d = facts.as_of
    for a in facts.applicants:
        if not developing_on(a.status, a.status_changed_on, d):
            continue
        due = add_months(a.applied_on, months)
        if not due < d or (a.talked_on is not None and a.talked_on <= due):
            continue
        yield Finding(
            Subject("person", a.masked, a.name, a.person),
            a.township_code,
            f"{a.applied_on}向{a.party_org_name}提出入党申请，{months}个月内（至{due}）未谈话",
            due,
            {"applied_on": a.applied_on.isoformat(), "party_org": a.party_org},
        )


@rule(
    id="DEV-ACTIVIST-TIME",
    clause="四.3",
    title="入党积极分子培养期满方可确定为发展对象",
    quote="严格把关，注重质量",
    severity="medium",
    subject="person",
    action="核实培养经过；培养期不足的，按规定继续培养考察后再确定为发展对象",
    settings=("activist_min_months",),
    dated=False,  # CONTRACT.md: due null
)
def activist_time(facts: Facts, policy: Policy) -> Iterator[Finding]:
    months = policy["activist_min_months"]
    for a in facts.applicants:
        if a.activist_on is None or a.candidate_on is None:
            continue
        least = add_months(a.activist_on, months)
        if not a.candidate_on < least:
            continue
        yield Finding(
            Subject("person", a.masked, a.name, a.person),
            a.township_code,
            f"{a.activist_on}确定为入党积极分子，{a.candidate_on}即确定为发展对象，"
            f"培养不满{months}个月（应不早于{least}）",
            None,
            {"activist_on": a.activist_on.isoformat(), "candidate_on": a.candidate_on.isoformat()},
        )


@rule(
    id="DEV-PROBATION-OVERDUE",
    clause="四.3",
    title="预备期满及时讨论转正",
    quote="加大在社会组织一线员工、专业骨干及管理人员中发展党员的工作力度",
    severity="medium",
    subject="person",
    action="预备期满后及时讨论其能否转为正式党员，并录入转正日期（或延长预备期）",
    settings=("probation_months", "probation_grace_months"),
)
def probation_overdue(facts: Facts, policy: Policy) -> Iterator[Finding]:
    months, grace = policy["probation_months"], policy["probation_grace_months"]
    d = facts.as_of
    for m in facts.probationers:
        ends = m.extended_to or add_months(m.joined_on, months)
        due = add_months(ends, grace)
        if not due < d:
            continue
        how = "延长后的预备期" if m.extended_to else "预备期"
        yield Finding(
            Subject("person", m.masked, m.name, m.person),
            m.township_code,
            f"{m.joined_on}入党，{how}已于{ends}期满超过{grace}个月，尚未作出转正决定",
            due,
            {"joined_on": m.joined_on.isoformat(), "probation_ends": ends.isoformat()},
        )
