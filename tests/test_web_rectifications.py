"""The pages of weak and lax Party organizations (docs/dynamics.md): the township identifies
a branch (a one-row import: the kind's checks beside the fields; nothing written on a
refusal), its secretary notes progress and reports it done, the level above approves — the
整顿完成日期 written through the kind, DYN-WEAK-OVERDUE closing at once — or returns it; the
system's suggestion of a branch with open LIFE-/ORG-/CAD- findings in two quarters; who may
do what; the list per state and its xlsx."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.compliance.models import FindingRecord
from dangjian.rectifications.models import Rectification
from dangjian.rectifications.selectors import quarters_before, suggestions
from tests.actors import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(areas):
    return build_world(areas)


def login(client, world, who):
    client.force_login(world.users[who])
    return client


def identify(client, code, **over):
    today = timezone.localdate()
    data = {"party_org": code, "identified_on": (today - dt.timedelta(days=200)).isoformat(),
            "problem": "组织生活不正常", "deadline": (today - dt.timedelta(days=10)).isoformat(),
            "plan": "每月召开支委会", **over}  # fmt: skip
    return client.post("/rectifications/new/", data)


@pytest.mark.django_db(transaction=True)
def test_identified_noted_reported_and_approved(client, areas):
    world = build_world(areas)
    fr = world.party_orgs["fr"]
    login(client, world, "wenyilu")
    refused = identify(client, fr.code, deadline="2000-01-01")
    assert refused.status_code == 422 and "早于认定日期" in refused.content.decode()
    assert not Rectification.objects.exists()
    saved = identify(client, fr.code)
    assert saved.status_code == 302, saved.content.decode()[:1500]
    record = Rectification.objects.get()
    assert record.plan == "每月召开支委会"
    # past its deadline: DYN-WEAK-OVERDUE at once
    overdue = FindingRecord.objects.filter(rule="DYN-WEAK-OVERDUE", subject_pk=fr.pk,
                                           resolved_on__isnull=True)  # fmt: skip
    assert overdue.exists()
    url = f"/rectifications/{record.pk}/"

    login(client, world, "secretary")
    assert client.post(url, {"action": "approve"}).status_code == 403  # not its own review
    assert client.post(url, {"action": "note", "text": "补选支部委员"}).status_code == 302
    assert client.post(url, {"action": "submit", "summary": ""}).status_code == 422
    assert client.post(url, {"action": "submit", "summary": "整改完成"}).status_code == 302

    login(client, world, "wenyilu")
    assert client.post(url, {"action": "return", "opinion": ""}).status_code == 422
    assert client.post(url, {"action": "return", "opinion": "台账不全"}).status_code == 302
    record.refresh_from_db()
    assert record.completion_submitted_on is None and record.resolved_on is None
    login(client, world, "secretary")
    client.post(url, {"action": "submit", "summary": "台账已补齐"})
    login(client, world, "wenyilu")
    assert client.post(url, {"action": "approve", "opinion": ""}).status_code == 302
    record.refresh_from_db()
    assert record.resolved_on == timezone.localdate()
    assert record.reviewed_by == world.users["wenyilu"]
    assert not overdue.exists()
    text = client.get(url).content.decode()
    assert "已完成" in text and "补选支部委员" in text and "台账不全" in text


@pytest.mark.parametrize(("who", "status"), [("wenyilu", 200), ("furong", 200),
                                             ("secretary", 403), ("registry", 403)])  # fmt: skip
def test_who_may_identify(client, world, who, status):
    assert login(client, world, who).get("/rectifications/new/").status_code == status


def test_a_case_outside_the_jurisdiction_answers_404(client, world):
    record = Rectification.objects.create(
        party_org=world.party_orgs["tx"], identified_on=dt.date(2026, 1, 5),
        problem="问题", deadline=dt.date(2026, 6, 30),
    )  # fmt: skip
    assert login(client, world, "wenyilu").get(f"/rectifications/{record.pk}/").status_code == 404
    assert login(client, world, "outsider").get(f"/rectifications/{record.pk}/").status_code == 200


def test_the_list_counts_by_state_and_exports(client, world):
    today = timezone.localdate()
    Rectification.objects.create(party_org=world.party_orgs["fr"], problem="问题",
                                 identified_on=today - dt.timedelta(days=300),
                                 deadline=today - dt.timedelta(days=30))  # fmt: skip
    login(client, world, "furong")
    text = client.get("/rectifications/?state=overdue").content.decode()
    assert world.party_orgs["fr"].name in text and "逾期未完成" in text
    book = load_workbook(io.BytesIO(client.get("/rectifications/?format=xlsx").content))
    assert list(book.active.values)[1][6] == "逾期未完成"


def test_a_branch_with_tasks_in_two_quarters_is_suggested(world):
    today = timezone.localdate()
    (first, _), (_, second_end) = quarters_before(today)
    fr = world.party_orgs["fr"]
    FindingRecord.objects.create(
        rule="LIFE-MEETINGS", subject_type="party_org", subject_key=fr.code, subject_name=fr.name,
        subject_pk=fr.pk, area=fr.township.code, area_path=fr.township.path, severity="medium",
        message="未召开", first_seen=first, last_seen=second_end, policy_version="t",
    )  # fmt: skip
    gate = Jurisdiction(world.users["wenyilu"])
    assert [s.party_org.pk for s in suggestions(gate, today)] == [fr.pk]
    # resolved before the second quarter ended: no longer in both
    FindingRecord.objects.update(resolved_on=second_end)
    assert suggestions(gate, today) == []
