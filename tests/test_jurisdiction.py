"""The jurisdiction gate: each role sees its own, and nothing else."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.accounts.jurisdiction import Jurisdiction, NotFound
from dangjian.compliance.engine import evaluate
from dangjian.reports.coverage import coverage_report
from tests.actors import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(areas):
    return build_world(areas)


def names(qs):
    return sorted(o.name for o in qs)


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("city", ["天心区助学基金会", "芙蓉区书法协会", "芙蓉区某培训学校"]),
        ("furong", ["芙蓉区书法协会", "芙蓉区某培训学校"]),
        ("wenyilu", ["芙蓉区书法协会"]),
        ("registry", ["芙蓉区书法协会"]),  # the school was registered with a supervisor
        ("supervisor", ["芙蓉区某培训学校"]),
        ("secretary", ["芙蓉区书法协会"]),
        ("instructor", ["芙蓉区某培训学校"]),
        ("outsider", ["天心区助学基金会"]),
    ],
)
def test_it_shows_each_role_its_own_organizations(world, actor, expected):
    assert names(Jurisdiction(world.users[actor]).orgs()) == expected


def test_an_object_outside_the_jurisdiction_answers_as_a_missing_one(world):
    gate = Jurisdiction(world.users["outsider"])
    with pytest.raises(NotFound) as outside:
        gate.access_org(world.orgs["fr_assoc"].uscc)
    with pytest.raises(NotFound) as missing:
        gate.access_org("51430102MJJ0000000")
    assert str(outside.value) == str(missing.value)
    with pytest.raises(NotFound):
        gate.access_party_org("D-FR-1")
    with pytest.raises(NotFound):
        gate.access_person(world.people["fr_member"].pk)
    with pytest.raises(NotFound):
        gate.access_area("430102")


def test_a_secretary_sees_their_party_organization_and_its_members(world):
    gate = Jurisdiction(world.users["secretary"])
    assert [p.code for p in gate.party_orgs()] == ["D-FR-1"]
    assert world.people["fr_member"] in gate.people()
    assert world.people["tx_member"] not in gate.people()


def test_a_user_without_role_sees_nothing(world, areas):
    from tests import factories

    nobody = factories.user("nobody")
    gate = Jurisdiction(nobody)
    assert (
        not gate.orgs().exists() and not gate.party_orgs().exists() and not gate.people().exists()
    )


def test_findings_and_reports_are_cut_to_the_jurisdiction(world):
    today = dt.date(2026, 11, 26)
    everything = evaluate(as_of=today)
    assert {f.area for f in everything.findings} >= {"430103001"}
    furong = evaluate(as_of=today, user=world.users["furong"])
    assert furong.findings and all(f.area.startswith("430102") for f in furong.findings)
    supervisor = evaluate(as_of=today, user=world.users["supervisor"])
    assert {f.subject.key for f in supervisor.findings} <= {
        world.orgs["fr_school"].uscc,
        "长沙市教育局",
    }
    rows = coverage_report(as_of=today, user=world.users["outsider"])["rows"]
    assert {r["area"] for r in rows} == {"430103", "430103001"}
    assert rows[0]["orgs_active"] == 1
