"""`report coverage` and `report org-building` on small datasets worked out by hand.

Every number below is counted in the comments next to it, from the dataset as described,
not from the code under test. The areas are the `areas` fixture: 长沙市 430100 with 芙蓉区
430102 (文艺路街道 430102001, 朝阳街街道 430102002) and 天心区 430103 (坡子街街道 430103001).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.accounts.models import Role
from dangjian.areas.models import UnitKind
from dangjian.compliance.engine import evaluate
from dangjian.orgs.models import OrgKind, OrgStatus, RegistrationMode
from dangjian.partyorgs.models import PartyOrgForm, PartyOrgLevel, PartyOrgStatus
from dangjian.reports.coverage import coverage_report
from dangjian.reports.orgbuilding import (
    COLUMNS,
    PARTS,
    ROWS,
    InvariantBroken,
    check_invariant,
    org_building_report,
)
from dangjian.reports.planner import plan_joint
from tests import factories

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 6, 30)
DAY_BEFORE = AS_OF - dt.timedelta(days=1)
A, F, S = OrgKind.ASSOCIATION, OrgKind.FOUNDATION, OrgKind.SERVICE_AGENCY
ROW_KEYS = [key for key, _label, _indent in ROWS]
COVERAGE_KEYS = [
    "area", "name", "level", "orgs_active", "orgs_with_formal_members", "orgs_3plus",
    "orgs_standalone", "orgs_joint", "orgs_instructor", "org_coverage_rate",
    "work_coverage_rate", "party_orgs", "members_formal", "members_probationary",
]  # fmt: skip


def coverage_row(area: str, name: str, level: str, *values: Any) -> dict[str, Any]:
    return dict(zip(COVERAGE_KEYS, [area, name, level, *values], strict=True))


def rows_by_area(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["area"]: row for row in report["rows"]}


def table(report: dict[str, Any]) -> dict[str, list[int]]:
    assert report["columns"] == ["total", "association", "foundation", "service_agency"]
    assert list(report["rows"]) == ROW_KEYS
    return report["rows"]


def assert_partition(rows: dict[str, list[int]]) -> None:
    """units = standalone_* + joint + uncovered_3plus + uncovered_few + uncovered_none, in
    every column; the kind columns add up to the total for every count of units."""
    for column in range(4):
        assert rows["units"][column] == sum(rows[key][column] for key in PARTS), COLUMNS[column]
    for key in [*PARTS, "units", "joint_3plus", "uncovered_with_instructor", "staff"]:
        assert rows[key][0] == sum(rows[key][1:]), key


# --- the city: two districts, three townships ------------------------------------------


@dataclass
class City:
    orgs: dict[str, Any]
    party_orgs: dict[str, Any]
    people: dict[str, Any]


@pytest.fixture
def city(areas) -> City:
    """W* in 文艺路街道, C* in 朝阳街街道 (both 芙蓉区), P* in 坡子街街道 (天心区).

    org  kind     staff  members (f = formal, p = probationary; relation)        covered by
    W1   assoc     20    3f (S1)                                                  S1 standalone branch
    W2   found      5    1f (J1), 1p (none)                                       J1 joint
    W3   service    8    1f (J1), 1f m7 (TP, the 坡子街 township committee)        J1 joint
    W4   found     30    3f (S2)                                                  S2 standalone general branch + J1
    W5   assoc     12    2f (F1), 1f (none)                                       F1 functional only
    W6   assoc      —    none; its instructor's assignment ends on AS_OF          —
    W7   assoc      9    1f (S1); deregistered in 2020                            — (inactive)
    C1   service   40    4f (J2); instructor 甲                                    J2 joint
    C2   assoc      3    1p (none)                                                —
    C3   assoc     15    3f (none); instructor 甲                                  J3 joint, dissolved in 2020
    C4   found      6    1f left on AS_OF, 1f confirmed on AS_OF, 1p joined on AS_OF (none) —
    P1   found      2    1f (TP)                                                  —
    P2   assoc     50    3f (S3)                                                  S3 standalone committee
    """
    w, c, p = areas["wenyilu"], areas["chaoyang"], areas["pozi"]
    member = factories.member
    o = {
        "W1": factories.org(w, kind=A, staff_count=20),
        "W2": factories.org(w, kind=F, staff_count=5),
        "W3": factories.org(w, kind=S, staff_count=8),
        "W4": factories.org(w, kind=F, staff_count=30),
        "W5": factories.org(w, kind=A, staff_count=12),
        "W6": factories.org(w, kind=A),
        "W7": factories.org(
            w,
            kind=A,
            staff_count=9,
            status=OrgStatus.DEREGISTERED,
            status_changed_on=dt.date(2020, 1, 1),
        ),
        "C1": factories.org(c, kind=S, staff_count=40),
        "C2": factories.org(c, kind=A, staff_count=3),
        "C3": factories.org(c, kind=A, staff_count=15),
        "C4": factories.org(c, kind=F, staff_count=6),
        "P1": factories.org(p, kind=F, staff_count=2),
        "P2": factories.org(p, kind=A, staff_count=50),
    }
    party_org = factories.party_org
    po = {
        "S1": party_org(w, covers=[o["W1"]]),
        "S2": party_org(w, level=PartyOrgLevel.GENERAL_BRANCH, covers=[o["W4"]]),
        "J1": party_org(w, form=PartyOrgForm.JOINT, covers=[o["W2"], o["W3"], o["W4"]]),
        "F1": party_org(w, form=PartyOrgForm.FUNCTIONAL, covers=[o["W5"]]),
        "J2": party_org(c, form=PartyOrgForm.JOINT, covers=[o["C1"]]),
        "J3": party_org(
            c,
            form=PartyOrgForm.JOINT,
            covers=[o["C3"]],
            status=PartyOrgStatus.DISSOLVED,
            dissolved_on=dt.date(2020, 6, 1),
        ),
        "TP": party_org(p, form=PartyOrgForm.TOWNSHIP, level=PartyOrgLevel.COMMITTEE),
        "S3": party_org(p, level=PartyOrgLevel.COMMITTEE, covers=[o["P2"]]),
    }
    people: dict[str, Any] = {}
    for _ in range(3):
        member(o["W1"], relation=po["S1"])
    member(o["W2"], relation=po["J1"])
    member(o["W2"], confirmed_on=None)
    member(o["W3"], relation=po["J1"])
    people["m7"] = member(o["W3"], relation=po["TP"])
    for _ in range(3):
        member(o["W4"], relation=po["S2"])
    for _ in range(2):
        member(o["W5"], relation=po["F1"])
    member(o["W5"])
    member(o["W7"], relation=po["S1"])
    for _ in range(4):
        member(o["C1"], relation=po["J2"])
    member(o["C2"], confirmed_on=None)
    for _ in range(3):
        member(o["C3"])
    member(o["C4"], left_on=AS_OF)
    member(o["C4"], confirmed_on=AS_OF)
    member(o["C4"], joined_on=AS_OF, confirmed_on=None)
    member(o["P1"], relation=po["TP"])
    for _ in range(3):
        member(o["P2"], relation=po["S3"])
    guide = factories.person("指导员甲")
    factories.instructor_assignment(o["C1"], holder=guide)
    factories.instructor_assignment(o["C3"], holder=guide)
    factories.instructor_assignment(o["W6"], ended_on=AS_OF)
    return City(o, po, people)


# Members by township (POLICY 3.1: once, where their relation is held, else at the employer):
#   文艺路: formal S1 m1–m3 + W7's (S1) 4, J1 2, S2 3, F1 2, W5's without relation 1 = 12;
#           probationary W2's without relation = 1
#   朝阳街: formal J2 4, C3's 3, C4's confirmed on AS_OF 1 = 8 (C4's who left on AS_OF: none);
#           probationary C2's, C4's joined on AS_OF = 2
#   坡子街: formal TP m7 (employed in 芙蓉区) + P1's = 2, S3 3 = 5; probationary 0
CITY_ROWS = [
    # 长沙市: active 6 + 4 + 2 = 12; with formal 5 + 3 + 2 = 10; 3+ 3 + 2 + 1 = 6;
    # standalone 2 + 0 + 1 = 3; joint 2 + 1 + 0 = 3; instructor 0 + 2 + 0 = 2;
    # org rate (5 + 1 + 1)/10 = 0.7; work rate (5 + 2 + 1)/12 = 0.6667;
    # Party organizations 4 + 1 + 1 = 6; members 12 + 8 + 5 = 25, 1 + 2 + 0 = 3
    coverage_row("430100", "长沙市", "city", 12, 10, 6, 3, 3, 2, 0.7, 0.6667, 6, 25, 3),
    # 芙蓉区: active 10; with formal 8; 3+ 5; standalone 2; joint 3; instructor 2;
    # org rate 6/8 = 0.75; work rate 7/10 = 0.7; Party organizations 5; members 20, 3
    coverage_row("430102", "芙蓉区", "district", 10, 8, 5, 2, 3, 2, 0.75, 0.7, 5, 20, 3),
    # 天心区 = 坡子街街道
    coverage_row("430103", "天心区", "district", 2, 2, 1, 1, 0, 0, 0.5, 0.5, 1, 5, 0),
    # 文艺路街道: active W1–W6 = 6 (W7 deregistered); with formal W1–W5 = 5; 3+ W1, W4, W5 = 3;
    # standalone W1, W4 = 2 (W4 is also covered by J1: standalone wins); joint W2, W3 = 2;
    # instructor 0 (W6's assignment ends on AS_OF); org rate 5/5 (W5's functional counts);
    # work rate 5/6 = 0.8333 (W6 neither); Party organizations S1, S2, J1, F1 = 4
    coverage_row("430102001", "文艺路街道", "township", 6, 5, 3, 2, 2, 0, 1.0, 0.8333, 4, 12, 1),
    # 朝阳街街道: active 4; with formal C1, C3, C4 = 3 (C2 only probationary); 3+ C1, C3 = 2;
    # standalone 0; joint C1 = 1; instructor C1, C3 = 2; org rate C1 1/3 = 0.3333 (J3 is
    # dissolved); work rate C1, C3 2/4 = 0.5; Party organizations J2 = 1
    coverage_row("430102002", "朝阳街街道", "township", 4, 3, 2, 0, 1, 2, 0.3333, 0.5, 1, 8, 2),
    # 坡子街街道: active 2; with formal 2; 3+ P2 = 1; standalone P2 = 1; org rate 1/2;
    # work rate 1/2; Party organizations S3 = 1 (TP, a township committee, is not one of a
    # social organization)
    coverage_row("430103001", "坡子街街道", "township", 2, 2, 1, 1, 0, 0, 0.5, 0.5, 1, 5, 0),
]


def test_it_counts_the_coverage_of_the_city_by_hand(city):
    report = coverage_report(as_of=AS_OF)
    assert report["as_of"] == "2026-06-30"
    assert report["rows"] == CITY_ROWS


def test_it_gives_a_district_its_rows_then_its_townships_with_the_city_numbers(city, areas):
    by_area = {row["area"]: row for row in CITY_ROWS}
    for name, codes in (
        ("city", [row["area"] for row in CITY_ROWS]),
        ("furong", ["430102", "430102001", "430102002"]),
        ("tianxin", ["430103", "430103001"]),
        ("wenyilu", ["430102001"]),
    ):
        report = coverage_report(as_of=AS_OF, area=areas[name])
        # m7 works in 芙蓉区 and is counted in 天心区 alone, whichever area is asked for.
        assert report["rows"] == [by_area[code] for code in codes], name


def test_it_fills_every_cell_of_the_official_table_for_the_city(city):
    report = org_building_report(as_of=AS_OF)
    # No area asked for: the area the organizations lie in, not "全部" (issue 12.14).
    assert (report["area"], report["area_name"]) == (None, "长沙市")
    # columns: total, association (W1 W5 W6 C2 C3 P2), foundation (W2 W4 C4 P1),
    # service agency (W3 C1)
    assert table(report) == {
        "units": [12, 6, 4, 2],
        "standalone_committee": [1, 1, 0, 0],  # P2
        "standalone_general_branch": [1, 0, 1, 0],  # W4 (also covered by J1)
        "standalone_branch": [1, 1, 0, 0],  # W1
        "joint": [3, 0, 1, 2],  # W2; W3, C1
        "joint_3plus": [1, 0, 0, 1],  # C1 (4 formal)
        # J1 covers W2, W3, W4 (foundation, service, foundation); J2 covers C1 (service):
        # two Party organizations in all, one counted in each column it has a unit in
        "joint_party_orgs": [2, 0, 1, 2],
        "uncovered_3plus": [2, 2, 0, 0],  # W5 (functional only), C3 (J3 dissolved)
        "uncovered_few": [3, 1, 2, 0],  # C2 (probationary only); C4, P1
        "uncovered_none": [1, 1, 0, 0],  # W6
        "uncovered_with_instructor": [1, 1, 0, 0],  # C3 (W6's assignment ended on AS_OF)
        # association 20 + 12 + 0 + 3 + 15 + 50 = 100; foundation 5 + 30 + 6 + 2 = 43;
        # service 8 + 40 = 48; W7 (deregistered) not counted
        "staff": [191, 100, 43, 48],
        # association 3 + 3 + 0 + 1 + 3 + 3 = 13; foundation 2 + 3 + 2 + 1 = 8 (C4: the one
        # confirmed on AS_OF and the one joined on AS_OF; not the one who left on AS_OF);
        # service 2 + 4 = 6
        "members": [27, 13, 8, 6],
        # relation not in a Party organization covering the employer: association W5's 1,
        # C2's 1, C3's 3 = 5; foundation W2's 1, C4's 2, P1's 1 (TP covers nothing) = 4;
        # service W3's m7 (TP) = 1
        "members_relation_elsewhere": [10, 5, 4, 1],
        # 甲 instructs C1 (service) and C3 (association): one person
        "instructors": [1, 1, 0, 1],
    }
    assert_partition(report["rows"])


def test_it_fills_every_cell_of_the_official_table_for_each_district(city, areas):
    furong = org_building_report(as_of=AS_OF, area=areas["furong"])
    assert (furong["area"], furong["area_name"]) == ("430102", "芙蓉区")
    # association W1 W5 W6 C2 C3; foundation W2 W4 C4; service W3 C1
    assert table(furong) == {
        "units": [10, 5, 3, 2],
        "standalone_committee": [0, 0, 0, 0],
        "standalone_general_branch": [1, 0, 1, 0],
        "standalone_branch": [1, 1, 0, 0],
        "joint": [3, 0, 1, 2],
        "joint_3plus": [1, 0, 0, 1],
        "joint_party_orgs": [2, 0, 1, 2],
        "uncovered_3plus": [2, 2, 0, 0],
        "uncovered_few": [2, 1, 1, 0],  # C2; C4
        "uncovered_none": [1, 1, 0, 0],
        "uncovered_with_instructor": [1, 1, 0, 0],
        "staff": [139, 50, 41, 48],  # 20+12+0+3+15; 5+30+6; 8+40
        "members": [23, 10, 7, 6],  # 3+3+0+1+3; 2+3+2; 2+4
        # m7 works here: counted here by employer, with its relation elsewhere (in 天心区)
        "members_relation_elsewhere": [9, 5, 3, 1],
        "instructors": [1, 1, 0, 1],
    }
    tianxin = org_building_report(as_of=AS_OF, area=areas["tianxin"])
    assert table(tianxin) == {
        "units": [2, 1, 1, 0],  # P2; P1
        "standalone_committee": [1, 1, 0, 0],
        "standalone_general_branch": [0, 0, 0, 0],
        "standalone_branch": [0, 0, 0, 0],
        "joint": [0, 0, 0, 0],
        "joint_3plus": [0, 0, 0, 0],
        "joint_party_orgs": [0, 0, 0, 0],
        "uncovered_3plus": [0, 0, 0, 0],
        "uncovered_few": [1, 0, 1, 0],
        "uncovered_none": [0, 0, 0, 0],
        "uncovered_with_instructor": [0, 0, 0, 0],
        "staff": [52, 50, 2, 0],
        "members": [4, 3, 1, 0],
        "members_relation_elsewhere": [1, 0, 1, 0],  # P1's, held by TP
        "instructors": [0, 0, 0, 0],
    }
    assert_partition(furong["rows"])
    assert_partition(tianxin["rows"])
    # The additive rows of the two districts add up to the city's.
    whole = org_building_report(as_of=AS_OF)["rows"]
    for key in ROW_KEYS:
        if key not in ("joint_party_orgs", "instructors"):  # counts of distinct things
            assert whole[key] == [
                a + b for a, b in zip(furong["rows"][key], tianxin["rows"][key], strict=True)
            ], key


def test_it_finds_with_check_what_the_reports_count(city):
    result = evaluate(as_of=AS_OF, rules=["COV-STANDALONE", "COV-JOINT", "COV-INSTRUCTOR"])
    subjects: dict[str, set[str]] = {rule: set() for rule in result.rules}
    for finding in result.findings:
        subjects[finding.rule].add(finding.subject.key)
    uscc = {name: org.uscc for name, org in city.orgs.items()}
    rows = org_building_report(as_of=AS_OF)["rows"]
    coverage = coverage_report(as_of=AS_OF)["rows"][0]
    # COV-STANDALONE: ≥ 3 formal members and no standalone Party organization, i.e. the
    # table's uncovered_3plus (W5 functional only, C3) plus joint_3plus (C1) = 2 + 1 = 3;
    # and the coverage report's orgs_3plus 6 minus those standalone with 3+ (W1 W4 P2).
    assert subjects["COV-STANDALONE"] == {uscc["W5"], uscc["C3"], uscc["C1"]}
    assert len(subjects["COV-STANDALONE"]) == rows["uncovered_3plus"][0] + rows["joint_3plus"][0]
    assert len(subjects["COV-STANDALONE"]) == coverage["orgs_3plus"] - 3
    # COV-JOINT: 1–2 formal, covered by nothing: C4 and P1 — but P1's only member has its
    # relation in the township committee (纳入管理), so only C4. The planner proposes for
    # both (its eligibility has no such exception), and can place neither: each district
    # has a single formal member to offer.
    assert subjects["COV-JOINT"] == {uscc["C4"]}
    plan = plan_joint(as_of=AS_OF)
    assert plan.groups == []
    assert {c.uscc for c, _why in plan.unplaced} == {uscc["C4"], uscc["P1"]}
    # COV-INSTRUCTOR: no formal member, not covered, no instructor: W6 (its assignment
    # ended on AS_OF), C2 (only probationary) — uncovered_none 1 + C2 from uncovered_few.
    assert subjects["COV-INSTRUCTOR"] == {uscc["W6"], uscc["C2"]}


# --- one thing at a time ---------------------------------------------------------------


def test_it_gives_null_rates_for_empty_areas(areas):
    report = coverage_report(as_of=AS_OF)
    assert [row["area"] for row in report["rows"]] == [
        "430100", "430102", "430103", "430102001", "430102002", "430103001",
    ]  # fmt: skip
    for row in report["rows"]:
        assert row["org_coverage_rate"] is None and row["work_coverage_rate"] is None
        assert all(row[key] == 0 for key in COVERAGE_KEYS[3:9] + COVERAGE_KEYS[11:]), row
    rows = org_building_report(as_of=AS_OF)["rows"]
    assert all(cells == [0, 0, 0, 0] for cells in rows.values())
    # An organization with no formal member: the organization rate stays null (0 ÷ 0), the
    # work rate is 0 ÷ 1 — in its township, district and city, and only there.
    factories.org_with_members(areas["chaoyang"], probationary=1)
    rows_ = rows_by_area(coverage_report(as_of=AS_OF))
    for code in ("430100", "430102", "430102002"):
        assert (rows_[code]["org_coverage_rate"], rows_[code]["work_coverage_rate"]) == (None, 0.0)
    for code in ("430103", "430102001", "430103001"):
        assert (rows_[code]["org_coverage_rate"], rows_[code]["work_coverage_rate"]) == (None, None)


def test_it_orders_rows_city_then_districts_then_townships(areas):
    # Areas created out of order still come out city, districts, townships, each by code.
    factories.area("430104", "岳麓区", "district", areas["city"])
    factories.area("430103004", "城南路街道", "township", areas["tianxin"])
    factories.area("430102003", "韭菜园街道", "township", areas["furong"])
    levels_codes = [(r["level"], r["area"]) for r in coverage_report(as_of=AS_OF)["rows"]]
    assert levels_codes == [
        ("city", "430100"),
        ("district", "430102"),
        ("district", "430103"),
        ("district", "430104"),
        ("township", "430102001"),
        ("township", "430102002"),
        ("township", "430102003"),
        ("township", "430103001"),
        ("township", "430103004"),
    ]
    furong = coverage_report(as_of=AS_OF, area=areas["furong"])["rows"]
    assert [r["area"] for r in furong] == ["430102", "430102001", "430102002", "430102003"]
    assert [r["name"] for r in furong] == ["芙蓉区", "文艺路街道", "朝阳街街道", "韭菜园街道"]


def test_it_counts_a_member_once_in_the_district_holding_the_relation(areas):
    # Works in 文艺路街道 (芙蓉区); relation in a standalone branch of 坡子街街道 (天心区).
    elsewhere = factories.party_org(areas["pozi"])
    employer = factories.org(areas["wenyilu"])
    factories.member(employer, relation=elsewhere)
    factories.member(employer, confirmed_on=None, relation=elsewhere)

    def members(report: dict[str, Any]) -> dict[str, tuple[int, int]]:
        return {r["area"]: (r["members_formal"], r["members_probationary"]) for r in report["rows"]}

    assert members(coverage_report(as_of=AS_OF)) == {
        "430100": (1, 1),
        "430102": (0, 0),
        "430103": (1, 1),
        "430102001": (0, 0),
        "430102002": (0, 0),
        "430103001": (1, 1),
    }
    assert members(coverage_report(as_of=AS_OF, area=areas["furong"])) == {
        "430102": (0, 0),
        "430102001": (0, 0),
        "430102002": (0, 0),
    }
    assert members(coverage_report(as_of=AS_OF, area=areas["tianxin"])) == {
        "430103": (1, 1),
        "430103001": (1, 1),
    }
    # The official table counts units: the two work in 芙蓉区, their relations lie outside.
    furong = org_building_report(as_of=AS_OF, area=areas["furong"])["rows"]
    assert furong["members"] == [2, 2, 0, 0]
    assert furong["members_relation_elsewhere"] == [2, 2, 0, 0]
    tianxin = org_building_report(as_of=AS_OF, area=areas["tianxin"])["rows"]
    assert tianxin["members"] == [0, 0, 0, 0]


def test_it_counts_a_member_without_relation_at_the_lowest_numbered_employer(areas):
    first = factories.org(areas["pozi"])  # created first: the lower number
    second = factories.org(areas["wenyilu"])
    person = factories.member(second)  # employed at the higher-numbered one first
    factories.employ(person, first, started_on=dt.date(2020, 1, 1))
    assert first.pk < second.pk

    def formal(report: dict[str, Any]) -> dict[str, int]:
        return {r["area"]: r["members_formal"] for r in report["rows"]}

    assert formal(coverage_report(as_of=AS_OF)) == {
        "430100": 1, "430102": 0, "430103": 1, "430102001": 0, "430102002": 0, "430103001": 1,
    }  # fmt: skip
    # Asked for 芙蓉区 alone, the person still belongs to 天心区: not counted here.
    assert formal(coverage_report(as_of=AS_OF, area=areas["furong"])) == {
        "430102": 0, "430102001": 0, "430102002": 0,
    }  # fmt: skip
    assert formal(coverage_report(as_of=AS_OF, area=areas["tianxin"])) == {
        "430103": 1, "430103001": 1,
    }  # fmt: skip
    # Before the second employment began, only 文艺路街道 employed them.
    assert formal(coverage_report(as_of=dt.date(2019, 12, 31))) == {
        "430100": 1, "430102": 1, "430103": 0, "430102001": 1, "430102002": 0, "430103001": 0,
    }  # fmt: skip


def test_it_counts_a_unit_covered_by_both_forms_as_standalone_and_joint_party_orgs_not_units(
    areas,
):
    w = areas["wenyilu"]
    a1, a2 = factories.org(w, kind=A), factories.org(w, kind=A)
    f1 = factories.org_with_members(w, 3, kind=F)
    both = factories.org_with_members(w, 4, kind=S)
    joint = factories.party_org(w, form=PartyOrgForm.JOINT, covers=[a1, a2, f1, both])
    factories.party_org(w, form=PartyOrgForm.JOINT, covers=[a1])  # a second joint for a1
    factories.party_org(w, level=PartyOrgLevel.COMMITTEE, covers=[both])
    factories.party_org(w, form=PartyOrgForm.JOINT, covers=[both])  # joint, for `both` only
    rows = org_building_report(as_of=AS_OF)["rows"]
    assert rows["units"] == [4, 2, 1, 1]
    assert rows["standalone_committee"] == [1, 0, 0, 1]  # `both`: standalone wins
    assert rows["joint"] == [3, 2, 1, 0]  # a1, a2; f1 — each unit once
    assert rows["joint_3plus"] == [1, 0, 1, 0]  # f1
    # Three joint Party organizations: the first has units of all three kinds, the second
    # an association (a1, already counted), the third a service agency (`both`, standalone)
    assert rows["joint_party_orgs"] == [3, 2, 1, 2]
    assert_partition(rows)
    row = rows_by_area(coverage_report(as_of=AS_OF))["430102001"]
    # coverage: `both` is standalone; a1, a2, f1 joint; four Party organizations
    assert (row["orgs_standalone"], row["orgs_joint"], row["party_orgs"]) == (1, 3, 4)
    assert joint.coverages.count() == 4


def test_it_counts_functional_only_coverage_by_members_in_the_official_table(areas):
    w = areas["wenyilu"]
    functional = factories.party_org(w, form=PartyOrgForm.FUNCTIONAL)
    three = factories.org_with_members(w, 3, relation=functional)
    one = factories.org_with_members(w, 1, 1)
    none = factories.org(w)
    for org in (three, one, none):
        factories.cover(functional, org)
    rows = org_building_report(as_of=AS_OF)["rows"]
    assert rows["units"] == [3, 3, 0, 0]
    assert rows["uncovered_3plus"] == [1, 1, 0, 0]  # `three`
    assert rows["uncovered_few"] == [1, 1, 0, 0]  # `one`
    assert rows["uncovered_none"] == [1, 1, 0, 0]  # `none`
    assert rows["joint"] == rows["standalone_branch"] == [0, 0, 0, 0]
    # the relations held by the functional Party organization covering `three` are its own
    assert rows["members_relation_elsewhere"] == [2, 2, 0, 0]  # `one`'s two
    assert_partition(rows)
    # ... while the coverage report counts all three as covered, by neither form.
    row = rows_by_area(coverage_report(as_of=AS_OF))["430102001"]
    assert (row["orgs_standalone"], row["orgs_joint"]) == (0, 0)
    assert row["org_coverage_rate"] == 1.0  # 2 covered ÷ 2 with formal members
    assert row["work_coverage_rate"] == 1.0
    assert row["party_orgs"] == 1


def test_it_leaves_out_inactive_organizations(areas):
    p = areas["pozi"]
    active = factories.org_with_members(p, 1)
    factories.org_with_members(
        p, 3, status=OrgStatus.REVOKED, status_changed_on=dt.date(2024, 1, 1)
    )
    stops_on_the_day = factories.org_with_members(
        p, 2, kind=F, status=OrgStatus.INACTIVE, status_changed_on=AS_OF
    )
    tomorrow = factories.org_with_members(
        p, 1, kind=S, status=OrgStatus.DEREGISTERED, status_changed_on=AS_OF + dt.timedelta(1)
    )  # deregistered tomorrow: still active today
    factories.org_with_members(p, 1, registered_on=AS_OF + dt.timedelta(1))  # not yet
    rows = org_building_report(as_of=AS_OF)["rows"]
    assert rows["units"] == [2, 1, 0, 1]  # `active`; `tomorrow`
    assert rows["uncovered_few"] == [2, 1, 0, 1]
    assert rows["members"] == [2, 1, 0, 1]
    before = org_building_report(as_of=DAY_BEFORE)["rows"]
    assert before["units"] == [3, 1, 1, 1]  # `stops_on_the_day` is still active the day before
    row = coverage_report(as_of=AS_OF)["rows"][0]
    assert (row["orgs_active"], row["orgs_with_formal_members"]) == (2, 2)
    assert rows_by_area(coverage_report(as_of=DAY_BEFORE))["430103"]["orgs_active"] == 3
    # The planner proposes only for active organizations (here: too few to group).
    plan = plan_joint(as_of=AS_OF)
    assert sorted(c.uscc for c, _ in plan.unplaced) == sorted([active.uscc, tomorrow.uscc])
    plan = plan_joint(as_of=DAY_BEFORE)
    assert len(plan.groups) == 1  # 1 + 2 + 1 formal members, all in 坡子街街道
    assert {c.uscc for c in plan.groups[0].orgs} == {
        active.uscc, tomorrow.uscc, stops_on_the_day.uscc,
    }  # fmt: skip


def test_it_counts_each_dated_fact_from_the_day_it_holds(areas):
    """X (association, 朝阳街): a formal member leaving on D, one confirmed on D, one joining
    on D, one starting work on D; covered by a standalone branch until D, by a joint one from
    D. Y (foundation, 坡子街): deregistered on D. Z (service agency, 坡子街): registered on D,
    an instructor from D. V (association, 坡子街): 3 formal, standalone branch dissolved on D,
    an instructor until D."""
    c, p = areas["chaoyang"], areas["pozi"]
    x = factories.org(c, kind=A)
    factories.member(x, left_on=AS_OF)
    factories.member(x, confirmed_on=AS_OF)
    factories.member(x, joined_on=AS_OF, confirmed_on=None)
    factories.member(x, employed_on=AS_OF)
    standalone = factories.party_org(c)
    factories.cover(standalone, x, ended_on=AS_OF)
    joint = factories.party_org(c, form=PartyOrgForm.JOINT)
    factories.cover(joint, x, started_on=AS_OF)
    dissolved = factories.party_org(p, status=PartyOrgStatus.DISSOLVED, dissolved_on=AS_OF)
    y = factories.org(p, kind=F, status=OrgStatus.DEREGISTERED, status_changed_on=AS_OF)
    factories.member(y, relation=dissolved)
    z = factories.org(p, kind=S, registered_on=AS_OF)
    factories.instructor_assignment(z, started_on=AS_OF)
    v = factories.org_with_members(p, 3, kind=A, relation=dissolved)
    factories.cover(dissolved, v)
    factories.instructor_assignment(v, ended_on=AS_OF)

    before = org_building_report(as_of=DAY_BEFORE)["rows"]
    assert {k: n for k, n in before.items() if n != [0, 0, 0, 0]} == {
        "units": [3, 2, 1, 0],  # X, V; Y (Z not registered yet)
        "standalone_branch": [2, 2, 0, 0],  # X (until D), V (dissolved on D)
        "uncovered_few": [1, 0, 1, 0],  # Y: 1 formal
        "members": [6, 5, 1, 0],  # X: the leaver and the probationary-till-D; V: 3; Y: 1
        "members_relation_elsewhere": [3, 2, 1, 0],  # X's 2 (no relation); Y's 1
        "instructors": [1, 1, 0, 0],  # V's
    }
    on_the_day = org_building_report(as_of=AS_OF)["rows"]
    assert {k: n for k, n in on_the_day.items() if n != [0, 0, 0, 0]} == {
        "units": [3, 2, 0, 1],  # X, V; Z (Y deregistered on D)
        "joint": [1, 1, 0, 0],  # X, 2 formal: confirmed on D, started on D
        "joint_party_orgs": [1, 1, 0, 0],
        "uncovered_3plus": [1, 1, 0, 0],  # V
        "uncovered_none": [1, 0, 0, 1],  # Z
        "uncovered_with_instructor": [1, 0, 0, 1],  # Z, from D
        "members": [6, 6, 0, 0],  # X: confirmed, joined, started on D; V: 3
        "members_relation_elsewhere": [6, 6, 0, 0],  # X's 3; V's 3 (S dissolved)
        "instructors": [1, 0, 0, 1],  # Z's; V's ended on D
    }
    chaoyang = {d: rows_by_area(coverage_report(as_of=d))["430102002"] for d in (DAY_BEFORE, AS_OF)}
    # the day before: the leaver (formal) and the one confirmed on D (probationary)
    assert (
        chaoyang[DAY_BEFORE]["members_formal"],
        chaoyang[DAY_BEFORE]["members_probationary"],
    ) == (1, 1)
    # on D: confirmed on D and started on D (formal), joined on D (probationary)
    assert (chaoyang[AS_OF]["members_formal"], chaoyang[AS_OF]["members_probationary"]) == (2, 1)
    assert (chaoyang[DAY_BEFORE]["orgs_standalone"], chaoyang[AS_OF]["orgs_joint"]) == (1, 1)
    # both branches are active on both days: only the coverage changes
    assert (chaoyang[DAY_BEFORE]["party_orgs"], chaoyang[AS_OF]["party_orgs"]) == (2, 2)
    pozi = {d: rows_by_area(coverage_report(as_of=d))["430103001"] for d in (DAY_BEFORE, AS_OF)}
    assert (pozi[DAY_BEFORE]["orgs_instructor"], pozi[AS_OF]["orgs_instructor"]) == (1, 1)
    assert (pozi[DAY_BEFORE]["party_orgs"], pozi[AS_OF]["party_orgs"]) == (1, 0)
    assert_partition(before)
    assert_partition(on_the_day)


def test_it_checks_the_invariant_in_every_column():
    good = {key: [0, 0, 0, 0] for key in ROW_KEYS}
    good["units"] = [6, 1, 2, 3]
    good["standalone_branch"] = [1, 1, 0, 0]
    good["joint"] = [2, 0, 2, 0]
    good["uncovered_none"] = [3, 0, 0, 3]
    check_invariant(good)
    for column, name in enumerate(COLUMNS):
        broken = {key: list(cells) for key, cells in good.items()}
        broken["units"][column] += 1
        with pytest.raises(InvariantBroken, match=f"^{name}: units"):
            check_invariant(broken)
    # Rows outside the partition do not enter it.
    extra = {key: list(cells) for key, cells in good.items()}
    extra["joint_3plus"] = extra["uncovered_with_instructor"] = [9, 9, 9, 9]
    check_invariant(extra)


# --- random datasets -------------------------------------------------------------------

TOWNSHIPS = ["wenyilu", "chaoyang", "pozi"]
COVER = [None, None, "standalone", "joint", "functional", "joint+standalone", "dissolved"]


@st.composite
def datasets(draw: Any) -> list[dict[str, Any]]:
    return [
        {
            "township": draw(st.sampled_from(TOWNSHIPS)),
            "kind": draw(st.sampled_from([A, F, S])),
            "formal": draw(st.sampled_from([0, 1, 2, 3, 4])),
            "probationary": draw(st.integers(0, 1)),
            "cover": draw(st.sampled_from(COVER)),
            "active": draw(st.sampled_from([True, True, True, False])),
            "instructor": draw(st.booleans()),
        }
        for _ in range(draw(st.integers(0, 8)))
    ]


def build(areas: dict[str, Any], spec: list[dict[str, Any]]) -> list[Any]:
    orgs = []
    for s in spec:
        township = areas[s["township"]]
        inactive: dict[str, Any] = {} if s["active"] else {
            "status": OrgStatus.DEREGISTERED, "status_changed_on": dt.date(2021, 1, 1),
        }  # fmt: skip
        org = factories.org_with_members(
            township, s["formal"], s["probationary"], kind=s["kind"], **inactive
        )
        for form in (s["cover"] or "").split("+"):
            if form == "dissolved":
                factories.party_org(
                    township,
                    covers=[org],
                    status=PartyOrgStatus.DISSOLVED,
                    dissolved_on=dt.date(2020, 1, 1),
                )
            elif form:
                factories.party_org(township, form=form, covers=[org])
        if s["instructor"]:
            factories.instructor_assignment(org)
        orgs.append(org)
    return orgs


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=datasets())
def test_it_keeps_the_table_the_coverage_and_check_in_agreement(areas, spec):
    with transaction.atomic():
        orgs = build(areas, spec)
        table_rows = org_building_report(as_of=AS_OF)["rows"]
        assert_partition(table_rows)
        active = [(s, o) for s, o in zip(spec, orgs, strict=True) if s["active"]]
        assert table_rows["units"][0] == len(active)
        findings = evaluate(as_of=AS_OF, rules=["COV-STANDALONE", "COV-JOINT"]).findings
        standalone = {f.subject.key for f in findings if f.rule == "COV-STANDALONE"}
        # ≥ 3 formal and no standalone Party organization: uncovered_3plus + joint_3plus
        assert len(standalone) == table_rows["uncovered_3plus"][0] + table_rows["joint_3plus"][0]
        assert standalone == {
            o.uscc for s, o in active if s["formal"] >= 3 and "standalone" not in (s["cover"] or "")
        }
        # 1–2 formal, covered by nothing (none of these members' relations is held nearby):
        # exactly the planner's candidates
        joint = {f.subject.key for f in findings if f.rule == "COV-JOINT"}
        plan = plan_joint(as_of=AS_OF)
        placed = [c.uscc for g in plan.groups for c in g.orgs] + [c.uscc for c, _ in plan.unplaced]
        assert sorted(placed) == sorted(joint)
        # The city row is the sum of its districts, a district the sum of its townships.
        rows = rows_by_area(coverage_report(as_of=AS_OF))
        for parent, children in (
            ("430100", ["430102", "430103"]),
            ("430102", ["430102001", "430102002"]),
            ("430103", ["430103001"]),
        ):
            for key in COVERAGE_KEYS[3:9] + COVERAGE_KEYS[11:]:
                assert rows[parent][key] == sum(rows[c][key] for c in children), (parent, key)
        assert rows["430100"]["orgs_3plus"] == sum(1 for s, _ in active if s["formal"] >= 3)
        # no member has a relation: each is counted once, at their only employer
        assert rows["430100"]["members_formal"] >= sum(s["formal"] for s, _ in active)
        assert rows["430100"]["members_probationary"] >= sum(s["probationary"] for s, _ in active)
        transaction.set_rollback(True)


# --- bugs ------------------------------------------------------------------------------


def test_it_counts_a_member_employed_twice_once_in_the_official_table(areas):
    first, second = factories.org(areas["wenyilu"]), factories.org(areas["pozi"])
    person = factories.member(first)
    factories.employ(person, second)
    assert coverage_report(as_of=AS_OF)["rows"][0]["members_formal"] == 1  # holds
    assert org_building_report(as_of=AS_OF)["rows"]["members"][0] == 1  # is 2


def test_it_counts_only_the_members_a_supervisory_unit_may_see(areas):
    education = factories.unit("长沙市教育局", UnitKind.SUPERVISORY, areas["city"])
    school = factories.org_with_members(
        areas["chaoyang"],
        1,
        kind=S,
        registration_mode=RegistrationMode.SUPERVISED,
        supervisor=education,
    )
    factories.org_with_members(areas["chaoyang"], 5)  # not the unit's
    officer = factories.user("edu", role=Role.SUPERVISOR, unit=education)
    rows = coverage_report(as_of=AS_OF, user=officer)["rows"]
    assert [(r["area"], r["orgs_active"]) for r in rows] == [("430102002", 1)]  # holds
    assert school.employments.count() == 1
    assert rows[0]["members_formal"] == 1  # is 6: the other organization's five leak in
