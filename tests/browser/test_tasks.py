"""Tasks (待办) in the browser, as their users work them: the assignee finds their task in
the list (我的待办), opens it, writes a note, attaches a PDF and reports it fixed
(已整改待核实); an officer finds it in their queue (the state filter), opens it and closes it
(销号). Every step is in the task's history. Once for a finding about a Party organization
(its secretary is the assignee, 文艺路街道's officer closes it), once for a finding about a
social organization (文艺路街道's officer is the assignee, 芙蓉区's officer closes it)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from dangjian.compliance.rules.base import RULES
from dangjian.orgs.models import SocialOrganization
from dangjian.tasks.models import Task, TaskEvent
from tests.actors import World
from tests.browser.conftest import LAPTOP, TABLET, Site, assert_fits, heading, screenshot
from tests.test_tasks_files import pdf_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def open_from_list(page: Page, task: Task, *, mine: bool = False, state: str = "") -> None:
    """The task list, narrowed as its user would (their own tasks, or one state), then the
    task's 处理 link."""
    menu = page.get_by_role("navigation", name="主菜单")
    menu.get_by_role("link", name="待办问题").click()
    assert heading(page) == "待办问题"
    if mine:
        page.get_by_label("我的待办").check()
    if state:
        page.get_by_label(state, exact=True).check()
    page.get_by_role("button", name="查询").click()
    row = page.locator(".findings-table tbody tr").filter(
        has=page.locator(f'a[href="/tasks/{task.pk}/"]')
    )
    expect(row).to_have_count(1)
    if state:
        expect(row.locator("[data-state]")).to_have_text(state)
    row.get_by_role("link", name=re.compile(r"^处理")).click()
    expect(page).to_have_url(re.compile(rf"/tasks/{task.pk}/$"))
    assert heading(page) == RULES[task.rule].title


def work_and_report_fixed(page: Page, site: Site, note: str, report: str) -> None:
    """The assignee's part: a note, a PDF, then 报告已整改."""
    state = page.locator(".task-state")
    page.get_by_label("备注内容").fill(note)
    page.get_by_role("button", name="添加备注").click()
    expect(page.locator(".alert-success")).to_have_text("已添加备注")
    expect(page.locator("#events")).to_contain_text(note)

    page.get_by_label("附件", exact=True).set_input_files(
        {"name": "整改报告.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("fixed")}
    )
    page.get_by_role("button", name="上传附件").click()
    expect(page.locator(".alert-success")).to_have_text("已上传附件「整改报告.pdf」")
    attachments = page.locator("#attachments")
    expect(attachments.get_by_role("link", name="整改报告.pdf")).to_be_visible()
    # The evidence comes back as it went in.
    with page.expect_download() as caught:
        attachments.get_by_role("link", name="整改报告.pdf").click()
    download = caught.value
    assert download.suggested_filename == "整改报告.pdf"
    with open(download.path(), "rb") as saved:
        assert saved.read() == pdf_bytes("fixed")

    page.get_by_label("整改情况（可选）").fill(report)
    page.get_by_role("button", name="报告已整改").click()
    expect(page.locator(".alert-success")).to_contain_text("已报告已整改")
    expect(state).to_have_text("已整改待核实")
    # Nothing more for the assignee to do but add to it.
    expect(page.get_by_role("button", name="报告已整改")).to_have_count(0)
    site.assert_clean()


def check_and_close(page: Page, site: Site, opinion: str, *, shot: str = "") -> None:
    """The officer's part: read the history and the evidence, then 销号."""
    expect(page.locator("#attachments")).to_contain_text("整改报告.pdf")
    page.get_by_label("核实意见（可选）").fill(opinion)
    if shot:
        screenshot(page, shot, full_page=True)
    page.get_by_role("button", name="核实无误，销号").click()
    expect(page.locator(".alert-success")).to_have_text("已销号")
    expect(page.locator(".task-state")).to_have_text("已销号")
    expect(page.locator("#act")).to_contain_text("该待办已销号，不能再办理")
    site.assert_clean()


def history(page: Page) -> list[str]:
    return [
        text.strip() for text in page.locator("#events tbody tr td:nth-child(3)").all_inner_texts()
    ]


def test_a_secretary_works_a_task_and_the_township_officer_closes_it(site: Site, world: World):
    secretary = world.users["secretary"]
    task = Task.objects.get(assignee=secretary, subject_type="party_org")
    assert task.subject_pk == world.party_orgs["fr"].pk and task.state == "pending"

    page = site.log_in("secretary")
    open_from_list(page, task, mine=True)
    expect(page.locator(".task-state")).to_have_text("待处理")
    expect(page.locator("main")).to_contain_text(world.party_orgs["fr"].name)
    for viewport in (TABLET, LAPTOP):
        page.set_viewport_size(viewport)  # type: ignore[arg-type]
        assert_fits(page, f"the task page at {viewport['width']} px")
    work_and_report_fixed(page, site, "已向街道党工委报送换届请示", "已完成换届选举")
    page.context.close()

    page = site.log_in("wenyilu")
    open_from_list(page, task, state="已整改待核实")
    check_and_close(page, site, "换届材料齐全，同意销号", shot="task")
    steps = history(page)
    for step in ("生成待办", "添加备注", "上传附件", "报告已整改", "销号"):
        assert any(s.startswith(step) for s in steps), (step, steps)
    events = page.locator("#events")
    for text in ("已向街道党工委报送换届请示", "已完成换届选举", "换届材料齐全，同意销号"):
        expect(events).to_contain_text(text)
    expect(events).to_contain_text("secretary")
    expect(events).to_contain_text("wenyilu")
    page.context.close()
    found = Task.objects.get(pk=task.pk)
    assert found.state == "closed"
    assert list(
        TaskEvent.objects.filter(task=task).order_by("at", "pk").values_list("action", flat=True)
    ) == ["create", "note", "attach", "mark_fixed", "close"]
    site.assert_clean()


def test_the_township_officer_works_an_organizations_task_and_the_district_closes_it(
    site: Site, world: World
):
    officer = world.users["wenyilu"]
    task = (
        Task.objects.filter(assignee=officer, subject_type="social_org", state="pending")
        .order_by("pk")
        .first()
    )
    assert task is not None and task.finding is not None
    name = task.finding.subject_name

    page = site.log_in("wenyilu")
    open_from_list(page, task, mine=True)
    expect(page.locator("main")).to_contain_text(name)
    work_and_report_fixed(page, site, "已约谈该组织负责人", "已明确联合党支部组建方案")
    page.context.close()

    page = site.log_in("furong")
    open_from_list(page, task, state="已整改待核实")
    check_and_close(page, site, "核实无误")
    steps = history(page)
    for step in ("生成待办", "添加备注", "上传附件", "报告已整改", "销号"):
        assert any(s.startswith(step) for s in steps), (step, steps)
    expect(page.locator("#events")).to_contain_text("furong")
    # Back in the list, among the closed ones.
    menu = page.get_by_role("navigation", name="主菜单")
    menu.get_by_role("link", name="待办问题").click()
    page.get_by_label("已销号").check()
    page.get_by_role("button", name="查询").click()
    row = page.locator(".findings-table tbody tr").filter(has_text=name)
    expect(row.locator("[data-state]")).to_have_text("已销号")
    page.context.close()
    assert Task.objects.get(pk=task.pk).state == "closed"
    site.assert_clean()


def test_a_correction_in_a_form_closes_another_task_by_the_time_the_page_answers(
    site: Site, world: World
):
    """An officer learns that an organization with an open coverage task has in fact been
    deregistered, and records it in the organization's form: the save re-evaluates the rules
    for it, so its task has closed itself (已整改, naming the change) when the next page
    opens — no `check` run, no waiting."""
    task = (
        Task.objects.filter(subject_type="social_org", state="pending", rule__startswith="COV-")
        .order_by("pk")
        .first()
    )
    assert task is not None and task.finding is not None
    org = SocialOrganization.objects.get(pk=task.subject_pk)
    page = site.log_in("furong")
    page.goto(f"/orgs/{org.uscc}/")
    page.get_by_role("link", name="修改", exact=True).click()
    assert heading(page) == "修改社会组织"
    page.get_by_label("登记状态（必填）").select_option("注销")
    page.get_by_label("状态变更日期").fill(org.registered_on.isoformat())
    page.get_by_label("修改原因（可选，记入变更记录）").fill("已于民政部门注销，补录")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success")).to_contain_text("已保存")
    expect(page).to_have_url(re.compile(rf"/orgs/{org.uscc}/$"))
    assert Task.objects.get(pk=task.pk).state == "fixed"  # already, as the page answered
    page.goto(f"/tasks/{task.pk}/")
    expect(page.locator(".task-state")).to_have_text("已整改")
    expect(page.locator("#events")).to_contain_text("已于民政部门注销，补录")
    page.context.close()
    site.assert_clean()
