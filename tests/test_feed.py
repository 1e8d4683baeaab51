"""The registry's live feed (issue 18 item 4; docs/feed.md): `POST /api/v1/registry/events`
driven with registrations, changes, deregistrations, replays and refused events; the
registry (the `orgs` export) compared with the events applied, event by event; a
deregistration's DYN-DISSOLVE task at once; nothing of a refused event written; the events
page."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from dangjian.accounts.tokens import token_create
from dangjian.compliance.models import FindingRecord
from dangjian.feed.models import RegistryEvent
from dangjian.imports.export import export_rows
from dangjian.imports.registry import KINDS
from dangjian.orgs.models import SocialOrganization
from tests import factories
from tests.actors import build_world
from tests.importing import table_counts

KEYS = [c.key for c in KINDS["orgs"].columns]


@pytest.fixture
def world(areas):
    return build_world(areas)


def client_of(user) -> Client:
    _record, token = token_create(user=user)
    return Client(headers={"Authorization": f"Bearer {token}"})


def push(client: Client, *events: dict) -> tuple[int, dict]:
    response = client.post("/api/v1/registry/events", json.dumps({"events": list(events)}),
                           content_type="application/json")  # fmt: skip
    return response.status_code, response.json()


def registration(uscc: str, name: str, **over: str) -> dict:
    org = {
        "uscc": uscc, "name": name, "kind": "社会团体", "registry": "芙蓉区民政局",
        "registration_mode": "直接登记", "industry": "文化", "district": "芙蓉区",
        "township": "文艺路街道", "registered_on": "2026-03-01", "staff_count": "12",
    }  # fmt: skip
    org.update(over)
    return org


def registry_rows() -> dict[str, dict[str, str]]:
    return {row[0]: dict(zip(KEYS, row, strict=True)) for row in export_rows("orgs", unmask=True)}


@pytest.mark.django_db(transaction=True)
def test_the_feed_keeps_the_registry_as_the_events_say(world):
    clerk = client_of(world.users["registry"])
    a, b = factories.uscc_for(), factories.uscc_for()
    # What the registry should hold once the events are applied: the stored rows, then
    # each accepted event applied to them by hand.
    expected = registry_rows()
    own = world.orgs["fr_assoc"]

    status, body = push(
        clerk,
        {"id": "E1", "type": "register", "org": registration(a, "文艺路新成立甲协会")},
        {"id": "E2", "type": "register", "org": registration(b, "文艺路新成立乙协会")},
        {
            "id": "E3",
            "type": "change",
            "org": {"uscc": a, "name": "文艺路甲协会（更名）", "staff_count": "20"},
        },
        {
            "id": "E4",
            "type": "change",
            "org": {"uscc": own.uscc, "统一社会信用代码": own.uscc, "从业人员数": "30"},
        },
    )
    assert status == 200, body
    assert [e["outcome"] for e in body["events"]] == ["applied"] * 4
    assert body["events"][2]["changed"] == ["社会组织名称", "从业人员数"] or set(
        body["events"][2]["changed"]
    ) == {"社会组织名称", "从业人员数"}
    for uscc, name, staff in ((a, "文艺路甲协会（更名）", "20"), (b, "文艺路新成立乙协会", "12")):
        row = {k: "" for k in KEYS}
        row.update(registration(uscc, name, staff_count=staff, status="正常"))
        row["kind"], row["registration_mode"] = "社会团体", "直接登记"
        expected[uscc] = row
    expected[own.uscc]["staff_count"] = "30"
    assert registry_rows() == expected

    # A replay changes nothing; the same id with another body is refused; a deregistration
    # shows its DYN-DISSOLVE task at once (a Party organization covers `own`).
    before = table_counts()
    status, body = push(clerk, {"id": "E2", "type": "register",
                                "org": registration(b, "文艺路新成立乙协会")})  # fmt: skip
    assert status == 200 and body["events"][0]["outcome"] == "duplicate"
    assert {k: v for k, v in table_counts().items() if "Token" not in k} == {
        k: v for k, v in before.items() if "Token" not in k
    }
    status, body = push(clerk, {"id": "E2", "type": "register",
                                "org": registration(b, "另一个名字")})  # fmt: skip
    assert status == 422 and "内容与本次不同" in body["events"][0]["errors"][0]["message"]
    assert registry_rows() == expected

    po = factories.party_org(world.areas["wenyilu"], covers=[own])
    day = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    status, body = push(
        clerk,
        {"id": "E5", "type": "deregister", "org": {"uscc": own.uscc, "status_changed_on": day}},
        # refused, each for its own reason; nothing of them written
        {"id": "E6", "type": "change", "org": {"uscc": world.orgs["tx_fund"].uscc, "name": "x"}},
        {
            "id": "E7",
            "type": "register",
            "org": registration(
                factories.uscc_for(),
                "",
            ),
        },
        {"id": "E8", "type": "change", "org": {"uscc": b, "registered_on": "2026-13-01"}},
        {
            "id": "E9",
            "type": "deregister",
            "org": {"uscc": b, "status": "正常", "status_changed_on": day},
        },
        {"id": "E10", "type": "merge", "org": {"uscc": b}},
        {"id": "E11", "type": "change", "org": {"uscc": b, "颜色": "红"}},
    )
    assert status == 422
    outcomes = {e["id"]: e for e in body["events"]}
    assert outcomes["E5"]["outcome"] == "applied"
    assert set(outcomes["E5"]["changed"]) == {"登记状态", "状态变更日期"}
    for refused, column, message in (
        ("E6", "统一社会信用代码", "管辖范围以外"),
        ("E7", "社会组织名称", "必填"),
        ("E8", "成立登记日期", ""),
        ("E9", "登记状态", "注销"),
        ("E10", "type", "事件类型"),
        ("E11", "颜色", "未知的字段"),
    ):
        assert outcomes[refused]["outcome"] == "refused", refused
        (error,) = outcomes[refused]["errors"]
        assert error["column"] == column and message in error["message"], (refused, error)
    expected[own.uscc].update(status="注销", status_changed_on=day)
    assert registry_rows() == expected
    assert FindingRecord.objects.filter(rule="DYN-DISSOLVE", subject_pk=po.pk,
                                        resolved_on__isnull=True).exists()  # fmt: skip
    # Every event is kept with its outcome, the refused ones with their reasons.
    kept = {e.event_id: e for e in RegistryEvent.objects.all()}
    assert set(kept) == {f"E{i}" for i in range(1, 12)}
    assert kept["E2"].deliveries == 2 and kept["E8"].outcome == "refused"
    assert kept["E5"].batch is not None and kept["E8"].errors

    # The events page: the registry's own events, what each changed or why it was refused.
    page = Client()
    page.force_login(world.users["registry"])
    text = page.get("/registry/events/").content.decode()
    assert "E5" in text and "注销" in text and "必填" in text


@pytest.mark.django_db
def test_only_a_registry_pushes_events(world):
    for who in ("furong", "wenyilu", "secretary"):
        status, _ = push(client_of(world.users[who]), {"id": "X", "type": "change",
                                                      "org": {"uscc": "x"}})  # fmt: skip
        assert status == 403, who
    assert Client().post("/api/v1/registry/events", "{}",
                         content_type="application/json").status_code == 401  # fmt: skip
    assert not SocialOrganization.objects.filter(uscc="x").exists()
