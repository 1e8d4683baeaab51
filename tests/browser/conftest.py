"""Browser tests: Playwright drives Debian's chromium (/usr/bin/chromium, installed by the
Makefile's `chromium` target, never a browser downloaded by a test tool) against
pytest-django's live server — a real server thread over the test database, serving the
static files through the staticfiles finders (the app's own files and the npm packages in
node_modules), with every middleware of the project, the Content-Security-Policy included.

Every page a test opens is watched: a console error, an uncaught script error, a CSP
violation or a server error fails the test. The tests save screenshots of the main pages
into docs/screenshots/ (the README shows them), overwritten on each run.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

from dangjian.areas.models import AreaLevel, UnitKind
from dangjian.compliance.engine import evaluate, record
from dangjian.orgs.models import OrgKind, RegistrationMode
from dangjian.partyorgs.models import PartyOrgForm
from tests import factories
from tests.actors import World, build_world

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LAPTOP = {"width": 1366, "height": 850}
TABLET = {"width": 820, "height": 1180}
LAPTOP_768 = {"width": 1366, "height": 768}  # the smallest laptop screen the pages serve
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "Test-password-123"  # what tests/factories.user sets
TIMEOUT_MS = 15_000
VENDOR_ASSETS = (
    "vendor/bootstrap/css/bootstrap.min.css",
    "vendor/htmx/htmx.min.js",
    "vendor/echarts/echarts.min.js",
    "web/app.js",
    "web/app.css",
)

# Reports every CSP violation as a console error, so that the console watch sees it even
# where the browser itself would only warn. Added through the DevTools protocol, so the
# page's own CSP does not apply to it.
CSP_WATCH = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")
    + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One chromium for all the browser tests (a new context per test).

    Package-scoped rather than session-scoped: Playwright's sync API keeps an asyncio loop
    running in the main thread while it is started, which Django takes for an async context
    (hence DJANGO_ALLOW_ASYNC_UNSAFE, for this package only; the ORM calls of these tests
    still run one at a time, in the main thread or in the live server's). Stopping it when
    the package is done leaves the rest of a whole-suite run as it was."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `make chromium` (apt-get install chromium). "
            "The browser tests never download a browser."
        )
    # The live server serves the front-end packages from node_modules (STATICFILES_DIRS,
    # through the staticfiles finders, as `make run` does after collectstatic).
    for asset in VENDOR_ASSETS:
        if not finders.find(asset):
            pytest.fail(f"static file {asset} not found: run `make install` (npm ci)")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class Site:
    """The live server seen through the browser: pages in fresh contexts, each watched."""

    url: str
    browser: Browser
    contexts: list[BrowserContext] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # Pages that are meant to answer with this status (e.g. a 404 outside the jurisdiction):
    # the browser's "Failed to load resource" for them is expected, not a problem.
    expected_status: dict[str, int] = field(default_factory=dict)

    def new_page(self, viewport: dict[str, int] | None = None) -> Page:
        context = self.browser.new_context(
            base_url=self.url,
            viewport=viewport or LAPTOP,  # type: ignore[arg-type]
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            reduced_motion="reduce",
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(CSP_WATCH)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: self._console(message))
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on(
            "response",
            lambda response: (
                self.problems.append(f"server error {response.status}: {response.url}")
                if response.status >= 500
                else None
            ),
        )
        return page

    def _console(self, message: ConsoleMessage) -> None:
        if message.type not in ("error", "assert"):
            return
        url = message.location.get("url", "")
        status = self.expected_status.get(url.removeprefix(self.url))
        if status and f"status of {status}" in message.text:
            return
        self.problems.append(f"console {message.type}: {message.text} ({url})")

    def log_in(self, username: str, viewport: dict[str, int] | None = None) -> Page:
        """A new page logged in through the real log-in form, on the user's dashboard."""
        page = self.new_page(viewport)
        page.goto("/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{self.url}/")
        return page

    def assert_clean(self) -> None:
        """No console error, script error, CSP violation nor server error so far."""
        problems, self.problems[:] = list(self.problems), []
        assert not problems, "\n".join(problems)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def site(browser: Browser, live_server: Any) -> Iterator[Site]:
    # (The cache of figures kept under the data version is emptied around every test by
    # tests/conftest.py: each test's new database starts the version again.)
    watched = Site(live_server.url, browser)
    yield watched
    watched.close()
    watched.assert_clean()


def screenshot(page: Page, name: str, *, full_page: bool = False) -> Path:
    """docs/screenshots/<name>.png, overwritten on each run."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    return path


def drawn_charts(page: Page) -> list[dict[str, Any]]:
    """Each chart container of the page: what ECharts drew into it, and how many pixels of
    its canvas are painted (a chart that failed leaves an empty container or a blank
    canvas)."""
    page.wait_for_load_state("load")
    page.wait_for_function(
        "Array.from(document.querySelectorAll('[data-chart]'))"
        ".every(el => el.dataset.drawn === 'true')"
    )
    return page.eval_on_selector_all(
        "[data-chart]",
        """els => els.map(el => {
          const canvas = el.querySelector("canvas");
          let painted = 0;
          if (canvas && canvas.width && canvas.height) {
            const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
            for (let i = 3; i < pixels.length; i += 4) { if (pixels[i]) { painted++; } }
          }
          return {
            source: el.dataset.source,
            canvases: el.querySelectorAll("canvas").length,
            svgs: el.querySelectorAll("svg").length,
            width: canvas ? canvas.width : 0,
            height: canvas ? canvas.height : 0,
            painted: painted,
          };
        })""",
    )


def assert_charts_drawn(page: Page, expected: set[str]) -> None:
    charts = drawn_charts(page)
    assert {c["source"] for c in charts} == expected
    for chart in charts:
        assert chart["canvases"] + chart["svgs"] >= 1, chart
        assert chart["width"] > 0 and chart["height"] > 0, chart
        # Axes, labels and bars: far more than a stray pixel.
        assert chart["painted"] > 500, chart


# The elements that stick out to the right of the window, outside any container that
# scrolls or clips them: what makes the page scroll sideways.
OVERFLOWING = """() => {
  const right = window.innerWidth;
  const found = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= right + 0.5) { continue; }
    let clipped = false;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(up).overflowX)) {
        clipped = true;
        break;
      }
    }
    if (!clipped) {
      const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
        + (el.classList.length ? "." + Array.from(el.classList).join(".") : "");
      found.push(name + " (right edge " + Math.round(box.right) + ")");
    }
  }
  return found.slice(0, 10);
}"""


def assert_fits(page: Page, what: str) -> None:
    """The page is no wider than the window: nothing to scroll sideways."""
    page.wait_for_load_state("load")
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, (
        f"{what}: {scroll} px wide in a {inner} px window; "
        f"sticking out: {page.evaluate(OVERFLOWING)}"
    )


def heading(page: Page) -> str:
    return page.locator("main h1").first.inner_text().strip()


# Names for the organizations that fill more than one page of the list (30 a page).
STEMS = [
    ("书画", OrgKind.ASSOCIATION, "协会", "culture"),
    ("摄影", OrgKind.ASSOCIATION, "协会", "culture"),
    ("围棋", OrgKind.ASSOCIATION, "协会", "sports"),
    ("软件行业", OrgKind.ASSOCIATION, "协会", "trade"),
    ("餐饮行业", OrgKind.ASSOCIATION, "商会", "trade"),
    ("物流", OrgKind.ASSOCIATION, "商会", "trade"),
    ("律师", OrgKind.ASSOCIATION, "联谊会", "law"),
    ("湘绣文化", OrgKind.ASSOCIATION, "研究会", "culture"),
    ("青少年科技", OrgKind.ASSOCIATION, "促进会", "science"),
    ("老年体育", OrgKind.ASSOCIATION, "协会", "sports"),
    ("社会工作", OrgKind.SERVICE_AGENCY, "服务中心", "community"),
    ("居家养老", OrgKind.SERVICE_AGENCY, "服务中心", "elderly"),
    ("心理健康", OrgKind.SERVICE_AGENCY, "服务中心", "health"),
    ("职业技能", OrgKind.SERVICE_AGENCY, "培训学校", "education"),
    ("环保公益", OrgKind.SERVICE_AGENCY, "发展中心", "environment"),
    ("助残", OrgKind.FOUNDATION, "基金会", "charity"),
]


@pytest.fixture
def actors(areas: dict[str, Any]) -> World:
    """The named actors of tests/actors.py and their small world, nothing more.

    Built in one transaction: one commit instead of one per row (the live server reads
    the data once it is committed)."""
    with transaction.atomic():
        return build_world(areas)


@pytest.fixture
def world(areas: dict[str, Any]) -> World:
    """The named actors, and enough around them to fill the pages: 38 organizations in
    芙蓉区 (more than a page of the list), of every kind, with and without members, covered
    by a standalone or a joint Party organization or not at all, and the findings of
    today's check recorded in the findings store (the task list and the trend)."""
    with transaction.atomic():
        w = build_world(areas)
        _fill(w, areas)
        # The secretary's branch holds its meetings (its tasks are the ones the tests work).
        factories.life_kept(w.party_orgs["fr"], timezone.localdate())
        factories.venue_kept(w.party_orgs["fr"])  # and its venue meets 六有 (no VEN-SIX)
        # The supervisory unit studies the matter each year (MGT-STUDY: its dashboard is
        # clean); the districts do not (the district's task is worked in the browser).
        factories.studies_kept(w.orgs["fr_school"].supervisor, until=timezone.localdate())
        record(evaluate(as_of=timezone.localdate()))
    return w


def _fill(w: World, areas: dict[str, Any]) -> None:
    jiucaiyuan = factories.area("430102003", "韭菜园街道", AreaLevel.TOWNSHIP, areas["furong"])
    w.areas["jiucaiyuan"] = jiucaiyuan
    townships = [areas["wenyilu"], areas["chaoyang"], jiucaiyuan]
    registry = factories.unit("芙蓉区民政局", UnitKind.CIVIL_AFFAIRS, areas["furong"])
    joint_covers = []
    for i in range(34):
        stem, kind, suffix, industry = STEMS[i % len(STEMS)]
        prefix = ["芙蓉区", "长沙市芙蓉区", "湖南省芙蓉"][i // len(STEMS)]
        org = factories.org_with_members(
            townships[i % 3],
            formal=(0, 1, 2, 0, 1, 3)[i % 6],
            probationary=1 if i % 7 == 3 else 0,
            kind=kind,
            name=f"{prefix}{stem}{suffix}",
            registry=registry,
            registration_mode=RegistrationMode.DIRECT,
            industry=industry,
            registered_on=dt.date(2010 + i % 12, 1 + i % 12, 1 + i % 27),
        )
        w.orgs[f"fr{i:02d}"] = org
        if i % 6 == 5:
            factories.party_org(
                org.township, code=f"D-FR-S{i:02d}", name=f"{org.name}党支部", covers=[org]
            )
        elif i % 6 == 2:  # in 韭菜园街道, with two members
            joint_covers.append(org)
    w.party_orgs["joint"] = factories.party_org(
        jiucaiyuan,
        form=PartyOrgForm.JOINT,
        code="D-FR-J1",
        name="韭菜园街道社会组织联合党支部",
        covers=joint_covers,
    )
    for name, formal in (("天心区摄影家协会", 2), ("天心区餐饮商会", 0), ("天心区青年创业协会", 1)):
        w.orgs[name] = factories.org_with_members(areas["pozi"], formal=formal, name=name)


def rows_heading(page: Page) -> str:
    return page.locator("#results-title").inner_text()


def count_in(text: str) -> int:
    found = re.search(r"共\s*(\d+)", text)
    assert found, text
    return int(found.group(1))
