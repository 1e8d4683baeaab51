"""五 加强以党组织书记为重点的骨干队伍建设 — secretaries, committees, terms and Party
workers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from dangjian.compliance.facts import Facts, PartyOrgFacts
from dangjian.compliance.policy import Policy
from dangjian.compliance.rules.base import Finding, Subject, add_years, days, rule
from dangjian.partyorgs.models import SOCIAL_ORG_FORMS, CommitteeRole, PartyOrgLevel


def checks(form: str) -> bool:
    """Whether these rules check a Party organization of that form: those of social
    organizations, never the territorial ones (POLICY.md)."""
    return form in SOCIAL_ORG_FORMS


def _checked(facts: Facts) -> Iterator[PartyOrgFacts]:
    """Active Party organizations of social organizations: the ones these rules check."""
    return (p for p in facts.party_orgs.values() if p.active and checks(p.form))


def _subject(party_org: PartyOrgFacts) -> Subject:
    return Subject("party_org", party_org.code, party_org.name, party_org.pk)


@rule(
    id="ORG-SECRETARY",
    clause="五.1",
    title="党组织配备书记",
    quote="选优配强社会组织党组织书记。党组织书记一般从社会组织内部选举产生",
    severity="high",
    subject="party_org",
    action="选举产生党组织书记；内部没有合适人选的，提请上级党组织选派或公开招聘后按党内选举程序任职",
    settings=("fix_within_days",),
)
def secretary(facts: Facts, policy: Policy) -> Iterator[Finding]:
    for party_org in _checked(facts):
        if party_org.holders(CommitteeRole.SECRETARY):
            continue
        since = max(party_org.founded_on, party_org.last_secretary_left or party_org.founded_on)
        since = max(since, policy.effective_on)
        yield Finding(
            _subject(party_org),
            party_org.township_code,
            "没有在任的党组织书记"
            + (
                f"（上任书记于{party_org.last_secretary_left}离任）"
                if party_org.last_secretary_left
                else ""
            ),
            days(since, policy["fix_within_days"]),
            {"offices": party_org.office_holders},
        )


@rule(
    id="ORG-COMMITTEE",
    clause="五.1",
    title="正式党员7人以上的党支部设支部委员会",
    quote="选优配强社会组织党组织书记",
    severity="medium",
    subject="party_org",
    action="正式党员7人以上的党支部选举产生支部委员会（3至5人）；不足7人的只设书记，必要时设1名副书记",
    settings=("branch_committee_min_formal_members", "fix_within_days"),
)
def committee(facts: Facts, policy: Policy) -> Iterator[Finding]:
    n = policy["branch_committee_min_formal_members"]
    for party_org in _checked(facts):
        if party_org.level != PartyOrgLevel.BRANCH:
            continue
        size = party_org.office_holders
        deputies = party_org.holders(CommitteeRole.DEPUTY)
        if party_org.formal_members >= n and size < 3:
            message = (
                f"有{party_org.formal_members}名正式党员，未设支部委员会（现有班子成员{size}人）"
            )
        elif party_org.formal_members < n and deputies > 1:
            message = f"正式党员不足{n}人，只设书记和1名副书记（现有副书记{deputies}人）"
        else:
            continue
        yield Finding(
            _subject(party_org),
            party_org.township_code,
            message,
            None,
            {"formal_members": party_org.formal_members, "offices": size, "deputies": deputies},
        )


TERM_SETTING = {
    PartyOrgLevel.BRANCH: "branch_term_years",
    PartyOrgLevel.GENERAL_BRANCH: "general_branch_term_years",
    PartyOrgLevel.COMMITTEE: "committee_term_years",
}


class _Termed(Protocol):
    """A Party organization as the model or the facts give it."""

    @property
    def level(self) -> str: ...
    @property
    def form(self) -> str: ...
    @property
    def founded_on(self) -> dt.date: ...
    @property
    def term_started_on(self) -> dt.date | None: ...


@dataclass(frozen=True)
class Term:
    started: dt.date  # the current term's start, or the founding where none is recorded
    years: int
    ends: dt.date
    checked: bool  # ORG-TERM checks this Party organization's term

    def run_out(self, on: dt.date) -> bool:
        """ORG-TERM's condition on a day the Party organization is active: a checked term
        that has ended (a term ending on the day has run out)."""
        return self.checked and self.ends <= on


def current_term(party_org: _Termed, policy: Policy) -> Term:
    """The current term of a Party organization, as ORG-TERM reads it (the web pages show
    the same, and flag only what the rule finds)."""
    years = policy[TERM_SETTING[PartyOrgLevel(party_org.level)]]
    started = party_org.term_started_on or party_org.founded_on
    return Term(started, years, add_years(started, years), checks(party_org.form))


@rule(
    id="ORG-TERM",
    clause="五.1",
    title="党组织按期换届",
    quote="再按党内选举程序任职",
    severity="medium",
    subject="party_org",
    action="按党内选举程序召开党员大会（党员代表大会）进行换届选举",
    settings=("branch_term_years", "general_branch_term_years", "committee_term_years"),
)
def term(facts: Facts, policy: Policy) -> Iterator[Finding]:
    for party_org in _checked(facts):
        term = current_term(party_org, policy)
        if not term.run_out(facts.as_of):
            continue
        yield Finding(
            _subject(party_org),
            party_org.township_code,
            f"本届任期自{term.started}起{term.years}年，已于{term.ends}届满，尚未换届",
            max(term.ends, policy.effective_on),  # nothing falls due before the policy
            {"term_started_on": term.started.isoformat(), "term_years": term.years},
        )


@rule(
    id="CAD-FULLTIME",
    clause="五.2",
    title="党员人数较多的党组织配备专职党务工作者",
    quote="规模较大、党员人数较多的社会组织，要配备专职党务工作者",
    severity="medium",
    subject="party_org",
    action="配备至少1名专职党务工作者",
    settings=("fulltime_worker_min_members", "fix_within_days"),
)
def full_time_worker(facts: Facts, policy: Policy) -> Iterator[Finding]:
    n = policy["fulltime_worker_min_members"]
    for party_org in _checked(facts):
        if party_org.members < n or party_org.full_time_workers:
            continue
        yield Finding(
            _subject(party_org),
            party_org.township_code,
            f"有党员{party_org.members}名，没有专职党务工作者",
            None,
            {"members": party_org.members},
        )
