"""The pages of annual inspections and evaluations (docs/dynamics.md "页面"): the registry
records an inspection of an organization it registered directly (a one-row import: the
kind's checks and messages beside the fields, nothing written on a refusal), sees the
organization's Party-building state on the inspection's date; another registry gets 404;
a supervisory unit 403; the area list counts per area and exports xlsx."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from dangjian.compliance.models import FindingRecord
from dangjian.inspections.models import AnnualInspection, Evaluation
from tests.actors import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(areas):
    return build_world(areas)


def login(client, world, who):
    client.force_login(world.users[who])
    return client


def url(org, what="inspections"):
    return f"/orgs/{org.uscc}/{what}/new/"


def form(year="2025", party="否", day="2026-04-15", **over):
    return {"year": year, "result": "合格", "party_section": party, "inspected_on": day,
            "reason": "", **over}  # fmt: skip


def test_the_registry_records_an_inspection_of_its_own_organization(client, world):
    org = world.orgs["fr_assoc"]
    login(client, world, "registry")
    page = client.get(url(org))
    assert page.status_code == 200
    text = page.content.decode()
    assert "党建情况" in text and "党组织覆盖" in text and org.name in text
    saved = client.post(url(org), form())
    assert saved.status_code == 302, saved.content.decode()[:2000]
    stored = AnnualInspection.objects.get(org=org)
    assert (stored.year, stored.party_section) == (2025, False)
    assert stored.history.first().history_user == world.users["registry"]
    detail = client.get(f"/orgs/{org.uscc}/").content.decode()
    assert "年检与评估" in detail and "录入年检" in detail


def test_a_refused_inspection_names_the_field_and_writes_nothing(client, world):
    org = world.orgs["fr_assoc"]
    login(client, world, "registry")
    page = client.post(url(org), form(day="2025-06-01"))
    assert page.status_code == 422
    assert "应在年检年度之后的年份" in page.content.decode()
    assert not AnnualInspection.objects.exists()


def test_the_state_is_that_of_the_date_asked(client, world):
    org = world.orgs["fr_assoc"]
    login(client, world, "wenyilu")
    text = client.get(url(org) + "?on=2010-01-01").content.decode()
    assert "2010-01-01 的党建情况" in text and "未覆盖" in text


@pytest.mark.parametrize(
    ("who", "status"),
    [("registry", 200), ("furong", 200), ("wenyilu", 200), ("supervisor", 404),
     ("secretary", 403), ("outsider", 404)],
)  # fmt: skip
def test_who_may_open_the_form(client, world, who, status):
    assert login(client, world, who).get(url(world.orgs["fr_assoc"])).status_code == status


def test_another_registry_s_organization_answers_404(client, world):
    login(client, world, "registry")
    assert client.get(url(world.orgs["tx_fund"])).status_code == 404
    assert client.post(url(world.orgs["tx_fund"]), form()).status_code == 404
    # supervised, not registered directly: not the registry's
    assert client.get(url(world.orgs["fr_school"])).status_code == 404
    assert not AnnualInspection.objects.exists()


def test_the_registry_records_an_evaluation(client, world):
    org = world.orgs["fr_assoc"]
    login(client, world, "registry")
    saved = client.post(url(org, "evaluations"), {
        "evaluated_on": "2025-10-20", "grade": "4A", "valid_until": "2030-10-19",
        "party_section": "是", "party_score": "90", "reason": "",
    })  # fmt: skip
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert Evaluation.objects.get(org=org).grade == "4A"


@pytest.mark.django_db(transaction=True)
def test_the_list_counts_per_area_and_exports(client, areas):
    world = build_world(areas)
    org = world.orgs["fr_assoc"]
    login(client, world, "registry")
    assert client.post(url(org), form()).status_code == 302
    # the township sees the task the inspection opened
    assert FindingRecord.objects.filter(rule="DYN-INSPECTION", subject_pk=org.pk,
                                        resolved_on__isnull=True).exists()  # fmt: skip
    login(client, world, "furong")
    page = client.get("/inspections/?year=2025")
    text = page.content.decode()
    assert page.status_code == 200 and org.name in text and "未填报党建情况" in text
    book = load_workbook(io.BytesIO(client.get("/inspections/?year=2025&format=xlsx").content))
    rows = list(book.active.values)
    assert rows[1][0] == org.uscc and rows[1][5] == "否"
    login(client, world, "outsider")
    assert org.name not in client.get("/inspections/?year=2025").content.decode()
