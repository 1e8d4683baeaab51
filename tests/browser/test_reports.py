"""待办问题 and 统计报表 in the browser: the task list and its filter, the coverage report
with its chart and drill-down, the official table as on paper, the joint plans."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dangjian.accounts.jurisdiction import findings_for
from dangjian.compliance.models import FindingRecord
from tests.actors import World
from tests.browser.conftest import Site, assert_charts_drawn, heading, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_task_list_and_the_reports(site: Site, world: World):
    page = site.log_in("city")
    menu = page.get_by_role("navigation", name="主菜单")

    # 待办问题: every open finding of the city, the high ones alone on demand.
    menu.get_by_role("link", name="待办问题").click()
    assert heading(page) == "待办问题"
    open_findings = findings_for(world.users["city"]).filter(resolved_on__isnull=True)
    total = open_findings.count()
    assert total > 0
    expect(page.locator("main")).to_contain_text(f"未解决问题 {total} 条")
    expect(page.locator(".findings-table tbody tr")).to_have_count(min(total, 30))
    screenshot(page, "findings")
    high = open_findings.filter(severity="high").count()
    assert 0 < high < total
    page.get_by_label("严重程度").select_option(label="高")
    page.get_by_role("button", name="查询").click()
    expect(page).to_have_url(f"{site.url}/findings/?rule=&area=&severity=high&q=&sort=due")
    expect(page.locator("main")).to_contain_text(f"符合条件的未解决问题 {high} 条")
    badges = page.locator(".findings-table tbody .sev-badge").all_inner_texts()
    assert len(badges) == min(high, 30) and set(badges) == {"高"}
    assert FindingRecord.objects.filter(severity="high", resolved_on__isnull=True).count() == high

    # 覆盖情况: the table by district, the chart, and a district's townships.
    menu = page.get_by_role("navigation", name="主菜单")
    menu.get_by_role("link", name="覆盖情况").click()
    assert heading(page) == "长沙市社会组织党建覆盖情况"
    assert_charts_drawn(page, {"coverage-chart"})
    table = page.locator(".report-table tbody")
    expect(table.locator("tr")).to_have_count(2)
    expect(table).to_contain_text("芙蓉区")
    expect(table).to_contain_text("天心区")
    screenshot(page, "report-coverage")
    table.get_by_role("link", name="芙蓉区").click()
    assert heading(page) == "芙蓉区社会组织党建覆盖情况"
    expect(page.locator(".report-table tbody tr")).to_have_count(3)
    assert_charts_drawn(page, {"coverage-chart"})

    # 建立党组织情况表, as on paper.
    menu = page.get_by_role("navigation", name="主菜单")
    menu.get_by_role("link", name="建立党组织情况表").click()
    assert heading(page) == "建立党组织情况表"
    expect(page.locator("#paper-title")).to_have_text("长沙市社会组织法人单位建立党的基层组织情况")
    expect(page.locator(".paper-table")).to_be_visible()
    screenshot(page, "report-org-building")

    # 联合党组织方案: the page opens cleanly too.
    menu = page.get_by_role("navigation", name="主菜单")
    menu.get_by_role("link", name="联合党组织方案").click()
    expect(page.locator("main h1")).to_contain_text("联合党组织组建方案")
    site.assert_clean()
