"""Dissolving a Party organization (docs/dissolutions.md): the secretary (or the township)
proposes 撤销 with a day, a reason and each member's destination, checked at once by the
`transfers` kind; the level above approves — the Party organization is dissolved and one
transfer opened per member, all in one transaction — or refuses with a reason. Outside the
jurisdiction a case answers 404; the proposer, and the Party organization's own secretary,
may not decide it."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.compliance.engine import evaluate, record
from dangjian.dissolutions.models import Dissolution, DissolutionState
from dangjian.imports.models import ImportBatch
from dangjian.orgs.models import OrgStatus
from dangjian.partyorgs.models import PartyOrganization, PartyOrgLevel, PartyOrgStatus
from dangjian.people.models import Membership
from dangjian.tasks.models import OPEN_STATES, Task
from dangjian.transfers.models import Transfer, TransferStatus
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def case_world(areas):
    """党委 P-UP (文艺路) with its branch P-D, whose only organization was deregistered; two
    members whose relation P-D holds; P-B (坡子街) may receive one of them."""
    org = factories.org(areas["wenyilu"], name="文艺路已注销协会")
    org.status, org.status_changed_on = OrgStatus.DEREGISTERED, TODAY - dt.timedelta(days=40)
    org.save()
    up = factories.party_org(areas["wenyilu"], code="P-UP", name="文艺路联合党委",
                             level=PartyOrgLevel.COMMITTEE)  # fmt: skip
    d = factories.party_org(areas["wenyilu"], code="P-D", name="文艺路已注销协会党支部",
                            covers=[org], parent=up)  # fmt: skip
    b = factories.party_org(areas["pozi"], code="P-B", name="坡子街乙党支部")
    one, two = factories.member(None, relation=d), factories.member(None, relation=d)
    return {
        "org": org, "up": up, "d": d, "b": b, "one": one, "two": two,
        "sec_d": factories.user("sec_d", role=Role.ORG, party_org=d),
        "sec_up": factories.user("sec_up", role=Role.ORG, party_org=up),
        "wenyilu": factories.user("wenyilu", role=Role.TOWNSHIP, area=areas["wenyilu"]),
        "pozi": factories.user("pozi", role=Role.TOWNSHIP, area=areas["pozi"]),
    }  # fmt: skip


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def propose(w: dict[str, Any], by: Any = None, **over: str) -> Any:
    data = {
        "dissolved_on": (TODAY - dt.timedelta(days=5)).isoformat(),
        "reason": "所在社会组织已注销",
        f"code-{w['one'].pk}": "P-B", f"name-{w['one'].pk}": "",
        f"code-{w['two'].pk}": "", f"name-{w['two'].pk}": "岳麓区某社区党委",
        **over,
    }  # fmt: skip
    url = reverse("web:dissolution_new", kwargs={"code": "P-D"})
    return client(by or w["sec_d"]).post(url, data)


def decide(w: dict[str, Any], by: Any, decision: str = "approve", opinion: str = "") -> Any:
    case = Dissolution.objects.get()
    url = reverse("web:dissolution_decide", kwargs={"pk": case.pk})
    return client(by).post(url, {"decision": decision, "opinion": opinion})


@pytest.mark.django_db(transaction=True)  # the live re-evaluation follows the commit
def test_proposed_from_the_task_approved_by_the_township(case_world):
    w = case_world
    record(evaluate(as_of=TODAY))
    task = Task.objects.get(rule="DYN-DISSOLVE", subject_pk=w["d"].pk)
    page = client(w["sec_d"]).get(reverse("web:task", kwargs={"pk": task.pk}))
    start = reverse("web:dissolution_new", kwargs={"code": "P-D"}) + f"?task={task.pk}"
    assert start in page.text
    form = client(w["sec_d"]).get(start)
    assert form.status_code == 200 and w["one"].name in form.text and w["two"].name in form.text

    response = propose(w, task=str(task.pk))
    case = Dissolution.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "web:dissolution", kwargs={"pk": case.pk}
    )
    assert case.state == DissolutionState.PROPOSED and case.task == task
    # Nothing changes before the decision.
    w["d"].refresh_from_db()
    assert w["d"].status == PartyOrgStatus.ACTIVE and not Transfer.objects.exists()
    # The task now leads to the case.
    page = client(w["wenyilu"]).get(reverse("web:task", kwargs={"pk": task.pk}))
    assert reverse("web:dissolution", kwargs={"pk": case.pk}) in page.text

    # Neither the proposer (their own Party organization) may decide.
    assert decide(w, w["sec_d"]).status_code == 403
    detail = client(w["wenyilu"]).get(reverse("web:dissolution", kwargs={"pk": case.pk}))
    assert reverse("web:dissolution_decide", kwargs={"pk": case.pk}) in detail.text
    response = decide(w, w["wenyilu"], opinion="同意撤销")
    assert response.status_code == 302
    case.refresh_from_db()
    w["d"].refresh_from_db()
    assert case.state == DissolutionState.APPROVED and case.opinion == "同意撤销"
    assert w["d"].status == PartyOrgStatus.DISSOLVED
    assert w["d"].dissolved_on == TODAY - dt.timedelta(days=5)
    transfers = {t.person_id: t for t in Transfer.objects.all()}
    assert set(transfers) == {w["one"].pk, w["two"].pk}
    assert all(t.status == TransferStatus.OPEN and t.issued_on == TODAY for t in transfers.values())
    assert all(t.from_party_org == w["d"] for t in transfers.values())
    assert transfers[w["one"].pk].to_party_org == w["b"]
    assert transfers[w["two"].pk].to_name == "岳麓区某社区党委"
    assert {d.transfer_id for d in case.destinations.all()} == {t.pk for t in transfers.values()}
    # The relations stay until each transfer is received; the case page lists the transfers.
    assert Membership.objects.filter(relation_party_org=w["d"]).count() == 2
    detail = client(w["sec_d"]).get(reverse("web:dissolution", kwargs={"pk": case.pk}))
    for t in transfers.values():
        assert reverse("web:transfer", kwargs={"pk": t.pk}) in detail.text
    # Re-evaluated: the DYN-DISSOLVE task closed itself; each member has a DYN-TRANSFER task.
    task.refresh_from_db()
    assert task.state not in OPEN_STATES
    assert Task.objects.filter(rule="DYN-TRANSFER", state__in=OPEN_STATES).count() == 2
    # Each member's task leads to their open transfer.
    moving = Task.objects.get(rule="DYN-TRANSFER", subject_pk=w["one"].pk)
    page = client(w["wenyilu"]).get(reverse("web:task", kwargs={"pk": moving.pk}))
    opened = transfers[w["one"].pk]
    assert reverse("web:transfer", kwargs={"pk": opened.pk}) in page.text
    assert "查看组织关系转接（办理中）" in page.text


def test_each_member_needs_a_destination_checked_by_the_transfers_kind(case_world):
    w = case_world
    batches = ImportBatch.objects.count()
    missing = propose(w, **{f"name-{w['two'].pk}": ""})
    assert missing.status_code == 422
    assert f"请填写党员{w['two'].name}的转入党组织" in missing.text
    unknown = propose(w, **{f"code-{w['one'].pk}": "P-NOPE"})
    assert unknown.status_code == 422
    assert f'id="dest-{w["one"].pk}-errors">党组织编码不存在' in unknown.text
    both = propose(w, **{f"name-{w['one'].pk}": "某党委"})
    assert both.status_code == 422 and "只填写其中一项" in both.text
    itself = propose(w, **{f"code-{w['one'].pk}": "P-D"})
    assert itself.status_code == 422 and "与转出党组织相同" in itself.text
    for bad, why in (("", "撤销日期"), ("2015-01-01", "早于成立日期"),
                     ((TODAY + dt.timedelta(days=1)).isoformat(), "晚于今天")):  # fmt: skip
        response = propose(w, dissolved_on=bad)
        assert response.status_code == 422 and why in response.text, bad
    no_reason = propose(w, reason="  ")
    assert no_reason.status_code == 422 and "撤销原因" in no_reason.text
    assert not Dissolution.objects.exists() and ImportBatch.objects.count() == batches


def test_approval_is_all_or_nothing(case_world):
    w = case_world
    assert propose(w).status_code == 302
    # The destination is dissolved before the decision: the transfer cannot be opened, so
    # neither is the Party organization dissolved.
    PartyOrganization.objects.filter(pk=w["b"].pk).update(
        status=PartyOrgStatus.DISSOLVED, dissolved_on=TODAY - dt.timedelta(days=1)
    )
    batches = ImportBatch.objects.count()
    response = decide(w, w["wenyilu"])
    assert response.status_code == 422 and "撤销" in response.text
    w["d"].refresh_from_db()
    assert w["d"].status == PartyOrgStatus.ACTIVE and w["d"].dissolved_on is None
    assert not Transfer.objects.exists() and ImportBatch.objects.count() == batches
    assert Dissolution.objects.get().state == DissolutionState.PROPOSED


def test_the_parent_secretary_approves(case_world):
    w = case_world
    assert propose(w, by=w["wenyilu"]).status_code == 302
    assert decide(w, w["wenyilu"]).status_code == 403  # the proposer
    assert decide(w, w["sec_d"]).status_code == 403  # the Party organization itself
    assert decide(w, w["sec_up"], opinion="同意").status_code == 302
    w["d"].refresh_from_db()
    assert w["d"].status == PartyOrgStatus.DISSOLVED and Transfer.objects.count() == 2
    case = Dissolution.objects.get()
    assert case.decided_by == w["sec_up"]
    assert [h.history_change_reason for h in case.history.order_by("history_id")] == [
        "提请撤销党组织", "批准撤销党组织，开出组织关系转接",
    ]  # fmt: skip


def test_refusal_needs_a_reason_and_changes_nothing(case_world):
    w = case_world
    assert propose(w).status_code == 302
    empty = decide(w, w["wenyilu"], "refuse")
    assert empty.status_code == 422 and "审批意见" in empty.text
    assert decide(w, w["wenyilu"], "refuse", "社会组织正在申请恢复登记").status_code == 302
    case = Dissolution.objects.get()
    assert case.state == DissolutionState.REFUSED
    w["d"].refresh_from_db()
    assert w["d"].status == PartyOrgStatus.ACTIVE and not Transfer.objects.exists()
    # A case decided is decided; a new one may be proposed.
    assert decide(w, w["wenyilu"]).status_code == 403
    assert propose(w).status_code == 302
    assert Dissolution.objects.filter(state=DissolutionState.PROPOSED).count() == 1


def test_outside_the_jurisdiction_is_not_found(case_world):
    w = case_world
    assert propose(w).status_code == 302
    case = Dissolution.objects.get()
    other = client(w["pozi"])
    assert other.get(reverse("web:dissolution", kwargs={"pk": case.pk})).status_code == 404
    assert other.get(reverse("web:dissolution", kwargs={"pk": case.pk + 99})).status_code == 404
    assert other.post(reverse("web:dissolution_decide", kwargs={"pk": case.pk}),
                      {"decision": "approve"}).status_code == 404  # fmt: skip
    assert other.get(reverse("web:dissolution_new", kwargs={"code": "P-D"})).status_code == 404
    assert "文艺路已注销协会党支部" not in other.get(reverse("web:dissolutions")).text
    # A secretary of another Party organization in the area sees nothing either.
    b_sec = factories.user("sec_b", role=Role.ORG, party_org=w["b"])
    assert client(b_sec).get(reverse("web:dissolution", kwargs={"pk": case.pk})).status_code == 404


def test_list_and_its_xlsx(case_world):
    w = case_world
    assert propose(w).status_code == 302
    page = client(w["wenyilu"]).get(reverse("web:dissolutions") + "?state=proposed")
    assert "文艺路已注销协会党支部" in page.text
    response = client(w["wenyilu"]).get(reverse("web:dissolutions") + "?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("党组织", "党组织编码", "所在区划", "撤销日期", "撤销原因", "状态")
    assert rows[1][:2] == ("文艺路已注销协会党支部", "P-D") and rows[1][5] == "待审批"
