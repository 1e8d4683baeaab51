"""A revision of the policy settings in the browser (issue 19, "Done when"): a city officer
uploads a revision, reads the comparison chart, exports the rows, adopts it; the
dashboard's figures change and say which version they follow."""

from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from dangjian.compliance.policy import default_text, load
from dangjian.policies.models import PolicyVersion
from tests.actors import World
from tests.browser.conftest import (
    LAPTOP,
    TABLET,
    Site,
    assert_charts_drawn,
    assert_fits,
    heading,
    screenshot,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_city_officer_weighs_and_adopts_a_revision(site: Site, world: World, tmp_path):
    text = re.sub(r'^version = ".*"$', 'version = "2015-2.5"', default_text(), flags=re.M)
    text = re.sub(r"(\[settings\.standalone_min_formal_members\]\nvalue = )3", r"\g<1>1", text)
    revised = tmp_path / "revised.toml"
    revised.write_text(text, encoding="utf-8")

    officer = site.log_in("city", LAPTOP)
    shipped = load().version
    expect(officer.locator("#policy-version")).to_have_text(shipped)
    before = officer.locator(".kpi .value").last.inner_text()

    officer.goto("/policy/")
    officer.get_by_role("link", name="比较修订的影响").click()
    assert heading(officer) == "比较政策设置修订的影响"
    officer.get_by_label("或上传修订文件（.toml）").set_input_files(str(revised))
    officer.get_by_role("button", name="比较影响").click()
    expect(officer.locator("#revised-version")).to_contain_text("2015-2.5+")
    expect(officer.locator("#settings-changed")).to_contain_text("standalone_min_formal_members")
    assert_charts_drawn(officer, {"rule-chart", "area-chart"})
    appearing = int(officer.locator("#whatif-appearing").inner_text())
    disappearing = int(officer.locator("#whatif-disappearing").inner_text())
    assert appearing > 0 and disappearing > 0
    screenshot(officer, "policy-whatif", full_page=True)
    expect(officer.locator("#whatif-rules")).to_contain_text("COV-STANDALONE")
    expect(officer.locator("#whatif-rules")).to_contain_text("COV-JOINT")
    with officer.expect_download() as caught:
        officer.locator("#whatif-export").click()
    path = tmp_path / "whatif.xlsx"
    caught.value.save_as(path)
    rows = list(load_workbook(path)["变化清单"].iter_rows(values_only=True))
    assert len(rows) - 1 == appearing + disappearing
    assert {r[0] for r in rows[1:]} == {"出现", "消失"}
    site.assert_clean()

    officer.get_by_label("调整理由（依据的文件或决定）").fill(
        "市社会组织党工委会议决定（试行修订）"
    )
    officer.get_by_role("button", name="采用").click()
    expect(officer.locator("main")).to_contain_text("已采用政策设置版本")
    version = PolicyVersion.objects.get()
    expect(officer.locator("#policy-versions")).to_contain_text(version.version)

    officer.goto("/")
    expect(officer.locator("#policy-version")).to_have_text(version.version)
    after = officer.locator(".kpi .value").last.inner_text()
    assert after != before, (before, after)
    site.assert_clean()

    # A district officer sees the versions on a tablet, and may compare but not adopt.
    district = site.log_in("furong", TABLET)
    expect(district.locator("#policy-version")).to_have_text(version.version)
    district.goto("/policy/")
    expect(district.locator("#policy-settings")).to_contain_text("standalone_min_formal_members")
    assert_fits(district, "政策设置版本（平板）")
    site.assert_clean()
