"""Rules of 三 (full coverage and dynamic management) at every threshold and date boundary:
COV-STANDALONE, COV-JOINT (with 纳入管理), COV-INSTRUCTOR, DYN-DISSOLVE, DYN-TRANSFER."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from dangjian.compliance.engine import evaluate
from dangjian.compliance.policy import load
from dangjian.compliance.rules.base import Finding
from dangjian.orgs.models import OrgStatus
from tests import factories

pytestmark = pytest.mark.django_db

D = dt.date(2024, 6, 15)
BEFORE, AFTER = D - dt.timedelta(days=1), D + dt.timedelta(days=1)
LONG_AGO = dt.date(2016, 1, 1)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def findings(rule: str, as_of: dt.date = D, area=None) -> dict[str, Finding]:
    """The findings of one rule, by subject key."""
    return {f.subject.key: f for f in evaluate(as_of=as_of, area=area, rules=[rule]).findings}


def keys(rule: str, as_of: dt.date = D, area=None) -> set[str]:
    return set(findings(rule, as_of, area))


def formal_members(org, n: int, **fields) -> list:
    return [factories.member(org, **fields) for _ in range(n)]


@pytest.fixture
def org(areas):
    return factories.org(areas["wenyilu"])


# COV-STANDALONE -----------------------------------------------------------------------------


@pytest.mark.parametrize(("formal", "expected"), [(2, False), (3, True), (4, True)])
def test_it_asks_for_a_standalone_party_org_from_three_formal_members(org, formal, expected):
    formal_members(org, formal)
    assert (org.uscc in keys("COV-STANDALONE")) is expected
    assert (org.uscc in keys("COV-JOINT")) is not expected


def test_it_never_counts_probationary_members_towards_three(org):
    formal_members(org, 2)
    formal_members(org, 5, confirmed_on=None)
    assert org.uscc not in keys("COV-STANDALONE")
    assert findings("COV-JOINT")[org.uscc].facts == {"formal_members": 2}


@pytest.mark.parametrize(("confirmed_on", "expected"), [(BEFORE, True), (D, True), (AFTER, False)])
def test_it_makes_a_member_formal_on_the_day_of_confirmation(org, confirmed_on, expected):
    formal_members(org, 2)
    factories.member(org, joined_on=dt.date(2023, 6, 1), confirmed_on=confirmed_on)
    assert (org.uscc in keys("COV-STANDALONE")) is expected


@pytest.mark.parametrize(
    ("employed_on", "left_on", "expected"),
    [
        (D, None, True),  # employment starting on the date counts
        (AFTER, None, False),
        (None, None, True),  # no known start: employed all along
        (LONG_AGO, D, False),  # ending on the date no longer counts
        (LONG_AGO, AFTER, True),
    ],
)
def test_it_counts_members_employed_on_the_date(org, employed_on, left_on, expected):
    formal_members(org, 2)
    factories.member(org, employed_on=employed_on, left_on=left_on)
    assert (org.uscc in keys("COV-STANDALONE")) is expected


def test_it_counts_a_member_employed_twice_in_one_organization_once(org):
    formal_members(org, 1)
    twice = factories.member(org)
    factories.employ(twice, org, started_on=dt.date(2020, 1, 1))
    assert org.uscc not in keys("COV-STANDALONE")
    assert findings("COV-JOINT")[org.uscc].facts["formal_members"] == 2


def test_it_counts_a_member_with_two_employers_in_each(areas, org):
    other = factories.org(areas["chaoyang"])
    people = formal_members(org, 3)
    for person in people:
        factories.employ(person, other)
    assert keys("COV-STANDALONE") == {org.uscc, other.uscc}


def test_it_ignores_members_not_yet_admitted(org):
    formal_members(org, 2)
    factories.member(org, joined_on=AFTER, confirmed_on=None)
    assert org.uscc not in keys("COV-STANDALONE")


@pytest.mark.parametrize(
    ("form", "expected"),
    [("standalone", False), ("joint", True), ("functional", True), ("industry", True)],
)
def test_it_is_satisfied_only_by_a_standalone_party_org(areas, org, form, expected):
    formal_members(org, 3)
    factories.party_org(areas["wenyilu"], form=form, covers=[org])
    found = findings("COV-STANDALONE")
    assert (org.uscc in found) is expected
    if expected:
        assert found[org.uscc].facts["covered_by_joint"] is (form != "industry")


@pytest.mark.parametrize(("dissolved_on", "expected"), [(D, True), (AFTER, False)])
def test_it_stops_counting_a_party_org_dissolved_on_the_date(areas, org, dissolved_on, expected):
    formal_members(org, 3)
    factories.party_org(
        areas["wenyilu"], covers=[org], status="dissolved", dissolved_on=dissolved_on
    )
    assert (org.uscc in keys("COV-STANDALONE")) is expected


@pytest.mark.parametrize(
    ("started_on", "ended_on", "expected"),
    [(D, None, False), (AFTER, None, True), (LONG_AGO, D, True), (LONG_AGO, AFTER, False)],
)
def test_it_counts_coverage_from_its_first_day_to_the_day_before_its_end(
    areas, org, started_on, ended_on, expected
):
    formal_members(org, 3)
    party_org = factories.party_org(areas["wenyilu"], founded_on=LONG_AGO)
    factories.cover(party_org, org, started_on=started_on, ended_on=ended_on)
    assert (org.uscc in keys("COV-STANDALONE")) is expected


def test_it_counts_a_party_org_only_from_its_founding(areas, org):
    formal_members(org, 3)
    party_org = factories.party_org(areas["wenyilu"], founded_on=AFTER)
    factories.cover(party_org, org, started_on=AFTER)
    assert org.uscc in keys("COV-STANDALONE")
    assert org.uscc not in keys("COV-STANDALONE", as_of=AFTER)


@pytest.mark.parametrize(
    ("status", "changed_on", "expected"),
    [
        (OrgStatus.DEREGISTERED, D, False),  # deregistered on the date: no longer active
        (OrgStatus.DEREGISTERED, AFTER, True),
        (OrgStatus.REVOKED, BEFORE, False),
        (OrgStatus.INACTIVE, D, False),
        (OrgStatus.INACTIVE, AFTER, True),
    ],
)
def test_it_checks_only_organizations_active_on_the_date(areas, status, changed_on, expected):
    org = factories.org(areas["wenyilu"], status=status, status_changed_on=changed_on)
    formal_members(org, 3)
    assert (org.uscc in keys("COV-STANDALONE")) is expected


@pytest.mark.parametrize(("registered_on", "expected"), [(D, True), (AFTER, False)])
def test_it_checks_an_organization_from_its_registration(areas, registered_on, expected):
    org = factories.org(areas["wenyilu"], registered_on=registered_on)
    formal_members(org, 3)
    assert (org.uscc in keys("COV-STANDALONE")) is expected


def test_it_falls_due_sixty_days_after_the_third_formal_member(org):
    factories.member(org, employed_on=dt.date(2020, 1, 1))
    factories.member(org, employed_on=dt.date(2021, 1, 1))
    factories.member(org, joined_on=dt.date(2021, 3, 1), confirmed_on=dt.date(2022, 3, 1))
    factories.member(org, employed_on=dt.date(2023, 1, 1))  # the fourth changes nothing
    finding = findings("COV-STANDALONE")[org.uscc]
    assert finding.due == dt.date(2022, 3, 1) + days(60)
    assert finding.facts == {"formal_members": 4, "covered_by_joint": False}
    assert finding.area == "430102001"


def test_it_never_falls_due_before_the_policy_took_effect(org):
    formal_members(org, 3)  # all employed in 2012
    assert findings("COV-STANDALONE")[org.uscc].due == load().effective_on + days(60)


# COV-JOINT ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("formal", "rule"),
    [(0, "COV-INSTRUCTOR"), (1, "COV-JOINT"), (2, "COV-JOINT"), (3, "COV-STANDALONE")],
)
def test_it_asks_for_a_joint_party_org_from_one_to_two_formal_members(org, formal, rule):
    formal_members(org, formal)
    result = evaluate(as_of=D, rules=["COV-STANDALONE", "COV-JOINT", "COV-INSTRUCTOR"])
    assert [(f.rule, f.subject.key) for f in result.findings] == [(rule, org.uscc)]


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ("standalone", False),
        ("joint", False),
        ("functional", False),
        ("industry", True),
        ("township", True),
        ("community", True),
    ],
)
def test_it_counts_standalone_joint_and_functional_coverage(areas, org, form, expected):
    formal_members(org, 2)
    factories.party_org(areas["wenyilu"], form=form, covers=[org])
    assert (org.uscc in keys("COV-JOINT")) is expected


@pytest.mark.parametrize(("dissolved_on", "expected"), [(D, True), (AFTER, False)])
def test_it_stops_counting_a_joint_party_org_dissolved_on_the_date(
    areas, org, dissolved_on, expected
):
    formal_members(org, 1)
    factories.party_org(
        areas["wenyilu"], form="joint", covers=[org], status="dissolved", dissolved_on=dissolved_on
    )
    assert (org.uscc in keys("COV-JOINT")) is expected


@pytest.mark.parametrize("form", ["industry", "township", "community"])
def test_it_accepts_a_lone_member_whose_relation_sits_nearby(areas, org, form):
    holder = factories.party_org(areas["wenyilu"], form=form, level="committee")
    factories.member(org, relation=holder)
    assert org.uscc not in keys("COV-JOINT")


@pytest.mark.parametrize(("dissolved_on", "expected"), [(BEFORE, True), (D, True), (AFTER, False)])
def test_it_refuses_a_lone_members_relation_in_a_dissolved_party_org(
    areas, org, dissolved_on, expected
):
    holder = factories.party_org(
        areas["wenyilu"], form="township", status="dissolved", dissolved_on=dissolved_on
    )
    factories.member(org, relation=holder)
    assert (org.uscc in keys("COV-JOINT")) is expected


def test_it_refuses_a_lone_members_relation_in_a_party_org_not_yet_founded(areas, org):
    holder = factories.party_org(areas["wenyilu"], form="township", founded_on=AFTER)
    factories.member(org, relation=holder)
    assert org.uscc in keys("COV-JOINT")
    assert org.uscc not in keys("COV-JOINT", as_of=AFTER)


@pytest.mark.parametrize("form", ["standalone", "joint", "functional"])
def test_it_refuses_a_lone_members_relation_in_another_organizations_party_org(areas, org, form):
    elsewhere = factories.org(areas["wenyilu"])
    holder = factories.party_org(areas["wenyilu"], form=form, covers=[elsewhere])
    factories.member(org, relation=holder)
    assert org.uscc in keys("COV-JOINT")


def test_it_accepts_nearby_relations_only_for_a_single_member(areas, org):
    township = factories.party_org(areas["wenyilu"], form="township", level="committee")
    factories.member(org, relation=township)
    factories.member(org, relation=township)
    assert org.uscc in keys("COV-JOINT")


def test_it_looks_at_the_formal_member_when_a_probationary_one_works_there_too(areas, org):
    township = factories.party_org(areas["wenyilu"], form="township", level="committee")
    factories.member(org, relation=township)
    factories.member(org, confirmed_on=None)  # probationary, no relation
    assert org.uscc not in keys("COV-JOINT")


def test_it_falls_due_sixty_days_after_the_first_formal_member(org):
    factories.member(org, employed_on=dt.date(2023, 2, 1))
    factories.member(org, employed_on=dt.date(2024, 1, 1))
    assert findings("COV-JOINT")[org.uscc].due == dt.date(2023, 2, 1) + days(60)


# COV-INSTRUCTOR -----------------------------------------------------------------------------


def test_it_asks_for_an_instructor_where_there_is_no_formal_member(org):
    factories.member(org, confirmed_on=None)  # probationary members do not count
    finding = findings("COV-INSTRUCTOR")[org.uscc]
    assert finding.facts == {"formal_members": 0, "members": 1}


@pytest.mark.parametrize(
    ("started_on", "ended_on", "expected"),
    [
        (D, None, False),  # an assignment starting on the date counts
        (AFTER, None, True),
        (LONG_AGO, D, True),  # an assignment ending on the date no longer does
        (LONG_AGO, AFTER, False),
    ],
)
def test_it_counts_an_instructor_assigned_on_the_date(org, started_on, ended_on, expected):
    factories.instructor_assignment(org, started_on=started_on, ended_on=ended_on)
    assert (org.uscc in keys("COV-INSTRUCTOR")) is expected


def test_it_needs_no_instructor_where_a_party_org_covers(areas, org):
    factories.party_org(areas["wenyilu"], form="joint", covers=[org])
    assert org.uscc not in keys("COV-INSTRUCTOR")


def test_it_needs_no_instructor_in_an_inactive_organization(areas):
    org = factories.org(areas["wenyilu"], status="deregistered", status_changed_on=D)
    assert org.uscc not in keys("COV-INSTRUCTOR")
    assert org.uscc in keys("COV-INSTRUCTOR", as_of=BEFORE)


def test_it_falls_due_sixty_days_after_registration(areas):
    org = factories.org(areas["wenyilu"], registered_on=dt.date(2024, 3, 1))
    assert findings("COV-INSTRUCTOR")[org.uscc].due == dt.date(2024, 3, 1) + days(60)


# DYN-DISSOLVE -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [OrgStatus.DEREGISTERED, OrgStatus.REVOKED, OrgStatus.INACTIVE])
@pytest.mark.parametrize(("changed_on", "expected"), [(D, True), (AFTER, False)])
def test_it_dissolves_the_party_org_of_a_stopped_organization(areas, status, changed_on, expected):
    org = factories.org(areas["wenyilu"], status=status, status_changed_on=changed_on)
    party_org = factories.party_org(areas["wenyilu"], covers=[org])
    found = findings("DYN-DISSOLVE")
    assert (party_org.code in found) is expected
    if expected:
        assert found[party_org.code].due == D + days(30)
        assert found[party_org.code].facts == {"covered_orgs": 1, "orgs_stopped_on": D.isoformat()}


def test_it_keeps_a_joint_party_org_while_one_organization_is_active(areas):
    stopped = factories.org(areas["wenyilu"], status="deregistered", status_changed_on=BEFORE)
    still = factories.org(areas["wenyilu"], status="inactive", status_changed_on=AFTER)
    party_org = factories.party_org(areas["wenyilu"], form="joint", covers=[stopped, still])
    assert party_org.code not in keys("DYN-DISSOLVE")
    finding = findings("DYN-DISSOLVE", as_of=AFTER)[party_org.code]
    assert finding.due == AFTER + days(30)  # from the last of them


@pytest.mark.parametrize(("dissolved_on", "expected"), [(D, False), (AFTER, True)])
def test_it_no_longer_asks_once_the_party_org_is_dissolved(areas, dissolved_on, expected):
    org = factories.org(areas["wenyilu"], status="deregistered", status_changed_on=BEFORE)
    party_org = factories.party_org(
        areas["wenyilu"], covers=[org], status="dissolved", dissolved_on=dissolved_on
    )
    assert (party_org.code in keys("DYN-DISSOLVE")) is expected


@pytest.mark.parametrize("form", ["township", "community"])
def test_it_does_not_check_territorial_party_orgs(areas, form):
    org = factories.org(areas["wenyilu"], status="deregistered", status_changed_on=BEFORE)
    party_org = factories.party_org(areas["wenyilu"], form=form, covers=[org])
    assert party_org.code not in keys("DYN-DISSOLVE")


def test_it_looks_at_current_coverage_only(areas):
    org = factories.org(areas["wenyilu"], status="deregistered", status_changed_on=BEFORE)
    party_org = factories.party_org(areas["wenyilu"], founded_on=LONG_AGO)
    factories.cover(party_org, org, started_on=LONG_AGO, ended_on=D)
    assert party_org.code not in keys("DYN-DISSOLVE")
    assert party_org.code in keys("DYN-DISSOLVE", as_of=BEFORE)


def test_it_reads_the_status_of_covered_organizations_outside_the_jurisdiction(areas):
    org = factories.org(areas["pozi"], status="deregistered", status_changed_on=BEFORE)
    party_org = factories.party_org(areas["wenyilu"], form="joint", covers=[org])
    assert party_org.code in keys("DYN-DISSOLVE", area=areas["furong"])
    assert party_org.code not in keys("DYN-DISSOLVE", area=areas["tianxin"])


# DYN-TRANSFER -------------------------------------------------------------------------------


MASKED = re.compile(r"^\d{6}\*{8}\d{3}[\dX]$")


@pytest.mark.parametrize(("dissolved_on", "expected"), [(BEFORE, True), (D, True), (AFTER, False)])
def test_it_transfers_members_of_a_dissolved_party_org(areas, dissolved_on, expected):
    party_org = factories.party_org(areas["wenyilu"], status="dissolved", dissolved_on=dissolved_on)
    person = factories.member(None, relation=party_org)
    found = findings("DYN-TRANSFER")
    key = person.id_masked
    assert (key in found) is expected
    if expected:
        assert MASKED.match(key)
        number = person.id_number
        assert key == number[:6] + "********" + number[-4:]
        finding = found[key]
        assert finding.subject.type == "person"
        assert finding.due == dissolved_on + days(30)
        assert finding.facts == {"party_org": party_org.code, "party_org_dissolved": True}
        assert "已撤销" in finding.message


def test_it_transfers_members_of_a_party_org_to_be_dissolved(areas):
    org = factories.org(areas["wenyilu"], status="deregistered", status_changed_on=D)
    party_org = factories.party_org(areas["wenyilu"], covers=[org])
    person = factories.member(org, relation=party_org)
    finding = findings("DYN-TRANSFER")[person.id_masked]
    assert finding.due == D + days(30) + days(30)  # dissolution's period, then the transfer's
    assert finding.facts == {"party_org": party_org.code, "party_org_dissolved": False}
    assert "应撤销" in finding.message
    assert person.id_masked not in keys("DYN-TRANSFER", as_of=BEFORE)


@pytest.mark.parametrize(("joined_on", "confirmed_on", "expected"), [
    (dt.date(2023, 1, 1), None, True),  # probationary members are transferred too
    (D, None, True),
    (AFTER, None, False),  # not a member yet
])  # fmt: skip
def test_it_transfers_every_member_admitted_by_the_date(areas, joined_on, confirmed_on, expected):
    party_org = factories.party_org(areas["wenyilu"], status="dissolved", dissolved_on=BEFORE)
    person = factories.member(
        None, joined_on=joined_on, confirmed_on=confirmed_on, relation=party_org
    )
    assert (person.id_masked in keys("DYN-TRANSFER")) is expected


def test_it_leaves_members_of_active_party_orgs_alone(areas):
    party_org = factories.party_org(areas["wenyilu"])
    factories.member(None, relation=party_org)
    assert keys("DYN-TRANSFER") == set()


def test_it_puts_a_transfer_in_the_area_of_the_dissolved_party_org(areas):
    party_org = factories.party_org(areas["pozi"], status="dissolved", dissolved_on=BEFORE)
    person = factories.member(None, relation=party_org)
    assert findings("DYN-TRANSFER")[person.id_masked].area == "430103001"
    assert keys("DYN-TRANSFER", area=areas["furong"]) == set()
    assert keys("DYN-TRANSFER", area=areas["tianxin"]) == {person.id_masked}
