"""The import flow in the browser: upload a file with a bad row through the page, the
background worker (the database backend's real `db_worker`) checks it, the page follows
the progress by itself and shows each error by row and column; nothing is written."""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, Route, expect

from dangjian.imports.models import ImportBatch, PendingUpload, UploadState
from dangjian.lib.codes import make_uscc
from dangjian.orgs.models import SocialOrganization
from tests.actors import World
from tests.browser.conftest import LAPTOP_768, TABLET, Site, assert_fits, heading, screenshot
from tests.importing import org_row, table_counts, write_csv

pytestmark = pytest.mark.django_db(transaction=True)

GOOD = make_uscc("51430102MJJ000201")  # 社会团体 in 芙蓉区
# Another organization's code with its check character changed: not a valid USCC.
VALID = make_uscc("52430102MJJ000202")
BAD = VALID[:-1] + ("1" if VALID[-1] != "1" else "2")
# What the upload and its background check may write (and nothing else).
UPLOAD_TABLES = {"imports.PendingUpload", "django_tasks_database.DBTaskResult"}


@contextmanager
def requests_held(page: Page) -> Iterator[None]:
    """Hold the page's requests (its progress polls) while the test uses the database.

    A held request waits at the route until the test calls Playwright again, so the test
    and the live server never use the database at the same time — with SQLite the server
    shares this thread's connection to the in-memory database."""

    def hold(route: Route) -> None:
        route.continue_()

    page.route("**/*", hold)
    yield
    page.unroute("**/*", hold)


def run_worker() -> None:
    """Run the queued tasks with the database backend's real worker command, once."""
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)


def test_a_bad_file_shows_its_errors_by_row_and_column_and_writes_nothing(
    site: Site, actors: World, settings: Any, tmp_path: Path
):
    settings.VAR_DIR = tmp_path / "var"
    path = write_csv(
        tmp_path / "社会组织名录.csv",
        [
            org_row(GOOD, "芙蓉区书法研究会"),
            org_row(BAD, "芙蓉区康乐服务中心", kind="社会服务机构"),
        ],
        kind="orgs",
    )
    page = site.log_in("furong")
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="数据导入").click()
    assert heading(page) == "数据导入"
    before = table_counts()

    page.get_by_label("导入类别").select_option("orgs")
    page.get_by_label("文件", exact=True).set_input_files(path)
    page.get_by_role("button", name="上传并检查").click()
    expect(page).to_have_url(re.compile(r"/imports/\d+/$"))
    assert heading(page) == "导入社会组织：社会组织名录.csv"
    # Queued for the background worker; the page polls its progress.
    expect(page.locator("#import-progress")).to_contain_text("等待检查")
    with requests_held(page):
        upload = PendingUpload.objects.get()
        assert page.url == f"{site.url}/imports/{upload.pk}/"
        assert upload.state == UploadState.CHECK_QUEUED
        run_worker()
        upload.refresh_from_db()
        assert upload.state == UploadState.CHECKED and upload.check_summary["errors"] == 1

    # The page reloads by itself when the check is over, and lists the error.
    results = page.get_by_role("region", name="检查结果")
    expect(results).to_contain_text("发现 1 行有错误（共 1 个错误）", timeout=10_000)
    expect(results).to_contain_text("本文件现在不会写入任何数据")
    errors = page.get_by_role("region", name="错误清单（1 个）")
    cells = errors.locator("tbody tr").first.locator("td")
    expect(cells).to_have_count(4)
    assert cells.nth(0).inner_text() == "第3行"  # the header is row 1
    assert cells.nth(1).inner_text() == "统一社会信用代码"
    assert cells.nth(2).inner_text() == BAD
    assert "校验位不正确" in cells.nth(3).inner_text()  # the reason, in words
    expect(errors.locator("tbody tr")).to_have_count(1)
    expect(page.get_by_role("link", name="下载错误行（CSV）").first).to_be_visible()
    screenshot(page, "import-dry-run-errors", full_page=True)
    # The errors' page does not scroll sideways on a laptop nor on a tablet (issue 12.16).
    for viewport in (LAPTOP_768, TABLET):
        page.set_viewport_size(viewport)  # type: ignore[arg-type]
        assert_fits(page, f"the import's errors at {viewport['width']} px")

    # A dry run: nothing but the upload and its task was written.
    after = table_counts()
    changed = {
        label for label in before.keys() | after.keys() if before.get(label) != after.get(label)
    }
    assert changed <= UPLOAD_TABLES, changed
    assert not SocialOrganization.objects.filter(uscc__in=[GOOD, VALID, BAD]).exists()
    assert not ImportBatch.objects.exists()
    site.assert_clean()
