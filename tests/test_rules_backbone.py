"""Rules of 五 (secretaries, committees, terms, Party workers) at every threshold and date
boundary: ORG-SECRETARY, ORG-COMMITTEE, ORG-TERM, CAD-FULLTIME — checked on Party
organizations of social organizations only."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.compliance.engine import evaluate
from dangjian.compliance.policy import load
from dangjian.compliance.rules.base import Finding
from tests import factories

pytestmark = pytest.mark.django_db

D = dt.date(2024, 6, 15)
BEFORE, AFTER = D - dt.timedelta(days=1), D + dt.timedelta(days=1)
LONG_AGO = dt.date(2016, 1, 1)
CHECKED = ["standalone", "joint", "functional", "industry"]
TERRITORIAL = ["township", "community"]


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def findings(rule: str, as_of: dt.date = D, area=None) -> dict[str, Finding]:
    return {f.subject.key: f for f in evaluate(as_of=as_of, area=area, rules=[rule]).findings}


def keys(rule: str, as_of: dt.date = D, area=None) -> set[str]:
    return set(findings(rule, as_of, area))


def branch(areas, **fields):
    fields.setdefault("founded_on", LONG_AGO)
    return factories.party_org(areas["wenyilu"], **fields)


def relations(party_org, n: int, **fields) -> list:
    """n members whose organizational relation the Party organization holds."""
    return [factories.member(None, relation=party_org, **fields) for _ in range(n)]


# ORG-SECRETARY ------------------------------------------------------------------------------


@pytest.mark.parametrize("form", CHECKED)
def test_it_asks_every_party_org_of_social_orgs_for_a_secretary(areas, form):
    party_org = branch(areas, form=form)
    assert party_org.code in keys("ORG-SECRETARY")
    factories.office(party_org)
    assert party_org.code not in keys("ORG-SECRETARY")


@pytest.mark.parametrize("form", TERRITORIAL)
def test_it_does_not_check_territorial_party_orgs_for_a_secretary(areas, form):
    party_org = branch(areas, form=form)
    assert party_org.code not in keys("ORG-SECRETARY")


@pytest.mark.parametrize(
    ("started_on", "ended_on", "expected"),
    [(D, None, False), (AFTER, None, True), (LONG_AGO, D, True), (LONG_AGO, AFTER, False)],
)
def test_it_counts_a_secretary_in_office_on_the_date(areas, started_on, ended_on, expected):
    party_org = branch(areas)
    factories.office(party_org, started_on=started_on, ended_on=ended_on)
    assert (party_org.code in keys("ORG-SECRETARY")) is expected


@pytest.mark.parametrize("role", ["deputy", "member"])
def test_it_does_not_take_a_deputy_or_member_for_a_secretary(areas, role):
    party_org = branch(areas)
    factories.office(party_org, role=role)
    assert party_org.code in keys("ORG-SECRETARY")


@pytest.mark.parametrize(("dissolved_on", "expected"), [(D, False), (AFTER, True)])
def test_it_checks_only_active_party_orgs(areas, dissolved_on, expected):
    party_org = branch(areas, status="dissolved", dissolved_on=dissolved_on)
    assert (party_org.code in keys("ORG-SECRETARY")) is expected


def test_it_checks_a_party_org_from_its_founding(areas):
    party_org = branch(areas, founded_on=D)
    assert party_org.code not in keys("ORG-SECRETARY", as_of=BEFORE)
    finding = findings("ORG-SECRETARY")[party_org.code]
    assert finding.due == D + days(30)


def test_it_falls_due_thirty_days_after_the_last_secretary_left(areas):
    party_org = branch(areas)
    factories.office(party_org, started_on=LONG_AGO, ended_on=dt.date(2020, 1, 1))
    factories.office(party_org, started_on=dt.date(2020, 3, 1), ended_on=dt.date(2024, 2, 1))
    finding = findings("ORG-SECRETARY")[party_org.code]
    assert finding.due == dt.date(2024, 2, 1) + days(30)
    assert "2024-02-01" in finding.message


def test_it_never_falls_due_before_the_policy_took_effect(areas):
    party_org = branch(areas, founded_on=dt.date(2010, 1, 1))
    assert findings("ORG-SECRETARY")[party_org.code].due == load().effective_on + days(30)


# ORG-COMMITTEE ------------------------------------------------------------------------------


@pytest.mark.parametrize(("formal", "expected"), [(6, False), (7, True)])
def test_it_asks_a_branch_of_seven_formal_members_for_a_committee(areas, formal, expected):
    party_org = branch(areas)
    factories.office(party_org)
    relations(party_org, formal)
    found = findings("ORG-COMMITTEE")
    assert (party_org.code in found) is expected
    if expected:
        assert found[party_org.code].facts == {"formal_members": 7, "offices": 1, "deputies": 0}
        assert found[party_org.code].due == D + days(30)  # never recorded: from today


@pytest.mark.parametrize(("offices", "expected"), [(2, True), (3, False), (5, False)])
def test_it_takes_three_office_holders_for_a_committee(areas, offices, expected):
    party_org = branch(areas)
    relations(party_org, 7)
    for role in ["secretary", "deputy", "member", "member", "member"][:offices]:
        factories.office(party_org, role=role)
    assert (party_org.code in keys("ORG-COMMITTEE")) is expected


def test_it_never_counts_probationary_members_towards_seven(areas):
    party_org = branch(areas)
    relations(party_org, 6)
    relations(party_org, 4, confirmed_on=None)
    assert party_org.code not in keys("ORG-COMMITTEE")


@pytest.mark.parametrize(("confirmed_on", "expected"), [(D, True), (AFTER, False)])
def test_it_counts_the_seventh_member_from_confirmation(areas, confirmed_on, expected):
    party_org = branch(areas)
    relations(party_org, 6)
    relations(party_org, 1, joined_on=dt.date(2023, 6, 1), confirmed_on=confirmed_on)
    assert (party_org.code in keys("ORG-COMMITTEE")) is expected


@pytest.mark.parametrize(("ended_on", "expected"), [(D, True), (AFTER, False)])
def test_it_counts_committee_members_in_office_on_the_date(areas, ended_on, expected):
    party_org = branch(areas)
    relations(party_org, 7)
    factories.office(party_org, role="secretary")
    factories.office(party_org, role="member")
    factories.office(party_org, role="member", ended_on=ended_on)
    assert (party_org.code in keys("ORG-COMMITTEE")) is expected


@pytest.mark.parametrize(("deputies", "expected"), [(1, False), (2, True)])
def test_it_allows_a_small_branch_one_deputy(areas, deputies, expected):
    party_org = branch(areas)
    relations(party_org, 6)
    factories.office(party_org)
    for _ in range(deputies):
        factories.office(party_org, role="deputy")
    found = findings("ORG-COMMITTEE")
    assert (party_org.code in found) is expected
    if expected:
        assert found[party_org.code].facts["deputies"] == 2


def test_it_allows_a_branch_with_a_committee_several_deputies(areas):
    party_org = branch(areas)
    relations(party_org, 7)
    factories.office(party_org)
    factories.office(party_org, role="deputy")
    factories.office(party_org, role="deputy")
    assert party_org.code not in keys("ORG-COMMITTEE")


@pytest.mark.parametrize("level", ["general_branch", "committee"])
def test_it_asks_only_branches_for_a_committee(areas, level):
    party_org = branch(areas, level=level)
    relations(party_org, 7)
    assert party_org.code not in keys("ORG-COMMITTEE")


@pytest.mark.parametrize("form", TERRITORIAL)
def test_it_does_not_check_committees_of_territorial_party_orgs(areas, form):
    party_org = branch(areas, form=form)
    relations(party_org, 7)
    assert party_org.code not in keys("ORG-COMMITTEE")


def test_it_counts_members_by_relation_not_by_employment(areas):
    org = factories.org(areas["wenyilu"])
    party_org = branch(areas, covers=[org])
    for _ in range(7):
        factories.member(org)  # employed in the covered organization, relation elsewhere
    assert party_org.code not in keys("ORG-COMMITTEE")


def test_it_counts_a_committee_by_its_people_not_its_offices(areas):
    party_org = branch(areas)
    relations(party_org, 7)
    secretary = factories.person("书记兼委员")
    factories.office(party_org, secretary, role="secretary")
    factories.office(party_org, secretary, role="member")
    factories.office(party_org, role="member")
    assert party_org.code in keys("ORG-COMMITTEE")  # two people are no committee


def test_it_counts_one_deputy_recorded_twice_as_one(areas):
    party_org = branch(areas)
    relations(party_org, 6)
    factories.office(party_org)
    deputy = factories.person("副书记")
    factories.office(party_org, deputy, role="deputy", started_on=dt.date(2020, 1, 1))
    factories.office(party_org, deputy, role="deputy", started_on=dt.date(2023, 1, 1))
    assert party_org.code not in keys("ORG-COMMITTEE")


# ORG-TERM -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "years"), [("branch", 3), ("general_branch", 3), ("committee", 5)]
)
def test_it_asks_for_an_election_when_the_term_runs_out(areas, level, years):
    started = dt.date(2019, 6, 15)
    party_org = branch(areas, level=level, term_started_on=started)
    ends = started.replace(year=2019 + years)
    assert party_org.code not in keys("ORG-TERM", as_of=ends - days(1))
    finding = findings("ORG-TERM", as_of=ends)[party_org.code]  # a term ending on the date
    assert finding.due == ends
    assert finding.facts == {"term_started_on": "2019-06-15", "term_years": years}


def test_it_counts_the_term_from_the_founding_without_an_election(areas):
    party_org = branch(areas, founded_on=dt.date(2021, 6, 15))
    assert party_org.code not in keys("ORG-TERM", as_of=dt.date(2024, 6, 14))
    assert party_org.code in keys("ORG-TERM", as_of=dt.date(2024, 6, 15))


def test_it_ends_a_term_begun_on_29_february_on_28_february(areas):
    party_org = branch(areas, founded_on=dt.date(2016, 2, 29))
    assert party_org.code not in keys("ORG-TERM", as_of=dt.date(2019, 2, 27))
    assert findings("ORG-TERM", as_of=dt.date(2019, 2, 28))[party_org.code].due == dt.date(
        2019, 2, 28
    )


@pytest.mark.parametrize("form", TERRITORIAL)
def test_it_does_not_check_terms_of_territorial_party_orgs(areas, form):
    party_org = branch(areas, form=form)
    assert party_org.code not in keys("ORG-TERM")


def test_it_does_not_check_the_term_of_a_dissolved_party_org(areas):
    party_org = branch(areas, status="dissolved", dissolved_on=D)
    assert party_org.code not in keys("ORG-TERM")
    assert party_org.code in keys("ORG-TERM", as_of=BEFORE)


# CAD-FULLTIME -------------------------------------------------------------------------------


@pytest.mark.parametrize(("members", "expected"), [(49, False), (50, True)])
def test_it_asks_a_party_org_of_fifty_members_for_a_full_time_worker(areas, members, expected):
    party_org = branch(areas, level="general_branch")
    relations(party_org, members - 1)
    relations(party_org, 1, confirmed_on=None)  # probationary members are members
    found = findings("CAD-FULLTIME")
    assert (party_org.code in found) is expected
    if expected:
        assert found[party_org.code].facts == {"members": 50}
        assert found[party_org.code].due == D + days(30)


@pytest.mark.parametrize(
    ("started_on", "ended_on", "expected"),
    [(D, None, False), (AFTER, None, True), (LONG_AGO, D, True), (LONG_AGO, AFTER, False)],
)
def test_it_counts_a_full_time_worker_in_office_on_the_date(areas, started_on, ended_on, expected):
    party_org = branch(areas, level="general_branch")
    relations(party_org, 50)
    factories.office(
        party_org, role="member", full_time=True, started_on=started_on, ended_on=ended_on
    )
    factories.office(party_org, role="secretary")  # not full time
    assert (party_org.code in keys("CAD-FULLTIME")) is expected


def test_it_counts_members_admitted_by_the_date(areas):
    party_org = branch(areas, level="general_branch")
    relations(party_org, 49)
    relations(party_org, 1, joined_on=AFTER, confirmed_on=None)
    assert party_org.code not in keys("CAD-FULLTIME")
    assert party_org.code in keys("CAD-FULLTIME", as_of=AFTER)


@pytest.mark.parametrize("form", TERRITORIAL)
def test_it_does_not_check_workers_of_territorial_party_orgs(areas, form):
    party_org = branch(areas, form=form, level="committee")
    relations(party_org, 50)
    assert party_org.code not in keys("CAD-FULLTIME")
