"""Annual inspections in the browser (issue 18, "Done when"): the registry records an
inspection of an organization it registered, without the Party-building section, beside the
organization's Party-building state; the DYN-INSPECTION task appears for the township; the
registry records it again with the section, and the task closes itself."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.inspections.models import AnnualInspection
from dangjian.tasks.models import OPEN_STATES, Task
from tests.actors import World
from tests.browser.conftest import LAPTOP, TABLET, Site, assert_fits, heading

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_inspection_without_the_party_section_makes_a_task_until_it_is_filled(
    site: Site, actors: World
):
    org = actors.orgs["fr_assoc"]
    today = timezone.localdate()
    year = str(today.year - 1)

    clerk = site.log_in("registry", LAPTOP)
    clerk.goto(f"/orgs/{org.uscc}/")
    clerk.get_by_role("link", name="录入年检").click()
    assert heading(clerk) == "录入年检"
    expect(clerk.locator("#party-state")).to_contain_text("党组织覆盖")
    expect(clerk.locator("#party-state")).to_contain_text("在职正式党员")
    clerk.get_by_label("年检年度（必填）").fill(year)
    clerk.get_by_label("年检结论（必填）").select_option(label="合格")
    clerk.get_by_label("党建情况已填报（必填）").select_option(label="否")
    clerk.get_by_label("年检日期（必填）").fill(today.isoformat())
    clerk.get_by_role("button", name="保存").click()
    expect(clerk.locator("#org-inspections")).to_contain_text(year)
    assert AnnualInspection.objects.get(org=org).party_section is False
    site.assert_clean()

    task = Task.objects.get(rule="DYN-INSPECTION", subject_pk=org.pk)
    assert task.state in OPEN_STATES
    cadre = site.log_in("wenyilu", TABLET)
    cadre.goto("/findings/?rule=DYN-INSPECTION")
    expect(cadre.locator("main")).to_contain_text(org.name)
    cadre.goto(f"/tasks/{task.pk}/")
    expect(cadre.locator("main")).to_contain_text("未填报党建工作情况")
    assert_fits(cadre, "年检待办（平板）")
    site.assert_clean()

    clerk.goto(f"/orgs/{org.uscc}/inspections/new/")
    expect(clerk.locator("#party-state-tasks")).to_contain_text("DYN-INSPECTION")
    clerk.get_by_label("年检年度（必填）").fill(year)
    clerk.get_by_label("年检结论（必填）").select_option(label="合格")
    clerk.get_by_label("党建情况已填报（必填）").select_option(label="是")
    clerk.get_by_label("年检日期（必填）").fill(today.isoformat())
    clerk.get_by_role("button", name="保存").click()
    expect(clerk.locator("#org-inspections")).to_contain_text("是")
    task.refresh_from_db()
    assert task.state not in OPEN_STATES
    site.assert_clean()
