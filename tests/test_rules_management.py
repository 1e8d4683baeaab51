"""Rules of 二 (the management system): the 管理主体 of POLICY 2.2 in each of its four cases,
MGT-ASSIGNED on data that makes it impossible, and MGT-INDUSTRY at its threshold."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from dangjian.areas.models import UnitKind
from dangjian.compliance.engine import evaluate
from dangjian.compliance.managing import ManagingBody, Unmanageable, managing_body
from dangjian.compliance.rules.base import Finding
from dangjian.orgs.models import SocialOrganization
from tests import factories

pytestmark = pytest.mark.django_db

D = dt.date(2024, 6, 15)
BEFORE, AFTER = D - dt.timedelta(days=1), D + dt.timedelta(days=1)
LONG_AGO = dt.date(2016, 1, 1)

REGISTRY = ("芙蓉区民政局", UnitKind.CIVIL_AFFAIRS)
SUPERVISOR = ("芙蓉区教育局", UnitKind.SUPERVISORY)
TOWNSHIP = ("430102001", "文艺路街道")
COMMUNITY = ("430102001001", "识字里社区")


def findings(rule: str, as_of: dt.date = D, area=None) -> dict[str, Finding]:
    return {f.subject.key: f for f in evaluate(as_of=as_of, area=area, rules=[rule]).findings}


def keys(rule: str, as_of: dt.date = D, area=None) -> set[str]:
    return set(findings(rule, as_of, area))


def body(mode: str, management: str = "", **over):
    args = {
        "registration_mode": mode,
        "party_management": management,
        "registry": REGISTRY,
        "supervisor": SUPERVISOR if mode == "supervised" else None,
        "township": TOWNSHIP,
        "community": COMMUNITY,
    }
    return managing_body(**{**args, **over})


# The four cases of POLICY 2.2 ---------------------------------------------------------------


def test_it_gives_a_directly_registered_organization_to_its_registry():
    assert body("direct") == ManagingBody("registry", "芙蓉区民政局", "芙蓉区民政局")


def test_it_gives_a_supervised_organization_to_its_supervisory_unit():
    assert body("supervised") == ManagingBody("supervisor", "芙蓉区教育局", "芙蓉区教育局")


@pytest.mark.parametrize("mode", ["direct", "supervised"])
def test_it_gives_a_delegating_organization_to_the_township_of_its_address(mode):
    expected = ManagingBody("township", "430102001", "文艺路街道党组织")
    assert body(mode, "delegated_township") == expected
    # Delegated, the supervisory unit is no longer needed to compute it.
    assert body(mode, "delegated_township", supervisor=None) == expected


@pytest.mark.parametrize("mode", ["direct", "supervised"])
def test_it_gives_a_small_organization_to_its_township_or_community(mode):
    assert body(mode, "township") == ManagingBody("township", "430102001", "文艺路街道党组织")
    assert body(mode, "community") == ManagingBody("community", "430102001001", "识字里社区党组织")


@pytest.mark.parametrize(
    ("mode", "management", "over"),
    [
        ("supervised", "", {"supervisor": None}),  # pre-approval type with no supervisory unit
        ("supervised", "", {"supervisor": ("某某有限公司", UnitKind.OTHER)}),
        ("supervised", "", {"supervisor": REGISTRY}),  # the registry is no supervisory unit
        ("direct", "", {"registry": None}),
        ("direct", "", {"registry": SUPERVISOR}),  # registered by a non-civil-affairs body
        ("direct", "community", {"community": None}),  # 属地村(社区) without a community
        ("supervised", "community", {"community": None}),
    ],
)
def test_it_tells_why_a_managing_body_cannot_be_computed(mode, management, over):
    result = body(mode, management, **over)
    assert isinstance(result, Unmanageable)
    assert result.reason


# MGT-ASSIGNED on stored data ----------------------------------------------------------------


@pytest.fixture
def education(areas):
    return factories.supervisory_unit("芙蓉区教育局", areas["furong"])


def test_it_finds_every_well_recorded_organization_managed(areas, education):
    factories.org(areas["wenyilu"])
    factories.org(areas["wenyilu"], registration_mode="supervised", supervisor=education)
    factories.org(areas["wenyilu"], party_management="delegated_township")
    factories.org(areas["chaoyang"], party_management="township")
    factories.org(areas["wenyilu"], party_management="community", community=areas["community"])
    assert keys("MGT-ASSIGNED") == set()


def test_it_finds_community_management_without_a_community(areas):
    org = factories.org(
        areas["wenyilu"], party_management="community", community=areas["community"]
    )
    SocialOrganization.objects.filter(pk=org.pk).update(community=None)
    finding = findings("MGT-ASSIGNED")[org.uscc]
    assert "属地村(社区)" in finding.message
    assert finding.facts == {"registration_mode": "direct", "party_management": "community"}
    assert finding.due == D + dt.timedelta(days=30)
    assert finding.area == "430102001"


def test_it_finds_a_supervisory_unit_of_the_wrong_kind(areas, education):
    org = factories.org(areas["wenyilu"], registration_mode="supervised", supervisor=education)
    company = factories.unit("某某有限公司", UnitKind.OTHER, areas["furong"])
    SocialOrganization.objects.filter(pk=org.pk).update(supervisor=company)
    assert "某某有限公司" in findings("MGT-ASSIGNED")[org.uscc].message


def test_it_finds_a_registry_that_is_not_civil_affairs(areas, education):
    org = factories.org(areas["wenyilu"])
    SocialOrganization.objects.filter(pk=org.pk).update(registry=education)
    assert org.uscc in keys("MGT-ASSIGNED")


def test_it_cannot_even_store_a_supervised_organization_without_its_unit(areas, education):
    """The database refuses it, so POLICY 2.2's "pre-approval type with no supervisory unit"
    is checked on the function itself (above)."""
    org = factories.org(areas["wenyilu"], registration_mode="supervised", supervisor=education)
    with pytest.raises(IntegrityError), transaction.atomic():
        SocialOrganization.objects.filter(pk=org.pk).update(supervisor=None)


@pytest.mark.parametrize(("changed_on", "expected"), [(D, False), (AFTER, True)])
def test_it_checks_the_managing_body_of_active_organizations_only(areas, changed_on, expected):
    org = factories.org(
        areas["wenyilu"],
        party_management="community",
        status="deregistered",
        status_changed_on=changed_on,
    )
    assert (org.uscc in keys("MGT-ASSIGNED")) is expected


# MGT-INDUSTRY -------------------------------------------------------------------------------


def managed(unit, n: int, *, township=None, form="standalone", **fields) -> list:
    """n supervised organizations of `unit`, each with a Party organization of its own."""
    out = []
    for _ in range(n):
        org = factories.org(township, registration_mode="supervised", supervisor=unit, **fields)
        out.append(factories.party_org(township, form=form, covers=[org], founded_on=LONG_AGO))
    return out


def industry_committee(unit, areas, *, full_time: bool = True, **fields):
    fields.setdefault("level", "committee")
    committee = factories.party_org(
        areas["wenyilu"], form="industry", unit=unit, founded_on=LONG_AGO, **fields
    )
    factories.office(committee, full_time=full_time)
    return committee


@pytest.mark.parametrize(("party_orgs", "expected"), [(9, False), (10, True)])
def test_it_asks_a_unit_managing_ten_party_orgs_for_an_industry_committee(
    areas, education, party_orgs, expected
):
    managed(education, party_orgs, township=areas["wenyilu"])
    found = findings("MGT-INDUSTRY")
    assert (education.name in found) is expected
    if expected:
        finding = found[education.name]
        assert finding.subject.type == "unit"
        assert finding.area == "430102"  # where the unit is
        assert finding.facts == {"party_orgs": 10, "industry_committees": []}
        assert "尚未成立" in finding.message
        assert finding.due == D + dt.timedelta(days=30)


def test_it_counts_a_joint_party_org_of_two_of_its_organizations_once(areas, education):
    managed(education, 8, township=areas["wenyilu"])
    a, b = (
        factories.org(areas["chaoyang"], registration_mode="supervised", supervisor=education)
        for _ in range(2)
    )
    factories.party_org(areas["chaoyang"], form="joint", covers=[a, b], founded_on=LONG_AGO)
    assert keys("MGT-INDUSTRY") == set()  # 9 Party organizations
    managed(education, 1, township=areas["chaoyang"], form="functional")
    assert findings("MGT-INDUSTRY")[education.name].facts["party_orgs"] == 10


def test_it_does_not_count_organizations_managed_by_their_township(areas, education):
    managed(education, 9, township=areas["wenyilu"])
    managed(education, 1, township=areas["wenyilu"], party_management="delegated_township")
    assert keys("MGT-INDUSTRY") == set()


def test_it_does_not_count_industry_party_orgs_among_those_managed(areas, education):
    managed(education, 9, township=areas["wenyilu"])
    managed(education, 1, township=areas["wenyilu"], form="industry")
    assert keys("MGT-INDUSTRY") == set()


@pytest.mark.parametrize(("changed_on", "expected"), [(D, False), (AFTER, True)])
def test_it_counts_party_orgs_of_active_organizations(areas, education, changed_on, expected):
    managed(education, 9, township=areas["wenyilu"])
    managed(
        education,
        1,
        township=areas["wenyilu"],
        status="deregistered",
        status_changed_on=changed_on,
    )
    assert (education.name in keys("MGT-INDUSTRY")) is expected


@pytest.mark.parametrize(("dissolved_on", "expected"), [(D, False), (AFTER, True)])
def test_it_counts_active_party_orgs(areas, education, dissolved_on, expected):
    last = managed(education, 10, township=areas["wenyilu"])[-1]
    last.status, last.dissolved_on = "dissolved", dissolved_on
    last.save()
    assert (education.name in keys("MGT-INDUSTRY")) is expected


@pytest.mark.parametrize(("ended_on", "expected"), [(D, False), (AFTER, True)])
def test_it_counts_current_coverage(areas, education, ended_on, expected):
    last = managed(education, 10, township=areas["wenyilu"])[-1]
    last.coverages.update(ended_on=ended_on)
    assert (education.name in keys("MGT-INDUSTRY")) is expected


def test_it_is_satisfied_by_an_industry_committee_with_a_full_time_worker(areas, education):
    managed(education, 10, township=areas["wenyilu"])
    industry_committee(education, areas, level="general_branch")  # 党总支 will do
    assert keys("MGT-INDUSTRY") == set()


def test_it_asks_an_industry_committee_for_a_full_time_worker(areas, education):
    managed(education, 10, township=areas["wenyilu"])
    committee = industry_committee(education, areas, full_time=False)
    finding = findings("MGT-INDUSTRY")[education.name]
    assert "尚未配备专职党务工作人员" in finding.message
    assert finding.facts["industry_committees"] == [committee.code]


@pytest.mark.parametrize(("ended_on", "expected"), [(D, True), (AFTER, False)])
def test_it_counts_a_full_time_worker_in_office_on_the_date(areas, education, ended_on, expected):
    managed(education, 10, township=areas["wenyilu"])
    committee = industry_committee(education, areas)
    committee.committee.update(ended_on=ended_on)
    assert (education.name in keys("MGT-INDUSTRY")) is expected


@pytest.mark.parametrize(("dissolved_on", "expected"), [(D, True), (AFTER, False)])
def test_it_counts_an_active_industry_committee(areas, education, dissolved_on, expected):
    managed(education, 10, township=areas["wenyilu"])
    industry_committee(education, areas, status="dissolved", dissolved_on=dissolved_on)
    assert (education.name in keys("MGT-INDUSTRY")) is expected


def test_it_does_not_take_an_industry_branch_or_another_units_committee(areas, education):
    managed(education, 10, township=areas["wenyilu"])
    industry_committee(education, areas, level="branch")
    health = factories.supervisory_unit("芙蓉区卫生健康局", areas["furong"])
    industry_committee(health, areas)
    assert keys("MGT-INDUSTRY") == {education.name}


def test_it_finds_a_unit_in_the_unit_s_jurisdiction(areas):
    unit = factories.supervisory_unit("天心区教育局", areas["tianxin"])
    managed(unit, 10, township=areas["wenyilu"])  # its organizations lie in 芙蓉区
    assert keys("MGT-INDUSTRY", area=areas["furong"]) == set()
    assert keys("MGT-INDUSTRY", area=areas["tianxin"]) == {"天心区教育局"}
    assert findings("MGT-INDUSTRY")["天心区教育局"].area == "430103"
