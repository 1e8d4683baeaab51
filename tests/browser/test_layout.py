"""Layout (issue 12, items 16 and 17): no page a role can open scrolls sideways on a
1366×768 laptop or an 820×1180 tablet — wide tables scroll inside their own container —,
the dashboard's key figures stay inside their cards even with five-digit counts, and the
dashboard's charts read in words: the chart of findings by rule names the rules by their
Chinese titles, and every chart has a table view."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.accounts.jurisdiction import Jurisdiction, findings_for
from dangjian.compliance.engine import open_on
from dangjian.compliance.rules.base import RULES
from dangjian.imports.selectors import may_import
from tests import factories
from tests.actors import World
from tests.browser.conftest import LAPTOP_768, TABLET, Site, assert_charts_drawn, assert_fits

pytestmark = pytest.mark.django_db(transaction=True)

VIEWPORTS = (LAPTOP_768, TABLET)
ROLES = ("city", "furong", "wenyilu", "registry", "supervisor", "secretary", "instructor")


def pages_of(world: World, name: str) -> list[str]:
    """Every page the role's menu and lists lead to: the dashboard, the lists, a detail page
    of each kind, the reports, the findings and (for those who may import) the imports."""
    user = world.users[name]
    gate = Jurisdiction(user)
    paths = [
        "/",
        reverse("web:orgs"),
        reverse("web:party_orgs"),
        reverse("web:people"),
        reverse("web:findings"),
        reverse("web:report_coverage"),
        reverse("web:report_org_building"),
        reverse("web:report_joint"),
    ]
    org = gate.orgs().order_by("uscc").first()
    assert org is not None, name
    paths.append(reverse("web:org", kwargs={"uscc": org.uscc}))
    party_org = gate.party_orgs().order_by("code").first()
    if party_org is not None:
        paths.append(reverse("web:party_org", kwargs={"code": party_org.code}))
    if may_import(user):
        paths.append(reverse("web:imports"))
    if name == "city":
        # A district's dashboard and reports, drilled down to.
        paths += ["/?area=430102", f"{reverse('web:report_coverage')}?area=430102"]
        paths.append(f"{reverse('web:report_joint')}?area=430102&township=430102003")
    return paths


def test_no_page_scrolls_sideways_on_a_laptop_or_a_tablet(
    site: Site, world: World, subtests: pytest.Subtests
):
    # Read before the browser asks (the live server shares the test's database).
    operator = factories.user("operator", is_superuser=True, is_staff=True)
    world.users["operator"] = operator
    plan = {name: pages_of(world, name) for name in (*ROLES, "operator")}
    for name, paths in plan.items():
        with subtests.test(msg=name):
            page = site.log_in(name, viewport=LAPTOP_768)
            for viewport in VIEWPORTS:
                page.set_viewport_size(viewport)  # type: ignore[arg-type]
                for path in paths:
                    response = page.goto(path)
                    assert response is not None and response.status == 200, (name, path)
                    assert_fits(page, f"{name} {path} at {viewport['width']} px")
            page.context.close()
            site.assert_clean()


# Five-digit figures everywhere in the key figures (a big city's counts, each of 高/中/低 a
# link of its own): the cards must hold them.
LONG_FIGURES = """() => {
  const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
  const nodes = [];
  while (walker.nextNode()) {
    if (walker.currentNode.parentElement.closest(".kpi .value")) { nodes.push(walker.currentNode); }
  }
  nodes.forEach(n => { n.textContent = n.textContent.replace(/\\d+/g, "88888"); });
  return nodes.length;
}"""

# Each key-figure card whose content is wider than the card.
SPILLING = """() => Array.from(document.querySelectorAll(".kpi")).filter(card =>
  card.scrollWidth > card.clientWidth + 0.5
  || Array.from(card.querySelectorAll("*")).some(el =>
       el.getBoundingClientRect().right > card.getBoundingClientRect().right + 0.5)
).map(card => card.innerText.replace(/\\s+/g, " "))"""


def test_the_key_figures_stay_inside_their_cards(site: Site, world: World):
    page = site.log_in("city", viewport=LAPTOP_768)
    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)  # type: ignore[arg-type]
        page.goto("/")
        assert page.evaluate(SPILLING) == []
        assert page.evaluate(LONG_FIGURES) >= 6
        assert page.evaluate(SPILLING) == [], viewport
        assert_fits(page, f"the dashboard with five-digit figures at {viewport['width']} px")
    site.assert_clean()


def test_the_dashboard_charts_read_in_words_and_have_table_views(site: Site, world: World):
    city = world.users["city"]
    today = timezone.localdate()
    open_rules = sorted(
        set(findings_for(city).filter(open_on(today, None)).values_list("rule", flat=True))
    )
    assert len(open_rules) >= 2
    page = site.log_in("city")
    assert_charts_drawn(
        page, {"coverage-data", "kinds-data", "rules-data", "trend-data", "members-data"}
    )

    # The rule chart: the rules' Chinese titles along the axis, the id in the tooltip.
    option: dict[str, Any] = page.locator('[data-source="rules-data"]').evaluate(
        """el => {
          const option = window.echarts.getInstanceByDom(el).getOption();
          const tooltip = option.tooltip[0].formatter;
          const point = {dataIndex: 0, seriesName: option.series[0].name,
                         value: option.series[0].data[0], name: option.xAxis[0].data[0]};
          return {
            labels: option.xAxis[0].data,
            tooltip: typeof tooltip === "function" ? tooltip([point]) : null,
          };
        }"""
    )
    assert option["labels"] == [RULES[rule].title for rule in open_rules]
    assert not any(re.fullmatch(r"[A-Z0-9-]+", label) for label in option["labels"])
    assert option["tooltip"] is not None
    assert RULES[open_rules[0]].title in option["tooltip"] and open_rules[0] in option["tooltip"]

    # Every chart has a table view; the 党员队伍 chart's gives the two counts.
    for chart in page.locator("[data-chart]").all():
        section = chart.locator("xpath=ancestor::section[1]")
        expect(section.locator("details > summary")).to_have_text("表格")
    members = page.get_by_role("region", name=re.compile("^党员队伍"))
    members.locator("details > summary").click()
    table = members.locator("details table")
    expect(table).to_be_visible()
    formal, probationary = (
        page.locator(".kpi", has_text="正式党员 / 预备党员")
        .locator(".value")
        .inner_text()
        .split("/")
    )
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tbody tr").nth(0)).to_contain_text(f"正式党员{formal.strip()}")
    expect(table.locator("tbody tr").nth(1)).to_contain_text(f"预备党员{probationary.strip()}")
    site.assert_clean()
