"""Organization life in the browser: a secretary records a 支部党员大会 of the last quarter on
a tablet and submits it; the township returns it with an opinion; the secretary corrects it
and submits it again; the township approves it — and the LIFE-MEETINGS task of that quarter
closes itself. Then the township's overview: the chart drawn, its drill-down."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.compliance.engine import evaluate, record
from dangjian.life.models import Meeting, ReviewState
from dangjian.tasks.models import OPEN_STATES, Task, TaskState
from tests.actors import World
from tests.browser.conftest import LAPTOP, TABLET, Site, assert_charts_drawn, assert_fits, heading

pytestmark = pytest.mark.django_db(transaction=True)


def last_quarter(today: dt.date) -> tuple[str, dt.date]:
    """The last closed quarter's label (2026-Q3) and a day in its middle."""
    q = (today.month - 1) // 3  # the current quarter's index, 0-3
    year, q = (today.year - 1, 4) if q == 0 else (today.year, q)
    return f"{year}-Q{q}", dt.date(year, q * 3 - 1, 10)


def assembly_task(party_org, period: str) -> Task:
    return Task.objects.get(
        rule="LIFE-MEETINGS",
        subject_type="party_org",
        subject_pk=party_org.pk,
        finding__facts__period=period,
        finding__facts__type="支部党员大会",
    )


def test_a_meeting_is_submitted_returned_corrected_approved_and_closes_its_task(
    site: Site, actors: World
):
    today = timezone.localdate()
    period, held = last_quarter(today)
    branch = actors.party_orgs["fr"]
    with transaction.atomic():
        record(evaluate(as_of=today))
    task = assembly_task(branch, period)
    assert task.state in OPEN_STATES

    secretary = site.log_in("secretary", TABLET)
    secretary.goto("/party-orgs/D-FR-1/life/")
    assert heading(secretary) == "芙蓉区书法协会党支部 · 组织生活"
    expect(secretary.locator("#grid")).to_contain_text("支部党员大会")
    assert_fits(secretary, "组织生活")
    secretary.get_by_role("link", name="记一次会议").first.click()
    assert heading(secretary) == "记一次会议"
    secretary.get_by_label("会议类型（必填）").select_option("支部党员大会")
    secretary.get_by_label("召开日期（必填）").fill(held.isoformat())
    secretary.get_by_label("主题（必填）").fill("学习贯彻党的二十大精神")
    secretary.get_by_label("应到人数").fill("5")
    secretary.get_by_label("实到人数").fill("6")  # more than expected: refused
    secretary.get_by_label("保证政治方向").check()
    secretary.get_by_label("会议记录（讨论内容、决定事项）").fill("一、传达学习\n二、讨论")
    site.expected_status["/party-orgs/D-FR-1/meetings/new/"] = 200
    secretary.get_by_role("button", name="保存").click()
    expect(secretary.locator("#form-errors")).to_contain_text("多于应到人数 5")
    expect(secretary.get_by_label("主题（必填）")).to_have_value("学习贯彻党的二十大精神")
    assert not Meeting.objects.exists()
    secretary.get_by_label("实到人数").fill("4")
    secretary.get_by_role("button", name="保存").click()
    expect(secretary.locator(".alert-success")).to_contain_text("会议记录已保存")
    expect(secretary.locator("#review-state")).to_have_text("待报送")
    secretary.get_by_role("button", name="报送上级审核").click()
    expect(secretary.locator("#review-state")).to_have_text("已报送")
    meeting = Meeting.objects.get()
    site.assert_clean()

    township = site.log_in("wenyilu", LAPTOP)
    township.goto("/life/review/")
    township.get_by_role("link", name="学习贯彻党的二十大精神").click()
    township.get_by_label("审核意见（退回时必填）").fill("会议记录过于简单，请补充讨论内容")
    township.get_by_role("button", name="退回修改").click()
    expect(township.locator("#review-state")).to_have_text("已退回")
    assert assembly_task(branch, period).state in OPEN_STATES  # a returned one does not count

    secretary.goto(f"/meetings/{meeting.pk}/")
    expect(secretary.locator("#opinion")).to_contain_text("会议记录过于简单")
    secretary.get_by_role("link", name="修改").first.click()
    secretary.get_by_label("会议记录（讨论内容、决定事项）").fill(
        "一、传达学习党的二十大精神\n二、逐一发言讨论，形成三项措施"
    )
    secretary.get_by_label("修改原因（可选，记入变更记录）").fill("按审核意见补充")
    secretary.get_by_role("button", name="保存").click()
    expect(secretary.locator("#review-state")).to_have_text("待报送")
    secretary.get_by_role("button", name="报送上级审核").click()
    expect(secretary.locator("#review-state")).to_have_text("已报送")

    township.goto(f"/meetings/{meeting.pk}/")
    township.get_by_role("button", name="审核通过").click()
    expect(township.locator("#review-state")).to_have_text("已审核")
    meeting.refresh_from_db()
    assert meeting.state == ReviewState.APPROVED
    # The approval re-evaluated the branch at once: the quarter's task closed itself.
    assert assembly_task(branch, period).state == TaskState.FIXED
    township.goto("/party-orgs/D-FR-1/life/")
    expect(township.locator("#meetings")).to_contain_text("已审核")
    site.assert_clean()

    # The township's overview: a chart per requirement, its bars lead to the branches.
    township.goto("/life/")
    assert heading(township).startswith("组织生活")
    assert_charts_drawn(
        township, {"life-chart-assembly", "life-chart-lecture", "life-chart-theme_day"}
    )
    township.goto("/life/branches/?type=主题党日")
    expect(township.locator("main")).to_contain_text("芙蓉区书法协会党支部")
    site.assert_clean()
