"""Dissolving a Party organization in the browser (issue 17): its only organization was
deregistered, so it has a DYN-DISSOLVE task. Its secretary proposes 撤销 from the task, with
each member's destination; the township officer approves — the Party organization is
dissolved and a transfer opened for each member. The receiving secretary accepts one and
returns the other with a reason; the officer issues that one again to a third branch, whose
secretary accepts it; the letter is downloaded. Every task closes itself."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import transaction
from django.utils import timezone
from docx import Document
from playwright.sync_api import expect

from dangjian.accounts.models import Role
from dangjian.compliance.engine import evaluate, record
from dangjian.dissolutions.models import Dissolution, DissolutionState
from dangjian.orgs.models import OrgStatus
from dangjian.partyorgs.models import PartyOrgStatus
from dangjian.people.models import Membership
from dangjian.tasks.models import OPEN_STATES, Task
from dangjian.transfers.models import Transfer, TransferStatus
from tests import factories
from tests.actors import World
from tests.browser.conftest import LAPTOP, TABLET, Site, assert_fits, heading

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_dissolution_from_its_task_to_every_member_received(site: Site, actors: World):
    areas = actors.areas
    today = timezone.localdate()
    with transaction.atomic():
        org = factories.org(areas["wenyilu"], name="文艺路已注销书画协会")
        org.status, org.status_changed_on = OrgStatus.DEREGISTERED, today - dt.timedelta(days=30)
        org.save()
        dis = factories.party_org(areas["wenyilu"], code="P-DIS", name="文艺路书画协会党支部",
                                  covers=[org])  # fmt: skip
        one = factories.member(None, relation=dis)
        two = factories.member(None, relation=dis)
        pozi = factories.party_org(areas["pozi"], code="P-POZI", name="坡子街甲协会党支部")
        third = factories.party_org(areas["pozi"], code="P-THIRD", name="坡子街乙协会党支部")
        factories.user("dis_sec", role=Role.ORG, party_org=dis)
        factories.user("pozi_sec", role=Role.ORG, party_org=pozi)
        factories.user("third_sec", role=Role.ORG, party_org=third)
        record(evaluate(as_of=today))
    task = Task.objects.get(rule="DYN-DISSOLVE", subject_pk=dis.pk)
    assert task.state in OPEN_STATES

    # The secretary proposes 撤销 from the task, with each member's destination.
    sec = site.log_in("dis_sec", LAPTOP)
    sec.goto(f"/tasks/{task.pk}/")
    sec.get_by_role("link", name="提请撤销党组织").click()
    assert heading(sec).startswith("提请撤销党组织")
    sec.get_by_label("撤销日期（必填）").fill((today - dt.timedelta(days=3)).isoformat())
    sec.get_by_label("撤销原因（必填）").fill("所在社会组织已于上月注销，不再开展活动")
    sec.get_by_label(f"{one.name}的转入党组织编码").fill("P-POZI")
    # The second destination is forgotten first: refused beside it, nothing written.
    case_url = f"/dissolutions/new/P-DIS/?task={task.pk}"
    site.expected_status[case_url] = 422
    sec.get_by_role("button", name="提请撤销").click()
    expect(sec.locator(f"#dest-{two.pk}-errors")).to_contain_text("请填写")
    assert not Dissolution.objects.exists()
    sec.get_by_label(f"{two.name}的转入党组织编码").fill("P-POZI")
    sec.get_by_role("button", name="提请撤销").click()
    expect(sec.locator("#case-state")).to_have_text("待审批")
    assert_fits(sec, "撤销党组织")
    site.assert_clean()
    case = Dissolution.objects.get()

    # The township officer approves it, on a tablet.
    officer = site.log_in("wenyilu", TABLET)
    officer.goto("/dissolutions/?state=proposed")
    officer.get_by_role("link", name="文艺路书画协会党支部").click()
    officer.get_by_role("link", name="审批").click()
    officer.get_by_label("审批意见（不予批准时必填）").fill("同意撤销，党员组织关系按去向转出")
    officer.get_by_role("button", name="批准", exact=True).click()
    expect(officer.locator("#case-state")).to_have_text("已批准")
    expect(officer.locator("#case-members a")).to_have_count(2)
    assert_fits(officer, "撤销党组织（平板）")
    site.assert_clean()
    dis.refresh_from_db()
    assert dis.status == PartyOrgStatus.DISSOLVED and dis.dissolved_on == today - dt.timedelta(3)
    assert Transfer.objects.filter(from_party_org=dis, status=TransferStatus.OPEN).count() == 2
    task.refresh_from_db()
    assert task.state not in OPEN_STATES  # DYN-DISSOLVE closed itself
    moving = Task.objects.filter(rule="DYN-TRANSFER", subject_pk__in=[one.pk, two.pk])
    assert moving.count() == 2 and all(t.state in OPEN_STATES for t in moving)

    # The letter of the first member's transfer, from the case page (masked).
    officer.get_by_role("row", name=one.name).get_by_role("link").click()
    with officer.expect_download() as caught:
        officer.get_by_role("link", name="下载组织关系介绍信（.docx）").click()
    with open(caught.value.path(), "rb") as saved:
        text = "\n".join(p.text for p in Document(io.BytesIO(saved.read())).paragraphs)
    assert one.id_masked in text and one.id_number not in text and "坡子街甲协会党支部" in text
    site.assert_clean()

    # The receiving secretary accepts the first and returns the second, with a reason.
    rec = site.log_in("pozi_sec", LAPTOP)
    rec.goto("/transfers/?direction=in")
    rec.get_by_role("link", name=one.name).click()
    rec.get_by_role("link", name="接收").click()
    rec.get_by_role("button", name="确定").click()
    expect(rec.locator("#transfer-status")).to_have_text("已接收")
    rec.goto("/transfers/?direction=in&status=open")
    rec.get_by_role("link", name=two.name).click()
    rec.get_by_role("link", name="退回").click()
    rec.get_by_label("退回原因（必填）").fill("该党员已到岳麓区新单位就业")
    rec.get_by_role("button", name="确定").click()
    expect(rec.locator("#transfer-status")).to_have_text("已退回")
    site.assert_clean()

    # The officer issues it again (the day before: one transfer a member a day) to a third
    # branch, from the case page; that branch's secretary accepts it.
    officer.goto(f"/dissolutions/{case.pk}/")
    officer.get_by_role("row", name=two.name).get_by_role("link").click()
    officer.get_by_role("link", name="重新开出").click()
    officer.get_by_label("转入党组织（系统内：输入编码或名称搜索）").fill("P-THIRD")
    officer.get_by_label("开出日期（必填）").fill((today - dt.timedelta(days=1)).isoformat())
    officer.get_by_role("button", name="开出").click()
    expect(officer.locator("#transfer-status")).to_have_text("办理中")
    site.assert_clean()
    accept = site.log_in("third_sec", LAPTOP)
    accept.goto("/transfers/?direction=in")
    accept.get_by_role("link", name=two.name).click()
    accept.get_by_role("link", name="接收").click()
    accept.get_by_role("button", name="确定").click()
    expect(accept.locator("#transfer-status")).to_have_text("已接收")
    site.assert_clean()

    # Nobody is left in the dissolved Party organization; every task has closed itself.
    relations = dict(Membership.objects.filter(person__in=[one, two]).values_list(
        "person_id", "relation_party_org__code"))  # fmt: skip
    assert relations == {one.pk: "P-POZI", two.pk: "P-THIRD"}
    assert Dissolution.objects.get().state == DissolutionState.APPROVED
    for t in Task.objects.filter(rule__in=["DYN-DISSOLVE", "DYN-TRANSFER"]):
        assert t.state not in OPEN_STATES, t
    sec.goto(f"/tasks/{task.pk}/")
    expect(sec.locator(".task-state")).not_to_have_attribute("data-state", "pending")
    site.assert_clean()
