"""五.4 Recommendations of leaders (CAD-RECOMMENDATION, at the end) and 五.3 Training of the
backbone: secretaries each year (CAD-SECRETARY-TRAINING), new
secretaries within months of appointment (CAD-NEW-SECRETARY), the other Party workers
each year (CAD-WORKER-TRAINING) — exactly as CONTRACT.md's rules of Party work say, over the
facts of `dangjian/compliance/facts/cadres.py`.

Each is a finding about a person (the masked identity number is its key) and one Party
organization (`facts.party_org`): someone who holds office in two is found for each. The
occurrence is the year (or the appointment day) and the Party organization's code, so a
person's findings sort by year, then Party organization."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from dangjian.cadres.models import RecommendationKind, TrainingKind
from dangjian.compliance.facts import Facts
from dangjian.compliance.facts.cadres import Office, number
from dangjian.compliance.facts.life import add_months
from dangjian.compliance.policy import Policy
from dangjian.compliance.rules.base import Finding, Subject, rule
from dangjian.lib.dated import holds_on
from dangjian.partyorgs.models import CommitteeRole


def _subject(office: Office) -> Subject:
    return Subject("person", office.masked, office.name, office.person)


def _year(facts: Facts) -> tuple[int, dt.date, dt.date, dt.date]:
    """The last closed year of the date: (Y, 01-01, 06-30, 12-31)."""
    y = facts.as_of.year - 1
    return y, dt.date(y, 1, 1), dt.date(y, 6, 30), dt.date(y, 12, 31)


def _held_all_year(office: Office, mid: dt.date, end: dt.date) -> bool:
    """Held on 12-31 of the year, having started on or before its 06-30 (in a Party
    organization founded by then)."""
    return (
        office.started_on <= mid
        and office.founded_on <= end
        and holds_on(office.started_on, office.ended_on, end)
    )


def _days_text(days: Decimal) -> str:
    return str(number(days))


@rule(
    id="CAD-SECRETARY-TRAINING",
    clause="五.3",
    title="党组织书记每年参加集中培训",
    quote="党组织书记每年至少参加1次集中培训，累计时间不少于1周",
    severity="medium",
    subject="person",
    action="安排书记参加集中培训或任职培训，全年累计不少于规定天数，并录入培训记录",
    settings=("secretary_training_min_days",),
)
def secretary_training(facts: Facts, policy: Policy) -> Iterator[Finding]:
    y, first, mid, end = _year(facts)
    least = Decimal(policy["secretary_training_min_days"])
    trainings = facts.cadre_trainings(first, end)
    seen: set[tuple[int, int]] = set()
    for office in facts.cadre_offices:
        key = (office.person, office.party_org)
        if office.role != CommitteeRole.SECRETARY or key in seen:
            continue
        if not _held_all_year(office, mid, end):
            continue
        seen.add(key)
        took = [t for t in trainings.get(office.person, ()) if first <= t.ended_on <= end]
        days = sum((t.days for t in took), Decimal(0))
        if took and days >= least:
            continue
        message = (
            f"{y}年度参加集中培训、任职培训{len(took)}次共{_days_text(days)}天，"
            f"少于{_days_text(least)}天"
            if took
            else f"{y}年度未参加集中培训或任职培训"
        )
        yield Finding(
            _subject(office),
            office.township_code,
            f"{office.party_org_name}书记{message}",
            end,
            {"year": y, "trainings": len(took), "days": number(days), "party_org": office.code},
            occurrence=f"{y} {office.code}",
        )


@rule(
    id="CAD-NEW-SECRETARY",
    clause="五.3",
    title="新任党组织书记按期参加任职培训",
    quote="新任党组织书记要在半年内完成任职培训",
    severity="medium",
    subject="person",
    action="安排新任书记参加任职培训，并录入培训记录",
    settings=("new_secretary_training_months",),
)
def new_secretary(facts: Facts, policy: Policy) -> Iterator[Finding]:
    months = int(policy["new_secretary_training_months"])
    d = facts.as_of
    since = policy.effective_on
    trainings = facts.induction_trainings(since)
    # (person, Party organization) -> the days a 书记 office of theirs there ended
    ended: dict[tuple[int, int], set[dt.date]] = {}
    for office in facts.cadre_offices:
        if office.role == CommitteeRole.SECRETARY and office.ended_on is not None:
            ended.setdefault((office.person, office.party_org), set()).add(office.ended_on)
    seen: set[tuple[int, int, dt.date]] = set()
    for office in facts.cadre_offices:
        s = office.started_on
        key = (office.person, office.party_org, s)
        if office.role != CommitteeRole.SECRETARY or s < since or key in seen:
            continue
        seen.add(key)
        if s in ended.get((office.person, office.party_org), ()):
            continue  # the same person's office there went on: not a new secretary
        deadline = add_months(s, months)
        if not deadline < d or not holds_on(s, office.ended_on, deadline):
            continue
        if any(
            t.kind == TrainingKind.INDUCTION and s <= t.ended_on <= deadline
            for t in trainings.get(office.person, ())
        ):
            continue
        yield Finding(
            _subject(office),
            office.township_code,
            f"{s}任{office.party_org_name}书记，{months}个月内（至{deadline}）未参加任职培训",
            deadline,
            {"appointed_on": s.isoformat(), "party_org": office.code},
            occurrence=f"{s.isoformat()} {office.code}",
        )


@rule(
    id="CAD-WORKER-TRAINING",
    clause="五.3",
    title="党务工作者每年参加集中培训",
    quote="其他党务工作者每年至少应参加1次集中培训",
    severity="low",
    subject="person",
    action="安排副书记、委员和专职党务工作者参加集中培训，并录入培训记录",
)
def worker_training(facts: Facts, policy: Policy) -> Iterator[Finding]:
    y, first, mid, end = _year(facts)
    trainings = facts.cadre_trainings(first, end)
    secretaries = {
        (o.person, o.party_org)
        for o in facts.cadre_offices
        if o.role == CommitteeRole.SECRETARY and holds_on(o.started_on, o.ended_on, end)
    }
    seen: set[tuple[int, int]] = set()
    for office in facts.cadre_offices:
        key = (office.person, office.party_org)
        if office.role == CommitteeRole.SECRETARY or key in seen or key in secretaries:
            continue
        if not _held_all_year(office, mid, end):
            continue
        seen.add(key)
        if any(first <= t.ended_on <= end for t in trainings.get(office.person, ())):
            continue
        role = "专职党务工作者" if office.full_time else office_label(office.role)
        # (a full-time worker outside the committee is an office of role WORKER)
        yield Finding(
            _subject(office),
            office.township_code,
            f"{office.party_org_name}{role}{y}年度未参加集中培训",
            end,
            {"year": y, "party_org": office.code},
            occurrence=f"{y} {office.code}",
        )


def office_label(role: str) -> str:
    return str(dict(CommitteeRole.choices).get(role, role))


@rule(
    id="CAD-RECOMMENDATION",
    clause="五.4",
    title="推荐社会组织负责人征求党组织意见",
    quote="推荐时要征求社会组织党组织的意见",
    severity="medium",
    subject="person",
    action="征求社会组织党组织对推荐人选的意见，并录入党组织意见",
)
def recommendation(facts: Facts, policy: Policy) -> Iterator[Finding]:
    for r in facts.pending_recommendations:
        label = str(RecommendationKind(r.kind).label)
        yield Finding(
            Subject("person", r.masked, r.name, r.person),
            r.township_code,
            f"{r.recommended_on}推荐为{label}，未征求党组织意见",
            r.recommended_on,
            {"kind": label, "recommended_on": r.recommended_on.isoformat()},
            occurrence=f"{r.recommended_on.isoformat()} {label}",
        )
