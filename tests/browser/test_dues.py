"""Dues in the browser (issue 17 item 4): a branch's secretary records last month's dues of
the branch on a tablet (a bad amount first: refused beside the member, nothing written),
sees the amounts due, downloads the year's ledger; the district officer reads the figures
per township with the chart."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.accounts.models import Role
from dangjian.dues.models import DuesPayment
from tests import factories
from tests.actors import World
from tests.browser.conftest import (
    LAPTOP,
    TABLET,
    Site,
    assert_charts_drawn,
    assert_fits,
    heading,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_branch_records_a_month_and_the_district_reads_the_figures(site: Site, actors: World):
    areas = actors.areas
    today = timezone.localdate()
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    with transaction.atomic():
        po = factories.party_org(areas["wenyilu"], code="P-DUES", name="文艺路丙协会党支部")
        one, two = factories.member(None, relation=po), factories.member(None, relation=po)
        factories.user("dues_sec", role=Role.ORG, party_org=po)

    sec = site.log_in("dues_sec", TABLET)
    url = f"/dues/P-DUES/{month:%Y-%m}/"
    sec.goto(url)
    assert heading(sec).startswith("文艺路丙协会党支部")
    day = month.replace(day=12).isoformat()
    sec.get_by_label(f"{one.name}的计缴基数").fill("6000")
    sec.get_by_label(f"{one.name}的实缴金额").fill("60.001")
    sec.get_by_label(f"{one.name}的缴纳日期").fill(day)
    sec.get_by_label(f"{two.name}的人员类别").select_option(label="学生")
    sec.get_by_label(f"{two.name}的实缴金额").fill("0.20")
    sec.get_by_label(f"{two.name}的缴纳日期").fill(day)
    site.expected_status[url] = 422
    sec.get_by_role("button", name="保存本月党费").click()
    expect(sec.locator(f"#row-{one.pk}-errors")).to_contain_text("最多两位小数")
    assert not DuesPayment.objects.exists()
    sec.get_by_label(f"{one.name}的实缴金额").fill("60.00")
    sec.get_by_role("button", name="保存本月党费").click()
    expect(sec.locator(".alert-success, .alert-info").first).to_contain_text("已保存 2 名党员")
    assert DuesPayment.objects.filter(month=month).count() == 2
    assert_fits(sec, "党费（平板）")
    with sec.expect_download() as caught:
        sec.get_by_role("link", name=f"{month.year}年党费台账（Excel）").click()
    with open(caught.value.path(), "rb") as saved:
        rows = list(
            openpyxl.load_workbook(io.BytesIO(saved.read())).active.iter_rows(values_only=True)
        )
    assert {r[0] for r in rows[1:]} == {one.name, two.name}
    site.assert_clean()

    officer = site.log_in("furong", LAPTOP)
    officer.goto(f"/dues/?year={month.year}")
    expect(officer.locator("#dues-areas")).to_contain_text("文艺路街道")
    assert_charts_drawn(officer, {"dues-chart"})
    assert_fits(officer, "党费与经费")
    site.assert_clean()
