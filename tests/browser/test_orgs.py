"""The organization list in the browser (filters and pages swapped in by HTMX), the pages
of an organization and of a Party organization, and the jurisdiction gate: another
district's organization is a 404."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.orgs.models import OrgKind
from tests.actors import World
from tests.browser.conftest import Site, count_in, heading, rows_heading, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def mark_document(page: Page) -> None:
    """A flag on the page's window: gone after a full page load, kept by an HTMX swap."""
    page.evaluate("window.__sameDocument = true")


def same_document(page: Page) -> bool:
    return bool(page.evaluate("window.__sameDocument === true"))


def shown_usccs(page: Page) -> list[str]:
    return [
        text.strip()
        for text in page.locator("#results tbody tr td.mono").all_inner_texts()
        if text.strip()
    ]


def test_the_organization_list_filters_and_pages_with_htmx(site: Site, world: World):
    # What the filters should show, read before the browser asks (with SQLite, the live
    # server shares this thread's connection to the in-memory database).
    gate = Jurisdiction(world.users["furong"])
    everything = set(gate.orgs().values_list("uscc", flat=True))
    assert len(everything) > 30  # more than a page
    foundations = sorted(gate.orgs().filter(kind=OrgKind.FOUNDATION).values_list("uscc", flat=True))
    named = sorted(gate.orgs().filter(name__contains="书画").values_list("uscc", flat=True))
    assert 0 < len(foundations) < 30 and len(named) == 3
    page = site.log_in("furong")
    page.get_by_role("navigation", name="主菜单").get_by_role(
        "link", name="社会组织", exact=True
    ).click()
    expect(page).to_have_url(f"{site.url}/orgs/")
    assert heading(page) == "社会组织"
    assert count_in(rows_heading(page)) == len(everything)
    expect(page.locator("#results-title")).to_contain_text("第 1–30 个")
    first_page = shown_usccs(page)
    assert len(first_page) == 30
    screenshot(page, "org-list")

    # A kind: the table region alone is replaced, and the address follows the filter.
    mark_document(page)
    page.get_by_label("类型").select_option(label="基金会")
    expect(page.locator("#results-title")).to_contain_text(f"共 {len(foundations)} 个社会组织")
    expect(page).to_have_url(re.compile(r"/orgs/\?.*\bkind=foundation\b"))
    assert same_document(page)
    assert sorted(shown_usccs(page)) == foundations
    kinds = page.locator("#results tbody tr td:nth-child(3)").all_inner_texts()
    assert kinds and set(kinds) == {"基金会"}

    # Free text, on top of no kind: the rows whose name holds the words.
    page.get_by_label("类型").select_option(label="全部")
    page.get_by_label("名称或统一社会信用代码").fill("书画")
    page.get_by_label("名称或统一社会信用代码").press("Enter")
    expect(page.locator("#results-title")).to_contain_text(f"共 {len(named)} 个社会组织")
    assert sorted(shown_usccs(page)) == named
    assert same_document(page)
    # Words that match nothing in the jurisdiction: an empty state saying what to do.
    page.get_by_label("名称或统一社会信用代码").fill("天心区")
    page.get_by_label("名称或统一社会信用代码").press("Enter")
    expect(page.locator("#results")).to_contain_text("没有符合条件的社会组织")
    expect(page.locator("#results").get_by_role("link", name="清除全部筛选")).to_be_visible()

    # Back to everything (a plain link), then to the second page (HTMX again).
    page.get_by_role("link", name="重置").click()
    expect(page).to_have_url(f"{site.url}/orgs/")
    mark_document(page)
    pager = page.get_by_role("navigation", name="社会组织分页")
    expect(pager).to_contain_text("第 1 / 2 页")
    pager.get_by_role("link", name="下一页").click()
    expect(page.locator("#results-title")).to_contain_text(f"第 31–{len(everything)} 个")
    expect(page).to_have_url(f"{site.url}/orgs/?page=2")
    expect(pager).to_contain_text("第 2 / 2 页")
    assert same_document(page)
    second_page = shown_usccs(page)
    assert len(second_page) == len(everything) - 30
    assert set(first_page).isdisjoint(second_page)
    assert set(first_page) | set(second_page) == everything
    pager.get_by_role("link", name="上一页").click()
    expect(page.locator("#results-title")).to_contain_text("第 1–30 个")
    assert shown_usccs(page) == first_page
    site.assert_clean()


def test_an_organization_and_its_party_organization(site: Site, world: World):
    org = world.orgs["fr_assoc"]
    party_org = world.party_orgs["fr"]
    page = site.log_in("furong")
    page.goto("/orgs/")
    page.get_by_label("名称或统一社会信用代码").fill(org.uscc)
    page.get_by_label("名称或统一社会信用代码").press("Enter")
    expect(page.locator("#results-title")).to_contain_text("共 1 个社会组织")
    page.locator("#results").get_by_role("link", name=org.name, exact=True).click()
    expect(page).to_have_url(f"{site.url}/orgs/{org.uscc}/")
    assert heading(page) == org.name
    main = page.locator("main")
    expect(main).to_contain_text("芙蓉区民政局")
    expect(main).to_contain_text(party_org.name)
    # Members by name, identity numbers masked only.
    member = world.people["fr_member"]
    expect(main).to_contain_text(member.name)
    expect(main).to_contain_text(member.id_masked)
    assert member.id_number not in page.content()
    screenshot(page, "org-detail")

    main.get_by_role("link", name=party_org.name).first.click()
    expect(page).to_have_url(f"{site.url}/party-orgs/{party_org.code}/")
    assert heading(page) == party_org.name
    expect(page.locator("main")).to_contain_text(org.name)

    page.get_by_role("navigation", name="主菜单").get_by_role(
        "link", name="党组织", exact=True
    ).click()
    expect(page).to_have_url(f"{site.url}/party-orgs/")
    assert heading(page) == "党组织"
    party_orgs = Jurisdiction(world.users["furong"]).party_orgs()
    expect(page.locator("#results-title")).to_contain_text(f"共 {party_orgs.count()} 个")
    expect(page.locator("#results")).to_contain_text("韭菜园街道社会组织联合党支部")
    expect(page.locator("#results")).not_to_contain_text("天心区")
    screenshot(page, "party-org-list")
    site.assert_clean()


def open_expecting(site: Site, page: Page, path: str, status: int) -> Any:
    if status != 200:
        site.expected_status[path] = status
    response = page.goto(path)
    assert response is not None and response.status == status, (path, response)
    return response


def test_another_districts_organization_is_not_found(site: Site, actors: World):
    world = actors
    theirs = world.orgs["tx_fund"]
    ours = world.orgs["fr_assoc"]
    page = site.log_in("furong")
    open_expecting(site, page, f"/orgs/{ours.uscc}/", 200)
    assert heading(page) == ours.name

    for path in (
        f"/orgs/{theirs.uscc}/",
        f"/party-orgs/{world.party_orgs['tx'].code}/",
        "/?area=430103",
    ):
        open_expecting(site, page, path, 404)
        assert heading(page) == "页面不存在"
        main = page.locator("main")
        expect(main).to_contain_text("不在您的管辖范围内")
        expect(main).not_to_contain_text(theirs.name)
        expect(main).not_to_contain_text("天心区")

    # The same address is an ordinary page for 天心区's officer, and 芙蓉区's is not.
    other = site.log_in("outsider")
    open_expecting(site, other, f"/orgs/{theirs.uscc}/", 200)
    assert heading(other) == theirs.name
    open_expecting(site, other, f"/orgs/{ours.uscc}/", 404)
    site.assert_clean()
