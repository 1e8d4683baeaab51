"""The training of secretaries in the browser (issue 16's Done-when): a district officer (the
organizer of the class) opens the training needs list, records a class of 40 trainees with
the roster picker — one found by name, the rest of the list's 「全部加入」, the district's
secretaries by role and one removed again — and saves; the tasks of those 40 secretaries
close themselves and the needs list no longer names them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.cadres.models import Training
from dangjian.compliance.engine import evaluate, record
from dangjian.imports.models import ImportBatch
from dangjian.tasks.models import OPEN_STATES, Task, TaskState
from tests import factories
from tests.actors import World
from tests.browser.conftest import LAPTOP, Site, assert_fits, heading

pytestmark = pytest.mark.django_db(transaction=True)

RULE = "CAD-SECRETARY-TRAINING"
LONG_AGO = dt.date(2014, 1, 1)  # before the policy took effect: no induction training due


def secretaries_without_training(actors: World, n: int = 40) -> list:
    """`n` secretaries of 文艺路街道's Party organizations, in office for years, never trained."""
    township = actors.areas["wenyilu"]
    people = []
    for i in range(1, n + 1):
        party_org = factories.party_org(
            township, code=f"D-FR-T{i:02d}", name=f"芙蓉区培训测试{i:02d}协会党支部",
            founded_on=LONG_AGO,
        )  # fmt: skip
        person = factories.person(f"培训书记{i:02d}")
        factories.office(party_org, person, started_on=LONG_AGO)
        people.append(person)
    return people


def test_an_organizer_records_a_class_of_40_and_their_tasks_close(site: Site, actors: World):
    today = timezone.localdate()
    y = today.year - 1
    with transaction.atomic():
        trainees = secretaries_without_training(actors)
        record(evaluate(as_of=today))
    pks = [p.pk for p in trainees]
    tasks = Task.objects.filter(rule=RULE, subject_type="person", subject_pk__in=pks)
    assert tasks.count() == 40 and all(t.state in OPEN_STATES for t in tasks)

    page = site.log_in("furong", LAPTOP)
    page.get_by_role("link", name="培训需求名单").click()
    assert heading(page) == "培训需求名单"
    expect(page.locator("#results-title")).to_contain_text("共 40 人次")
    expect(page.locator("#needs")).to_contain_text("培训书记01")
    expect(page.locator("#needs")).to_contain_text("书记年度培训不足（已训0天/应训5天）")
    assert_fits(page, "培训需求名单")
    site.assert_clean()

    page.get_by_role("link", name="记录一期培训").click()
    assert heading(page) == "记录一期培训"
    page.get_by_label("培训名称（必填）").fill(f"{y}年度社会组织党组织书记示范培训班")
    page.get_by_label("培训类别（必填）").select_option("集中培训")
    page.get_by_label("举办单位（必填）").fill("芙蓉区社会组织党工委")
    page.get_by_label("开始日期（必填）").fill(f"{y}-11-10")
    page.get_by_label("结束日期（必填）").fill(f"{y}-11-14")
    page.get_by_label("培训天数（必填）").fill("5")
    # One by search …
    page.get_by_label("按姓名或完整公民身份号码查找").fill("培训书记07")
    page.get_by_role("button", name="查找").click()
    page.get_by_role("button", name="加入 培训书记07", exact=True).click()
    expect(page.locator("#roster-count")).to_have_text("1")
    # … the rest of the needs list …
    page.get_by_label("从培训需求名单").select_option("书记年度培训")
    page.get_by_role("button", name="全部加入").click()
    expect(page.locator("#roster-count")).to_have_text("40")
    # … the district's secretaries by role: one more (trained already), removed again.
    page.get_by_label("按职务（本辖区）").select_option("书记")
    page.get_by_role("button", name="加入该职务全部人员").click()
    expect(page.locator("#roster-count")).to_have_text("41")
    page.get_by_role("button", name="移除 芙蓉甲党员", exact=True).click()
    expect(page.locator("#roster-count")).to_have_text("40")
    # The class fields were kept through every step.
    expect(page.get_by_label("举办单位（必填）")).to_have_value("芙蓉区社会组织党工委")
    assert_fits(page, "记录一期培训")
    html = page.content()
    assert all(p.id_number not in html for p in trainees)

    # A bad value first: nothing written, the reason in Chinese.
    page.get_by_label("培训天数（必填）").fill("6")
    site.expected_status["/cadres/trainings/new/"] = 200
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator("#form-errors")).to_contain_text("超过开始日期至结束日期的天数（5天）")
    assert not Training.objects.filter(person_id__in=pks).exists()
    expect(page.locator("#roster-count")).to_have_text("40")
    batches = ImportBatch.objects.count()
    page.get_by_label("培训天数（必填）").fill("5")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("共40名学员")
    assert heading(page) == "培训需求名单"
    site.assert_clean()

    assert Training.objects.filter(person_id__in=pks).count() == 40
    assert ImportBatch.objects.count() == batches + 1
    # The write re-evaluated the 40 at once: their tasks closed themselves.
    assert sorted(set(tasks.values_list("state", flat=True))) == [TaskState.FIXED]
    expect(page.locator("main")).not_to_contain_text("培训书记")
    expect(page.locator("#results-title")).to_contain_text("共 0 人次")
    site.assert_clean()
