"""Writing records in the browser as a secretary would, on a tablet: a new member of their
Party organization (a mistake shown next to its field, what was typed kept, then saved),
the member appointed to an office from the Party organization's page, and that appointment
undone from the page's change history (撤销此修改)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from dangjian.lib import crypto
from dangjian.partyorgs.models import CommitteeMembership
from dangjian.people.models import Person
from tests import factories
from tests.actors import World
from tests.browser.conftest import TABLET, Site, assert_fits, heading

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_secretary_records_a_member_appoints_them_and_undoes_it(site: Site, actors: World):
    page = site.log_in("secretary", TABLET)
    page.goto("/people/")
    page.get_by_role("link", name="新增人员").click()
    assert heading(page) == "新增人员"
    assert_fits(page, "新增人员")
    expect(page.get_by_label("组织关系所在党组织编码")).to_have_value("D-FR-1")
    number = factories.id_number_for(n=931)
    page.get_by_label("姓名（必填）").fill("王新党员")
    page.get_by_label("公民身份号码（必填）").fill(number)
    page.get_by_label("入党日期").fill("2024-07-01")
    page.get_by_label("转正日期").fill("2023-07-01")  # before admission: refused
    site.expected_status["/people/new/"] = 422  # the form answers with its errors
    page.get_by_role("button", name="保存").click()
    error = page.locator("#id_confirmed_on-errors")
    expect(error).to_have_text("早于入党日期 2024-07-01")
    expect(page.get_by_label("姓名（必填）")).to_have_value("王新党员")  # kept
    assert Person.objects.filter(id_hash=crypto.lookup_hash(number)).count() == 0
    page.get_by_label("转正日期").fill("2025-07-01")
    page.get_by_label("修改原因（可选，记入变更记录）").fill("新转入党员")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success")).to_contain_text("已保存")
    assert heading(page) == "王新党员"
    person = Person.objects.get(id_hash=crypto.lookup_hash(number))
    expect(page).to_have_url(re.compile(rf"/people/{person.pk}/$"))
    assert number not in page.content()  # shown masked, as everywhere
    site.assert_clean()

    # Appointed 委员 from the Party organization's page.
    page.goto("/party-orgs/D-FR-1/")
    page.get_by_role("link", name="新增班子成员").first.click()
    assert heading(page) == "新增班子成员"
    page.get_by_label("公民身份号码（必填）").fill(number)
    page.get_by_label("职务（必填）").select_option("委员")
    page.get_by_label("任职日期（必填）").fill("2026-01-05")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success")).to_contain_text("已保存")
    committee = page.locator("#committee")
    expect(committee).to_contain_text("王新党员")
    assert CommitteeMembership.objects.filter(person=person, role="member").count() == 1

    # …and undone from the change history of the page.
    change = page.locator("#history tbody tr").filter(has_text="新建（班子成员：王新党员）")
    expect(change).to_have_count(1)
    change.get_by_role("link", name="撤销此修改").click()
    page.get_by_role("button", name="确认撤销").click()
    expect(page.locator(".alert-success")).to_contain_text("已撤销导入")
    assert CommitteeMembership.objects.filter(person=person).count() == 0
    page.goto("/party-orgs/D-FR-1/")
    expect(page.locator("#committee")).not_to_contain_text("王新党员")
    assert_fits(page, "党组织")
    site.assert_clean()
