"""The JSON API: authentication, scoping, 404 outside the jurisdiction, 422 for bad input."""

from __future__ import annotations

import pytest
from django.test import Client

from dangjian.accounts.models import ApiToken
from dangjian.accounts.tokens import token_create, token_revoke
from dangjian.areas.services import unit_ensure_registries
from tests.actors import build_world
from tests.importing import write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(areas):
    return build_world(areas)


def bearer(user) -> Client:
    _record, token = token_create(user=user)
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_it_refuses_a_call_without_credentials(world):
    response = Client().get("/api/v1/orgs")
    assert response.status_code == 401
    assert (
        Client(headers={"Authorization": "Bearer dj_nope"}).get("/api/v1/orgs").status_code == 401
    )


def test_a_token_works_until_revoked_and_records_its_last_use(world):
    record, token = token_create(user=world.users["furong"])
    client = Client(headers={"Authorization": f"Bearer {token}"})
    assert client.get("/api/v1/orgs").status_code == 200
    record.refresh_from_db()
    assert record.last_used_at is not None
    assert token not in str(ApiToken.objects.values().get())  # stored hashed
    token_revoke(token=record)
    assert client.get("/api/v1/orgs").status_code == 401


def test_the_session_of_the_web_pages_works_too(world):
    client = Client()
    client.force_login(world.users["furong"])
    assert client.get("/api/v1/orgs").json()["count"] == 2


def test_lists_are_scoped_and_paginated(world):
    client = bearer(world.users["furong"])
    body = client.get("/api/v1/orgs", {"page_size": 1}).json()
    assert body["count"] == 2 and len(body["items"]) == 1
    second = client.get("/api/v1/orgs", {"page_size": 1, "page": 2}).json()["items"][0]
    assert {body["items"][0]["uscc"], second["uscc"]} == {
        world.orgs["fr_assoc"].uscc,
        world.orgs["fr_school"].uscc,
    }
    assert client.get("/api/v1/orgs", {"page": 99}).json()["items"] == []
    assoc = client.get(f"/api/v1/orgs/{world.orgs['fr_assoc'].uscc}").json()
    assert assoc["covered_by"] == ["D-FR-1"] and assoc["formal_members"] == 3
    assert [p["code"] for p in client.get("/api/v1/party-orgs").json()["items"]] == ["D-FR-1"]


def test_an_object_outside_the_jurisdiction_answers_404_like_a_missing_one(world):
    client = bearer(world.users["outsider"])
    outside = client.get(f"/api/v1/orgs/{world.orgs['fr_assoc'].uscc}")
    missing = client.get("/api/v1/orgs/51430102MJJ0000000")
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()
    assert client.get("/api/v1/party-orgs/D-FR-1").status_code == 404
    assert client.get("/api/v1/orgs", {"area": "430102"}).status_code == 404
    assert client.get("/api/v1/reports/coverage", {"area": "430102"}).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"page": 0},
        {"page": "x"},
        {"page": 10**30},
        {"page_size": 100000},
        {"kind": "nonsense"},
        {"status": "x"},
    ],
)
def test_bad_input_answers_422(world, query):
    response = bearer(world.users["city"]).get("/api/v1/orgs", query)
    assert response.status_code == 422


def test_a_single_valued_parameter_given_twice_answers_422_naming_it(world):
    client = bearer(world.users["city"])
    for path in ("/api/v1/orgs", "/api/v1/party-orgs"):
        response = client.get(f"{path}?q=协会&q=学会")
        assert response.status_code == 422, path
        assert "q" in response.content.decode()
    assert client.get("/api/v1/findings?rule=COV-JOINT&rule=COV-STANDALONE").status_code == 200


def test_findings_and_reports_have_the_command_shapes(world):
    client = bearer(world.users["furong"])
    body = client.get("/api/v1/findings", {"as_of": "2026-11-26"}).json()
    assert set(body) >= {"as_of", "policy_version", "summary", "findings", "count"}
    assert all(f["area"].startswith("430102") for f in body["findings"])
    assert client.get("/api/v1/findings", {"rule": "NOPE"}).status_code == 422
    assert client.get("/api/v1/findings", {"as_of": "2026-02-30"}).status_code == 422
    rows = client.get("/api/v1/reports/coverage").json()
    assert rows[0]["area"] == "430102" and rows[0]["level"] == "district"
    table = client.get("/api/v1/reports/org-building").json()
    assert table["columns"] == ["total", "association", "foundation", "service_agency"]
    # Titled with the jurisdiction counted, as the page and the workbook are.
    assert table["title"] == "芙蓉区社会组织法人单位建立党的基层组织情况"
    assert (table["area_name"], table["scope"]) == ("芙蓉区", "填报区划：芙蓉区")
    supervised = bearer(world.users["supervisor"]).get("/api/v1/reports/org-building").json()
    assert supervised["scope"].startswith("统计范围：") and "主管的" in supervised["title"]


def test_an_import_through_the_api_uses_the_service(world, tmp_path, areas):
    unit_ensure_registries(under=areas["city"])
    client = bearer(world.users["furong"])
    good = write_csv(
        tmp_path / "orgs.csv",
        [
            [
                world.orgs["fr_assoc"].uscc,
                "芙蓉区书法家协会",
                "社会团体",
                "芙蓉区民政局",
                "直接登记",
                "",
                "其他",
                "芙蓉区",
                "文艺路街道",
                "",
                "2015-01-01",
                "正常",
                "",
                "",
                "",
            ]
        ],
        kind="orgs",
    )
    with good.open("rb") as fh:
        response = client.post("/api/v1/imports/orgs", {"file": fh, "dry_run": "true"})
    assert response.status_code == 200, response.content
    assert response.json()["updated"] == 1
    bad = write_csv(tmp_path / "bad.csv", [["x"]], kind="orgs")
    with bad.open("rb") as fh:
        response = client.post("/api/v1/imports/orgs", {"file": fh})
    assert response.status_code == 422
    assert response.json()["errors"][0]["row"] == 2
    with good.open("rb") as fh:
        assert (
            bearer(world.users["secretary"]).post("/api/v1/imports/orgs", {"file": fh}).status_code
            == 403
        )


def test_the_schema_and_the_docs_are_served_from_this_machine(world):
    client = Client()
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/v1/orgs",
        "/api/v1/orgs/{uscc}",
        "/api/v1/findings",
        "/api/v1/imports/{kind}",
    } <= set(schema["paths"])
    docs = client.get("/api/v1/docs").content.decode()
    assert "cdn" not in docs.lower() and "/static/ninja/" in docs


def test_findings_take_every_rule_asked(world):
    client = bearer(world.users["city"])
    everything = client.get("/api/v1/findings", {"as_of": "2026-11-26", "page_size": "500"}).json()
    rules = sorted({f["rule"] for f in everything["findings"]})
    assert len(rules) >= 2, rules
    first, second = rules[:2]
    counts = {
        rule: client.get("/api/v1/findings", {"as_of": "2026-11-26", "rule": rule}).json()["count"]
        for rule in (first, second)
    }
    both = client.get(
        "/api/v1/findings", {"as_of": "2026-11-26", "rule": [first, second], "page_size": "500"}
    ).json()
    assert both["count"] == counts[first] + counts[second]
    assert {f["rule"] for f in both["findings"]} == {first, second}


def test_an_unreadable_date_answers_422_in_chinese(world):
    response = bearer(world.users["city"]).get("/api/v1/findings", {"as_of": "garbage"})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["query", "as_of"]
    assert error["msg"] == "检查日期「garbage」：无法识别的日期，应为 YYYY-MM-DD（如 2026-01-31）"
