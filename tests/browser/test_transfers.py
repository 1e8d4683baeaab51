"""Transfers in the browser (issue 17): a member whose relation a dissolved Party organization
still holds has a DYN-TRANSFER task. The township officer opens a transfer from the member's
page to another township's branch and downloads the letter (masked); that branch's secretary
returns it with a reason; the officer issues it again, prefilled, to a third branch, whose
secretary accepts it — the relation moves and the task closes itself."""

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
from dangjian.partyorgs.models import PartyOrgStatus
from dangjian.people.models import Membership
from dangjian.tasks.models import OPEN_STATES, Task
from dangjian.transfers.models import Transfer, TransferStatus
from tests import factories
from tests.actors import World
from tests.browser.conftest import LAPTOP, TABLET, Site, assert_fits, heading

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_stranded_member_is_transferred_returned_reissued_and_received(site: Site, actors: World):
    areas = actors.areas
    today = timezone.localdate()
    with transaction.atomic():
        old = factories.party_org(areas["wenyilu"], code="P-OLD", name="文艺路已撤销协会党支部",
                                  founded_on=dt.date(2016, 1, 1))  # fmt: skip
        old.status, old.dissolved_on = PartyOrgStatus.DISSOLVED, today - dt.timedelta(days=200)
        old.save()
        member = factories.member(None, relation=old)
        second = factories.party_org(areas["pozi"], code="P-POZI", name="坡子街甲协会党支部")
        third = factories.party_org(areas["pozi"], code="P-THIRD", name="坡子街乙协会党支部")
        factories.user("pozi_sec", role=Role.ORG, party_org=second)
        factories.user("third_sec", role=Role.ORG, party_org=third)
        record(evaluate(as_of=today))
    task = Task.objects.get(rule="DYN-TRANSFER", subject_pk=member.pk)
    assert task.state in OPEN_STATES

    # The township officer issues the transfer from the member's page.
    page = site.log_in("wenyilu", LAPTOP)
    page.goto(f"/people/{member.pk}/")
    page.get_by_role("link", name="开出组织关系转接").click()
    assert heading(page).startswith("开出组织关系转接")
    page.get_by_label("转入党组织（系统内：输入编码或名称搜索）").fill("P-POZI")
    page.get_by_label("介绍信编号（可选）").fill("文转〔2026〕7号")
    page.get_by_label("开出日期（必填）").fill((today - dt.timedelta(days=3)).isoformat())
    page.get_by_role("button", name="开出").click()
    expect(page.locator("#transfer-status")).to_have_text("办理中")
    assert_fits(page, "组织关系转接")
    with page.expect_download() as caught:
        page.get_by_role("link", name="下载组织关系介绍信（.docx）").click()
    with open(caught.value.path(), "rb") as saved:
        text = "\n".join(p.text for p in Document(io.BytesIO(saved.read())).paragraphs)
    assert member.id_masked in text and member.id_number not in text
    assert "坡子街甲协会党支部" in text
    site.assert_clean()

    # The receiving secretary returns it, with a reason (none first: refused).
    pozi = site.log_in("pozi_sec", TABLET)
    pozi.goto("/transfers/?direction=in")
    pozi.get_by_role("link", name=member.name).click()
    pozi.get_by_role("link", name="退回").click()
    site.expected_status[f"/transfers/{Transfer.objects.get().pk}/return/"] = 422
    pozi.get_by_role("button", name="确定").click()
    expect(pozi.locator("#return_reason-errors, .alert-danger")).to_contain_text("退回原因")
    pozi.get_by_label("退回原因（必填）").fill("该党员居住地不在本支部所在社区")
    pozi.get_by_role("button", name="确定").click()
    expect(pozi.locator("#transfer-status")).to_have_text("已退回")
    assert_fits(pozi, "组织关系转接（平板）")
    site.assert_clean()

    # The officer issues it again, prefilled, to another branch.
    page.reload()
    expect(page.locator("#transfer-status")).to_have_text("已退回")
    page.get_by_role("link", name="重新开出").click()
    expect(page.get_by_label("转入党组织（系统内：输入编码或名称搜索）")).to_have_value("P-POZI")
    page.get_by_label("转入党组织（系统内：输入编码或名称搜索）").fill("P-THIRD")
    page.get_by_role("button", name="开出").click()
    expect(page.locator("#transfer-status")).to_have_text("办理中")
    site.assert_clean()

    # The third branch's secretary accepts it: the relation moves, the task closes.
    third_page = site.log_in("third_sec", LAPTOP)
    third_page.goto("/transfers/?direction=in")
    third_page.get_by_role("link", name=member.name).click()
    third_page.get_by_role("link", name="接收").click()
    third_page.get_by_role("button", name="确定").click()
    expect(third_page.locator("#transfer-status")).to_have_text("已接收")
    site.assert_clean()

    assert Membership.objects.get(person=member).relation_party_org == third
    states = dict(Transfer.objects.values_list("to_party_org__code", "status"))
    assert states == {"P-POZI": TransferStatus.RETURNED, "P-THIRD": TransferStatus.RECEIVED}
    task.refresh_from_db()
    assert task.state not in OPEN_STATES
