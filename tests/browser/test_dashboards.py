"""Log-in through the real form, each role on its own dashboard, and the dashboard's charts
drawn by ECharts — on a laptop and on a tablet — with no console error and no CSP violation."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import expect

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.orgs.models import OrgStatus
from tests.actors import World
from tests.browser.conftest import (
    PASSWORD,
    TABLET,
    Site,
    assert_charts_drawn,
    heading,
    screenshot,
)

pytestmark = pytest.mark.django_db(transaction=True)

ALL_CHARTS = {"coverage-data", "kinds-data", "rules-data", "trend-data", "members-data"}
# name -> (the dashboard's title, the jurisdiction in the top bar, the areas its coverage
# chart breaks down into (None: no breakdown below a township or for single organizations),
# whether it has open findings (its chart by rule, or an empty state saying there are none)).
ROLES: dict[str, tuple[str, str, list[str] | None, bool]] = {
    "city": ("长沙市社会组织党建概况", "长沙市 · 市级管理员", ["芙蓉区", "天心区"], True),
    "furong": (
        "芙蓉区社会组织党建概况",
        "芙蓉区 · 区级管理员",
        ["文艺路街道", "朝阳街街道", "韭菜园街道"],
        True,
    ),
    "wenyilu": ("文艺路街道社会组织党建概况", "文艺路街道 · 乡镇(街道)干部", None, True),
    # A unit, a Party organization, an instructor: the title names whose organizations
    # these are (issue 12.14), not the area they happen to lie in.
    "registry": (
        "芙蓉区民政局直接登记的社会组织党建概况",
        "芙蓉区民政局 · 登记管理机关",
        ["文艺路街道", "朝阳街街道", "韭菜园街道"],
        True,
    ),
    "supervisor": (
        "长沙市教育局主管的社会组织党建概况",
        "长沙市教育局 · 业务主管单位",
        None,
        False,
    ),
    "secretary": (
        "芙蓉区书法协会党支部覆盖的社会组织党建概况",
        "芙蓉区书法协会党支部 · 党组织书记",
        None,
        True,
    ),
    "instructor": (
        "指导员甲（党建工作指导员）联系的社会组织党建概况",
        "指导员甲 · 党建工作指导员",
        None,
        False,
    ),
}


def kpi(page: Any, label: str) -> str:
    return page.locator(".kpi", has_text=label).locator(".value").inner_text().strip()


def check_dashboard(site: Site, world: World, name: str) -> None:
    title, badge, breakdown, findings = ROLES[name]
    page = site.log_in(name)
    assert heading(page) == title
    expect(page.locator("header .jurisdiction")).to_have_text(badge)
    # The figures are those of the user's jurisdiction, as the gate counts them.
    active = Jurisdiction(world.users[name]).orgs().filter(status=OrgStatus.ACTIVE).count()
    assert active > 0
    assert kpi(page, "正常社会组织") == str(active)
    expected = set(ALL_CHARTS)
    if not breakdown:
        expected.remove("coverage-data")
    if not findings:
        expected.remove("rules-data")
        expect(page.get_by_role("region", name="未解决问题按规则")).to_contain_text(
            "没有未解决的问题"
        )
    assert_charts_drawn(page, expected)
    if breakdown:
        spec = json.loads(page.locator("#coverage-data").text_content() or "")
        assert sorted(spec["categories"]) == sorted(breakdown)
    if name != "city":
        # Every actor but the city's officer lives in 芙蓉区.
        assert "天心区" not in page.locator("main").inner_text()
    todo = page.get_by_role("region", name="本党组织待办")
    if name == "secretary":
        # The secretary's own Party organization's to-do list.
        expect(todo).to_contain_text("芙蓉区书法协会党支部")
        expect(todo).to_contain_text("已逾期")
        screenshot(page, "dashboard-secretary")
    else:
        expect(todo).to_have_count(0)
    page.context.close()
    site.assert_clean()


def test_each_role_logs_in_through_the_form_and_sees_its_own_dashboard(
    site: Site, world: World, subtests: pytest.Subtests
):
    # The log-in page first: a wrong password is refused in Chinese, the right one leads to
    # the page asked for; logging out leads back to the log-in page.
    page = site.new_page()
    page.goto("/")
    expect(page).to_have_url(f"{site.url}/login/?next=/")
    assert heading(page) == "登录"
    expect(page.get_by_label("用户名")).to_be_focused()
    screenshot(page, "login")
    page.get_by_label("用户名").fill("furong")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{site.url}/")
    assert heading(page) == "芙蓉区社会组织党建概况"
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(f"{site.url}/login/")
    page.goto("/")
    expect(page).to_have_url(f"{site.url}/login/?next=/")
    page.context.close()
    site.assert_clean()

    for name in ROLES:
        with subtests.test(msg=name):
            check_dashboard(site, world, name)


def test_the_city_dashboard_draws_its_charts_and_drills_down(site: Site, world: World):
    page = site.log_in("city")
    # The policy the browser enforces below: no inline script or style.
    response = page.reload()
    assert response is not None
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert_charts_drawn(page, ALL_CHARTS)
    screenshot(page, "dashboard-city")
    # Hovering shows each chart's tooltip: drawn on the canvas, so the CSP has nothing to
    # refuse (ECharts' HTML tooltip writes style attributes).
    for chart in page.locator("[data-chart]").all():
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.6)
    site.assert_clean()

    # Clicking 芙蓉区's bar opens 芙蓉区's dashboard, broken down by township.
    chart = page.locator('[data-source="coverage-data"]')
    chart.scroll_into_view_if_needed()
    spec = json.loads(page.locator("#coverage-data").text_content() or "")
    index = spec["categories"].index("芙蓉区")
    x, y = chart.evaluate(
        """(el, index) => {
          const chart = window.echarts.getInstanceByDom(el);
          const value = chart.getOption().series[0].data[index];
          return chart.convertToPixel({seriesIndex: 0}, [index, value / 2]);
        }""",
        index,
    )
    box = chart.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + x, box["y"] + y)
    expect(page).to_have_url(f"{site.url}/?area=430102")
    assert heading(page) == "芙蓉区社会组织党建概况"
    expect(page.get_by_role("navigation", name="当前位置")).to_contain_text("芙蓉区")
    assert_charts_drawn(page, ALL_CHARTS)
    spec = json.loads(page.locator("#coverage-data").text_content() or "")
    assert sorted(spec["categories"]) == sorted(["文艺路街道", "朝阳街街道", "韭菜园街道"])
    site.assert_clean()

    # On a tablet: the menu folds behind a button; the charts take the whole width.
    page = site.log_in("city", viewport=TABLET)
    expect(page.get_by_role("button", name="菜单")).to_be_visible()
    expect(page.get_by_role("navigation", name="主菜单")).to_be_hidden()
    assert_charts_drawn(page, ALL_CHARTS)
    widths = page.eval_on_selector_all("[data-chart]", "els => els.map(el => el.clientWidth)")
    assert min(widths) > TABLET["width"] * 0.7, widths
    screenshot(page, "dashboard-city-tablet")
    page.get_by_role("button", name="菜单").click()
    menu = page.get_by_role("dialog", name="主菜单")  # Bootstrap's offcanvas, open
    expect(menu).to_be_visible()
    menu.get_by_role("link", name="社会组织", exact=True).click()
    expect(page).to_have_url(f"{site.url}/orgs/")
    site.assert_clean()
