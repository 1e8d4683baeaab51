"""Tasks (待办) in the browser for the subject types tests/browser/test_tasks.py leaves out
(it works a Party organization's task and a social organization's): a member's
(`person`, rule DYN-TRANSFER), a supervisory unit's (`unit`, rule MGT-INDUSTRY) and a
district's (`area`, rule MGT-STUDY). As
there, the assignee finds the task in 我的待办, opens it, writes a note, attaches a PDF and
reports it fixed (已整改待核实); the officer over the subject finds it by its state, checks it
and closes it (销号); the history names every step and who took it. Then, for each of the
two, a correction in an organization's form that makes such a task close itself by the
time the page answers.

And a district's (`area`, rule MGT-STUDY): its officer works it, the city closes it. The
last test fails the day a rule finds a subject of another type, so that its task is worked
here too."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import transaction
from playwright.sync_api import Page, expect

from dangjian.compliance import policy as policy_module
from dangjian.compliance.rules.base import RULES
from dangjian.orgs.models import OrgKind, RegistrationMode, SocialOrganization
from dangjian.people.models import Person
from dangjian.tasks.models import Task, TaskEvent
from tests import factories
from tests.actors import World
from tests.browser.conftest import Site, heading
from tests.browser.test_tasks import check_and_close, history, open_from_list, work_and_report_fixed

pytestmark = pytest.mark.django_db(transaction=True)

WORKED = ["create", "note", "attach", "mark_fixed", "close"]


def steps_by(page: Page) -> list[tuple[str, str]]:
    """The task's history as the page shows it: (who, which step) per row."""
    rows = page.locator("#events tbody tr")
    return [
        (
            row.locator("td:nth-child(2)").inner_text().strip(),
            row.locator("td:nth-child(3)").inner_text().strip().splitlines()[0],
        )
        for row in rows.all()
    ]


def actions(task: Task) -> list[str]:
    return list(
        TaskEvent.objects.filter(task=task).order_by("at", "pk").values_list("action", flat=True)
    )


# Person: DYN-TRANSFER ------------------------------------------------------------------------


def stranded_member(world: World) -> Person:
    """A member whose organizational relation is still held by a Party organization of
    文艺路街道 dissolved last year: DYN-TRANSFER finds them (written in one transaction, so
    that its commit re-evaluates the rules once, as a form's save would)."""
    with transaction.atomic():
        branch = factories.party_org(
            world.areas["wenyilu"],
            code="D-FR-X1",
            name="芙蓉区已撤销协会党支部",
            status="dissolved",
            dissolved_on=dt.date(2024, 6, 30),
        )
        member = factories.member(None, relation=branch)
        member.name = "待转接丙党员"
        member.save()
    return member


def test_the_township_officer_works_a_members_transfer_and_the_district_closes_it(
    site: Site, world: World
):
    member = stranded_member(world)
    task = Task.objects.get(subject_type="person", subject_pk=member.pk)
    # The township officer of the dissolved branch's township, by default.
    assert task.rule == "DYN-TRANSFER" and RULES[task.rule].subject == "person"
    assert task.state == "pending" and task.assignee == world.users["wenyilu"]
    assert task.assigned_unit_id is None

    page = site.log_in("wenyilu")
    open_from_list(page, task, mine=True)
    expect(page.locator(".task-state")).to_have_text("待处理")
    expect(page.locator("[data-holder]")).to_have_text("wenyilu")
    main = page.locator("main")
    expect(main).to_contain_text("待转接丙党员")
    expect(main).to_contain_text("组织关系仍在已撤销的党组织「芙蓉区已撤销协会党支部」")
    work_and_report_fixed(
        page, site, "已联系本人，开具组织关系介绍信", "组织关系已转入居住地社区党支部"
    )
    page.context.close()

    page = site.log_in("furong")
    open_from_list(page, task, state="已整改待核实")
    check_and_close(page, site, "介绍信回执已核对，同意销号")
    assert steps_by(page) == [
        ("系统", "生成待办"),
        ("wenyilu", "添加备注"),
        ("wenyilu", "上传附件"),
        ("wenyilu", "报告已整改"),
        ("furong", "销号"),
    ], history(page)
    events = page.locator("#events")
    for text in ("已联系本人，开具组织关系介绍信", "组织关系已转入居住地社区党支部"):
        expect(events).to_contain_text(text)
    expect(events).to_contain_text("介绍信回执已核对，同意销号")
    page.context.close()
    assert Task.objects.get(pk=task.pk).state == "closed"
    assert actions(task) == WORKED
    site.assert_clean()


def test_correcting_an_organizations_status_closes_its_members_transfer_task(
    site: Site, world: World
):
    """An organization recorded by mistake as deregistered: its branch is found to be
    dissolved (DYN-DISSOLVE) and the member whose relation it holds to be transferred
    (DYN-TRANSFER). The district officer puts the status right in the organization's form;
    the save re-evaluates the rules, so the member's task has closed itself (已整改, naming
    the change) when the next page opens."""
    with transaction.atomic():
        org = factories.org(
            world.areas["wenyilu"],
            name="芙蓉区误注销协会",
            status="deregistered",
            status_changed_on=dt.date(2024, 3, 1),
        )
        branch = factories.party_org(
            world.areas["wenyilu"], code="D-FR-X2", name="芙蓉区误注销协会党支部", covers=[org]
        )
        member = factories.member(org, relation=branch)
    # (the member's other task, MEM-DUES-LAPSE — no dues recorded —, is not this test's)
    task = Task.objects.get(subject_type="person", subject_pk=member.pk, rule="DYN-TRANSFER")
    assert task.state == "pending"
    assert Task.objects.get(rule="DYN-DISSOLVE", subject_pk=branch.pk).state == "pending"

    page = site.log_in("furong")
    page.goto(f"/orgs/{org.uscc}/")
    page.get_by_role("link", name="修改", exact=True).click()
    assert heading(page) == "修改社会组织"
    page.get_by_label("登记状态（必填）").select_option("正常")
    page.get_by_label("状态变更日期").fill("")
    page.get_by_label("修改原因（可选，记入变更记录）").fill("误录为注销，据民政部门复核更正")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success")).to_contain_text("已保存")
    expect(page).to_have_url(re.compile(rf"/orgs/{org.uscc}/$"))
    assert Task.objects.get(pk=task.pk).state == "fixed"  # already, as the page answered
    assert Task.objects.get(rule="DYN-DISSOLVE", subject_pk=branch.pk).state == "fixed"
    page.goto(f"/tasks/{task.pk}/")
    expect(page.locator(".task-state")).to_have_text("已整改")
    assert steps_by(page) == [("系统", "生成待办"), ("系统", "自动关闭")], history(page)
    expect(page.locator("#events")).to_contain_text("误录为注销，据民政部门复核更正")
    page.context.close()
    assert actions(task) == ["create", "auto_fix"]
    site.assert_clean()


# Unit: MGT-INDUSTRY --------------------------------------------------------------------------


def busy_supervisor(world: World) -> list[SocialOrganization]:
    """Enough Party organizations of organizations 长沙市教育局 supervises for it to need an
    industry Party committee (`industry_committee_min_party_orgs`), which it has not: rule
    MGT-INDUSTRY finds the unit (one transaction, as in `stranded_member`)."""
    education = world.orgs["fr_school"].supervisor
    registry = world.orgs["fr_school"].registry
    needed = policy_module.load()["industry_committee_min_party_orgs"]
    townships = [world.areas["wenyilu"], world.areas["chaoyang"]]
    orgs = []
    with transaction.atomic():
        for i in range(needed):
            org = factories.org(
                townships[i % 2],
                kind=OrgKind.SERVICE_AGENCY,
                name=f"芙蓉区第{i + 1}职业培训学校",
                registry=registry,
                registration_mode=RegistrationMode.SUPERVISED,
                supervisor=education,
                industry="education",
            )
            factories.party_org(
                org.township, code=f"D-FR-E{i:02d}", name=f"{org.name}党支部", covers=[org]
            )
            orgs.append(org)
    return orgs


def test_the_units_users_work_its_task_and_the_city_closes_it(site: Site, world: World):
    orgs = busy_supervisor(world)
    education = world.users["supervisor"].unit
    assert education is not None
    task = Task.objects.get(subject_type="unit", subject_pk=education.pk, rule="MGT-INDUSTRY")
    # Nobody in person: the unit, so every user of it.
    assert task.rule == "MGT-INDUSTRY" and RULES[task.rule].subject == "unit"
    assert task.state == "pending" and task.assignee_id is None
    assert task.assigned_unit_id == education.pk

    page = site.log_in("supervisor")
    open_from_list(page, task, mine=True)
    expect(page.locator(".task-state")).to_have_text("待处理")
    expect(page.locator("[data-holder]")).to_contain_text("长沙市教育局")
    expect(page.locator("main")).to_contain_text(
        f"主管{len(orgs)}个社会组织党组织，尚未成立社会组织行业党委（党总支）"
    )
    work_and_report_fixed(page, site, "已向局党组报送成立行业党委的请示", "行业党委已批复成立")
    page.context.close()

    # 长沙市教育局 is the city's: the city's officer checks it (芙蓉区's does not see it).
    page = site.log_in("city")
    open_from_list(page, task, state="已整改待核实")
    check_and_close(page, site, "批复文件已核对，同意销号")
    assert steps_by(page) == [
        ("系统", "生成待办"),
        ("supervisor", "添加备注"),
        ("supervisor", "上传附件"),
        ("supervisor", "报告已整改"),
        ("city", "销号"),
    ], history(page)
    events = page.locator("#events")
    for text in ("已向局党组报送成立行业党委的请示", "行业党委已批复成立", "批复文件已核对"):
        expect(events).to_contain_text(text)
    page.context.close()
    assert Task.objects.get(pk=task.pk).state == "closed"
    assert actions(task) == WORKED
    site.assert_clean()


def test_correcting_an_organizations_party_management_closes_the_units_task(
    site: Site, world: World
):
    """One of the schools' Party work was delegated to its township (委托乡镇(街道)), which
    its record did not say: once the district officer records it in the organization's
    form, 长沙市教育局 manages one Party organization fewer than the threshold, and its
    task has closed itself when the page answers."""
    orgs = busy_supervisor(world)
    education = world.users["supervisor"].unit
    assert education is not None
    task = Task.objects.get(subject_type="unit", subject_pk=education.pk, rule="MGT-INDUSTRY")
    assert task.state == "pending"
    org = orgs[0]

    page = site.log_in("furong")
    page.goto(f"/orgs/{org.uscc}/edit/")
    assert heading(page) == "修改社会组织"
    page.get_by_label("党建管理方式").select_option("委托乡镇(街道)")
    page.get_by_label("修改原因（可选，记入变更记录）").fill("党建工作已委托文艺路街道管理，补录")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success")).to_contain_text("已保存")
    expect(page).to_have_url(re.compile(rf"/orgs/{org.uscc}/$"))
    assert Task.objects.get(pk=task.pk).state == "fixed"  # already, as the page answered
    page.context.close()

    page = site.log_in("supervisor")
    page.goto(f"/tasks/{task.pk}/")
    expect(page.locator(".task-state")).to_have_text("已整改")
    assert steps_by(page) == [("系统", "生成待办"), ("系统", "自动关闭")], history(page)
    expect(page.locator("#events")).to_contain_text("党建工作已委托文艺路街道管理，补录")
    page.context.close()
    assert actions(task) == ["create", "auto_fix"]
    site.assert_clean()


# Area: MGT-STUDY ---------------------------------------------------------------------------


def test_the_district_officer_works_its_districts_study_task_and_the_city_closes_it(
    site: Site, world: World
):
    """芙蓉区 held no 专题研究 last year (rule MGT-STUDY finds the district, subject type
    `area`): the task goes to the district's officer, who works it; the city's officer checks
    and closes it."""
    furong = world.areas["furong"]
    task = Task.objects.get(subject_type="area", subject_pk=furong.pk)
    assert task.rule == "MGT-STUDY" and RULES[task.rule].subject == "area"
    assert task.state == "pending" and task.assignee == world.users["furong"]
    year = dt.date.today().year - 1

    page = site.log_in("furong")
    open_from_list(page, task, mine=True)
    expect(page.locator(".task-state")).to_have_text("待处理")
    expect(page.locator("main")).to_contain_text(f"{year}年度未专题研究社会组织党建工作")
    expect(page.locator("main")).to_contain_text("芙蓉区")
    work_and_report_fixed(page, site, "已提请区委常委会议研究", "区委已专题研究，会议纪要附后")
    page.context.close()

    page = site.log_in("city")
    open_from_list(page, task, state="已整改待核实")
    check_and_close(page, site, "会议纪要已核对，同意销号")
    assert steps_by(page) == [
        ("系统", "生成待办"),
        ("furong", "添加备注"),
        ("furong", "上传附件"),
        ("furong", "报告已整改"),
        ("city", "销号"),
    ], history(page)
    page.context.close()
    assert Task.objects.get(pk=task.pk).state == "closed"
    assert actions(task) == WORKED
    site.assert_clean()


def test_every_subject_type_of_the_rules_is_worked_here_or_in_test_tasks():
    """Each subject type a rule may find has its task worked in the browser: a Party
    organization's and an organization's in tests/browser/test_tasks.py, a person's, a
    unit's and an area's above. A new type fails here until its task is worked too."""
    subjects = {s for rule in RULES.values() for s in rule.subjects}
    assert subjects == {"social_org", "party_org", "person", "unit", "area"}, subjects
