"""Tasks (待办): every step allowed and refused as the table says (docs/tasks.md), the
jurisdiction gate, the tasks following their findings (opened, closed by themselves,
reopened, 销号 for good), default assignees, and 情况说明."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from dangjian.accounts.jurisdiction import NotFound
from dangjian.accounts.models import Role
from dangjian.areas.models import Area, Unit, UnitKind
from dangjian.compliance.models import FindingRecord
from dangjian.tasks.models import (
    Explanation,
    ExplanationState,
    Task,
    TaskEvent,
    TaskState,
)
from dangjian.tasks.selectors import TaskFilters, task_events, task_get, tasks_for
from dangjian.tasks.services import (
    TaskError,
    explanation_decide,
    explanation_file,
    task_attach,
    task_close,
    task_mark_fixed,
    task_note,
    task_reassign,
    task_return,
    task_start,
    tasks_follow,
    tasks_sync_all,
)
from dangjian.tasks.workflow import available
from tests import factories
from tests.actors import build_world

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 1)
LATER = dt.date(2026, 4, 1)
DUE = dt.date(2026, 6, 30)

P, W, C, X, F = "pending", "working", "fixed_pending_check", "closed", "fixed"
STATES = (P, W, C, X, F)
STATE_LABEL = {P: "待处理", W: "整改中", C: "已整改待核实", X: "已销号", F: "已整改"}


# --- Helpers ---------------------------------------------------------------------------------


def finding(
    subject_type: str,
    pk: int,
    *,
    area: Area,
    rule: str = "CAD-FULLTIME",
    occurrence: str = "",
    name: str = "测试对象",
    due: dt.date | None = DUE,
    first_seen: dt.date = DAY,
    resolved_on: dt.date | None = None,
) -> FindingRecord:
    return FindingRecord.objects.create(
        rule=rule, subject_type=subject_type, subject_key=f"K{pk}", subject_name=name,
        subject_pk=pk, occurrence=occurrence, area=area.code, area_path=area.path,
        severity="medium", message="测试问题", due=due, first_seen=first_seen,
        last_seen=first_seen, policy_version="test", resolved_on=resolved_on,
    )  # fmt: skip


def resolve(record: FindingRecord, on: dt.date = LATER) -> FindingRecord:
    record.resolved_on = on
    record.save(update_fields=["resolved_on"])
    return record


def task_of(record: FindingRecord) -> Task:
    return Task.objects.get(finding=record)


def world_task(areas: dict[str, Area]) -> tuple[Task, dict[str, Any]]:
    """The world of tests/actors.py, and a task about D-FR-1 (文艺路街道's branch, whose
    secretary has an account): assigned to that secretary."""
    world = build_world(areas)
    world.users["wenyilu2"] = factories.user(
        "wenyilu2", role=Role.TOWNSHIP, area=areas["wenyilu"], last_name="钱", first_name="二"
    )
    record = finding("party_org", world.party_orgs["fr"].pk, area=areas["wenyilu"], name="D-FR-1")
    tasks_follow(opened=[record], resolved=[], on=DAY)
    task = task_of(record)
    assert task.assignee == world.users["secretary"]
    return task, world.users


@pytest.fixture
def world(areas):
    return build_world(areas)


@pytest.fixture
def setup(areas):
    return world_task(areas)


def pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("整改报告.pdf", b"%PDF-1.4\n%%EOF\n")


def refused(call, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(TaskError) as caught:
        call(*args, **kwargs)
    (message,) = caught.value.messages
    return message


def events(task: Task) -> list[tuple[str, str, str, str, str]]:
    return [(e.by, e.action, e.from_state, e.to_state, e.text) for e in task_events(task)]


# --- The table: every step × every state × every kind of user ---------------------------------

# Who may take each step from which states — written out here, apart from the code's table.
LIVE = {P, W, C, F}
EXPECTED: dict[str, dict[str, set[str]]] = {
    # step: {actor: states it is allowed from}
    "start": {"secretary": {P}, "wenyilu": {P}, "furong": {P}, "registry": set()},
    "note": {"secretary": LIVE, "wenyilu": LIVE, "furong": LIVE, "registry": set()},
    "attach": {"secretary": LIVE, "wenyilu": LIVE, "furong": LIVE, "registry": set()},
    "mark_fixed": {"secretary": {P, W}, "wenyilu": {P, W}, "furong": {P, W}, "registry": set()},
    "close": {"secretary": set(), "wenyilu": {C, F}, "furong": {C, F}, "registry": set()},
    "return": {"secretary": set(), "wenyilu": {C}, "furong": {C}, "registry": set()},
    "reassign": {"secretary": set(), "wenyilu": LIVE, "furong": LIVE, "registry": set()},
    "explain": {"secretary": {P, W, C}, "wenyilu": set(), "furong": set(), "registry": set()},
    "decide": {"secretary": set(), "wenyilu": LIVE, "furong": LIVE, "registry": set()},
}
NEXT_STATE = {"start": W, "mark_fixed": C, "close": X, "return": W}
VERB = {
    "start": "开始整改", "note": "添加备注", "attach": "上传附件", "mark_fixed": "报告已整改",
    "close": "销号", "return": "退回整改", "reassign": "改派", "explain": "提交情况说明",
    "decide": "审批情况说明",
}  # fmt: skip
OFFICERS = "管辖该对象的市、区、乡镇(街道)管理员"
WHO = {
    "start": f"承办人或{OFFICERS}", "note": f"承办人或{OFFICERS}",
    "attach": f"承办人或{OFFICERS}", "mark_fixed": f"承办人或{OFFICERS}",
    "close": OFFICERS, "return": OFFICERS, "reassign": OFFICERS, "decide": OFFICERS,
    "explain": "承办该待办或该问题所属党组织的党组织书记",
}  # fmt: skip


def take(step: str, user, task: Task, users: dict[str, Any]) -> None:
    if step == "start":
        task_start(user=user, task=task)
    elif step == "note":
        task_note(user=user, task=task, text="已联系书记")
    elif step == "attach":
        task_attach(user=user, task=task, file=pdf())
    elif step == "mark_fixed":
        task_mark_fixed(user=user, task=task)
    elif step == "close":
        task_close(user=user, task=task)
    elif step == "return":
        task_return(user=user, task=task, opinion="未配备专职党务工作者")
    elif step == "reassign":
        task_reassign(user=user, task=task, assignee=users["wenyilu2"])
    elif step == "explain":
        explanation_file(
            user=user,
            task=task,
            kind="extension",
            reason="正在招聘",
            requested_due=LATER + dt.timedelta(days=200),
        )
    elif step == "decide":
        waiting = Explanation.objects.create(
            task=task, kind="exemption", reason="已合并", filed_by=users["secretary"]
        )
        explanation_decide(user=user, explanation=waiting, approve=False, opinion="不符合豁免条件")


@pytest.mark.parametrize("step", list(EXPECTED))
def test_each_step_is_allowed_exactly_as_the_table_says(settings, tmp_path, setup, step):
    settings.MEDIA_ROOT = tmp_path
    task, users = setup
    for actor, allowed in EXPECTED[step].items():
        for state in STATES:
            Task.objects.filter(pk=task.pk).update(
                state=state, assignee=users["secretary"], assigned_unit=None, due=DUE
            )
            Explanation.objects.filter(task=task).delete()
            task.refresh_from_db()
            where = f"{step} by {actor} from {state}"
            if state in allowed:
                take(step, users[actor], task, users)
                task.refresh_from_db()
                assert task.state == NEXT_STATE.get(step, state), where
                assert task_events(task).last().user == users[actor], where
                continue
            with pytest.raises(TaskError) as caught:
                take(step, users[actor], task, users)
            if actor in {a for a, states in EXPECTED[step].items() if states}:
                expected = f"待办当前状态为「{STATE_LABEL[state]}」，不能{VERB[step]}"
            else:
                expected = f"只有{WHO[step]}可以{VERB[step]}"
            assert caught.value.messages == [expected], where
            task.refresh_from_db()
            assert task.state == state, where


def test_the_pages_are_offered_the_steps_of_the_table(setup):
    task, users = setup
    assert available(users["secretary"], task) == [
        "start", "note", "attach", "mark_fixed", "explain",
    ]  # fmt: skip
    assert available(users["wenyilu"], task) == [
        "start", "note", "attach", "mark_fixed", "reassign", "decide",
    ]  # fmt: skip
    assert available(users["registry"], task) == []


def test_an_outsider_meets_every_step_as_a_missing_task(setup):
    task, users = setup
    outsider = users["outsider"]
    with pytest.raises(NotFound) as outside:
        task_get(outsider, task.pk)
    with pytest.raises(NotFound) as missing:
        task_get(users["city"], task.pk + 1000)
    assert str(outside.value) == str(missing.value) == "待办不存在"
    for step in EXPECTED:
        with pytest.raises(NotFound, match="情况说明不存在" if step == "decide" else "待办不存在"):
            take(step, outsider, task, users)
    assert not tasks_for(outsider).exists()
    assert task.events.count() == 1  # its creation only


def test_an_unknown_key_is_a_missing_task(setup):
    _task, users = setup
    for key in ("abc", None, "1; DROP"):
        with pytest.raises(NotFound, match="待办不存在"):
            task_get(users["city"], key)


def test_each_role_sees_the_tasks_of_the_findings_it_sees(setup):
    task, users = setup
    seen = {name for name, user in users.items() if tasks_for(user).filter(pk=task.pk).exists()}
    # The supervisor and the instructor see other organizations; the outsider another district.
    assert seen == {"city", "furong", "wenyilu", "wenyilu2", "registry", "secretary"}


# --- The steps, one by one -----------------------------------------------------------------------


def test_a_secretary_works_a_task_and_an_officer_closes_it(settings, tmp_path, setup):
    settings.MEDIA_ROOT = tmp_path
    task, users = setup
    secretary, officer = users["secretary"], users["wenyilu"]
    task_start(user=secretary, task=task, text="已安排专人负责")
    task_note(user=secretary, task=task, text="已发布招聘启事")
    task_attach(user=secretary, task=task, file=pdf())
    task_mark_fixed(user=secretary, task=task, text="已配备1名专职党务工作者")
    task_close(user=officer, task=task, text="经核实已整改到位")
    task.refresh_from_db()
    assert task.state == TaskState.CLOSED
    assert events(task) == [
        ("系统", "create", "", P, "问题出现，生成待办；承办人：secretary"),
        ("secretary", "start", P, W, "已安排专人负责"),
        ("secretary", "note", W, W, "已发布招聘启事"),
        ("secretary", "attach", W, W, "上传附件「整改报告.pdf」（PDF，15 字节）"),
        ("secretary", "mark_fixed", W, C, "已配备1名专职党务工作者"),
        ("wenyilu", "close", C, X, "经核实已整改到位"),
    ]
    # The task's own history: who changed it, and why.
    reasons = [(h.history_change_reason, h.state) for h in task.history.order_by("history_id")]
    assert reasons == [
        ("问题出现，生成待办", P), ("开始整改", W), ("报告已整改", C), ("销号", X),
    ]  # fmt: skip
    assert task.history.order_by("history_id").last().history_user == officer


def test_an_officer_returns_a_task_with_an_opinion(setup):
    task, users = setup
    task_mark_fixed(user=users["secretary"], task=task)
    assert (
        refused(task_return, user=users["wenyilu"], task=task, opinion="  ") == "退回意见不能为空"
    )
    task_return(user=users["wenyilu"], task=task, opinion="证明材料不全")
    task.refresh_from_db()
    assert task.state == TaskState.WORKING
    assert events(task)[-1] == ("wenyilu", "return", C, W, "证明材料不全")


def test_a_note_must_say_something_and_not_too_much(setup):
    task, users = setup
    assert refused(task_note, user=users["secretary"], task=task, text="") == "备注内容不能为空"
    assert (
        refused(task_note, user=users["secretary"], task=task, text="字" * 2001)
        == "备注内容不能超过2000字，现为2001字"
    )
    assert task.events.count() == 1


def test_a_refused_step_writes_nothing(setup):
    task, users = setup
    history = task.history.count()
    assert (
        refused(task_close, user=users["wenyilu"], task=task)
        == "待办当前状态为「待处理」，不能销号"
    )
    assert task.history.count() == history
    assert task.events.count() == 1


def test_an_officer_may_reassign_inside_the_jurisdiction_only(setup, areas):
    task, users = setup
    officer = users["wenyilu"]
    message = refused(task_reassign, user=officer, task=task, assignee=users["outsider"])
    assert message == "用户「outsider」不在您的管辖范围（文艺路街道）内"
    chaoyang = factories.user("chaoyang", role=Role.TOWNSHIP, area=areas["chaoyang"])
    message = refused(task_reassign, user=officer, task=task, assignee=chaoyang)
    assert message == "用户「chaoyang」不在您的管辖范围（文艺路街道）内"
    # Inside 芙蓉区, but seeing nothing of this Party organization.
    message = refused(task_reassign, user=users["furong"], task=task, assignee=chaoyang)
    assert message == "用户「chaoyang」无权查看该问题，不能承办该待办"
    message = refused(task_reassign, user=users["furong"], task=task, assignee=users["instructor"])
    assert message == "用户「instructor」无权查看该问题，不能承办该待办"
    message = refused(task_reassign, user=officer, task=task, assignee=users["secretary"])
    assert message == "待办已由「secretary」承办"
    users["wenyilu2"].is_active = False
    users["wenyilu2"].save()
    message = refused(task_reassign, user=officer, task=task, assignee=users["wenyilu2"])
    assert message == "用户「钱二」已停用或没有角色，不能承办待办"

    task_reassign(
        user=users["furong"], task=task, assignee=users["registry"], text="请登记机关督促"
    )
    task.refresh_from_db()
    assert task.assignee == users["registry"]
    assert events(task)[-1] == (
        "furong", "reassign", P, P, "由「secretary」改派给「registry」：请登记机关督促",
    )  # fmt: skip
    # The new assignee may work it; the old one, a secretary of the Party organization, may
    # still ask for an exemption or a later date, but no longer work it.
    task_start(user=users["registry"], task=task)
    assert refused(task_note, user=users["secretary"], task=task, text="x") == (
        f"只有承办人或{OFFICERS}可以添加备注"
    )
    explanation_file(user=users["secretary"], task=task, kind="exemption", reason="已撤销")


def test_a_unit_task_belongs_to_every_user_of_the_unit(world, areas):
    education = Unit.objects.get(name="长沙市教育局")
    colleague = factories.user("supervisor2", role=Role.SUPERVISOR, unit=education)
    record = finding(
        "unit", education.pk, area=areas["city"], rule="MGT-INDUSTRY", name="长沙市教育局"
    )
    tasks_follow(opened=[record], resolved=[], on=DAY)
    task = task_of(record)
    assert (task.assignee, task.assigned_unit) == (None, education)
    assert task.events.get().text == "问题出现，生成待办；承办单位：长沙市教育局"
    task_start(user=colleague, task=task)
    task_note(user=world.users["supervisor"], task=task, text="正在筹建行业党委")
    assert {t.pk for t in tasks_for(colleague, TaskFilters(mine=True))} == {task.pk}
    # Only the city sees a unit of the city: the district and townships do not.
    for name in ("furong", "wenyilu", "registry"):
        with pytest.raises(NotFound):
            task_get(world.users[name], task.pk)
    task_reassign(user=world.users["city"], task=task, assignee=colleague)
    task.refresh_from_db()
    assert (task.assignee, task.assigned_unit) == (colleague, None)
    assert refused(task_note, user=world.users["supervisor"], task=task, text="x") == (
        f"只有承办人或{OFFICERS}可以添加备注"
    )


# --- 情况说明 --------------------------------------------------------------------------------------


def test_an_approved_extension_sets_the_due_date(setup):
    task, users = setup
    asked = dt.date(2026, 9, 30)
    explanation = explanation_file(
        user=users["secretary"],
        task=task,
        kind="extension",
        reason="专职人员下月到岗",
        requested_due=asked,
    )
    assert explanation.state == ExplanationState.PENDING
    message = refused(
        explanation_file, user=users["secretary"], task=task, kind="exemption", reason="再申请"
    )
    assert message.startswith("该待办已有一份待审批的情况说明（申请延期，提交于 ")
    assert (
        refused(
            explanation_decide,
            user=users["wenyilu"],
            explanation=explanation,
            approve=True,
            opinion="",
        )
        == "审批意见不能为空"
    )
    assert (
        refused(
            explanation_decide,
            user=users["secretary"],
            explanation=explanation,
            approve=True,
            opinion="同意",
        )
        == f"只有{OFFICERS}可以审批情况说明"
    )
    explanation_decide(
        user=users["furong"], explanation=explanation, approve=True, opinion="同意延期"
    )
    task.refresh_from_db()
    explanation.refresh_from_db()
    assert (task.due, task.state) == (asked, TaskState.PENDING)
    assert (explanation.state, explanation.decided_by, explanation.opinion) == (
        ExplanationState.APPROVED, users["furong"], "同意延期",
    )  # fmt: skip
    assert events(task)[-2:] == [
        ("secretary", "explain", P, P, "提交情况说明（申请延期至 2026-09-30）：专职人员下月到岗"),
        (
            "furong",
            "approve",
            P,
            P,
            "批准（申请延期至 2026-09-30），整改期限改为 2026-09-30，原期限 2026-06-30：同意延期",
        ),
    ]
    assert (
        refused(
            explanation_decide,
            user=users["furong"],
            explanation=explanation,
            approve=False,
            opinion="x",
        )
        == "该情况说明已审批（已批准），不能再次审批"
    )


def test_an_approved_exemption_closes_the_task_for_good(setup):
    task, users = setup
    explanation = explanation_file(
        user=users["secretary"], task=task, kind="exemption", reason="该组织已注销"
    )
    assert (
        refused(task_close, user=users["wenyilu"], task=task)
        == "待办当前状态为「待处理」，不能销号"
    )
    explanation_decide(
        user=users["wenyilu"], explanation=explanation, approve=True, opinion="情况属实"
    )
    task.refresh_from_db()
    assert task.state == TaskState.CLOSED
    assert events(task)[-1] == (
        "wenyilu", "approve", P, X, "批准（申请豁免），待办销号：情况属实",
    )  # fmt: skip


def test_a_refused_request_changes_nothing_but_is_recorded(setup):
    task, users = setup
    explanation = explanation_file(
        user=users["secretary"],
        task=task,
        kind="extension",
        reason="人手不足",
        requested_due=dt.date(2026, 12, 31),
    )
    explanation_decide(
        user=users["wenyilu"], explanation=explanation, approve=False, opinion="期限内可完成"
    )
    task.refresh_from_db()
    assert (task.state, task.due) == (TaskState.PENDING, DUE)
    assert events(task)[-1] == (
        "wenyilu", "refuse", P, P, "不予批准（申请延期至 2026-12-31）：期限内可完成",
    )  # fmt: skip
    # Refused: another may be filed.
    explanation_file(user=users["secretary"], task=task, kind="exemption", reason="另有情况")


def test_a_request_must_be_complete(setup):
    task, users = setup
    secretary = users["secretary"]
    assert (
        refused(explanation_file, user=secretary, task=task, kind="extension", reason="x")
        == "申请延期须填写延期至哪一天"
    )
    assert (
        refused(
            explanation_file,
            user=secretary,
            task=task,
            kind="extension",
            reason="x",
            requested_due=DUE,
        )
        == "申请延期至「2026-06-30」须晚于当前整改期限「2026-06-30」"
    )
    assert (
        refused(
            explanation_file,
            user=secretary,
            task=task,
            kind="exemption",
            reason="x",
            requested_due=LATER,
        )
        == "申请豁免无需填写延期日期"
    )
    assert (
        refused(explanation_file, user=secretary, task=task, kind="exemption", reason=" ")
        == "情况说明不能为空"
    )
    assert (
        refused(explanation_file, user=secretary, task=task, kind="waiver", reason="x")
        == "申请类别「waiver」不存在，可选：申请豁免、申请延期"
    )
    assert not Explanation.objects.exists()


def test_a_close_waits_for_the_pending_request(setup):
    task, users = setup
    task_mark_fixed(user=users["secretary"], task=task)
    explanation_file(user=users["secretary"], task=task, kind="exemption", reason="已合并")
    assert (
        refused(task_close, user=users["wenyilu"], task=task)
        == "该待办有待审批的情况说明，请先审批再销号"
    )


def test_an_outsider_cannot_find_a_request(setup):
    task, users = setup
    explanation = explanation_file(user=users["secretary"], task=task, kind="exemption", reason="x")
    for who in ("outsider", "supervisor"):
        with pytest.raises(NotFound, match="情况说明不存在"):
            explanation_decide(
                user=users[who], explanation=explanation, approve=True, opinion="同意"
            )
    with pytest.raises(NotFound, match="情况说明不存在"):
        explanation_decide(
            user=users["wenyilu"], explanation=explanation.pk + 99, approve=True, opinion="同意"
        )


def test_the_database_keeps_one_pending_request_and_one_live_task(setup):
    task, users = setup
    Explanation.objects.create(task=task, kind="exemption", reason="a", filed_by=users["secretary"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Explanation.objects.create(
            task=task, kind="exemption", reason="b", filed_by=users["secretary"]
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(
            rule=task.rule, subject_type=task.subject_type, subject_pk=task.subject_pk,
            occurrence=task.occurrence, state=TaskState.FIXED,
        )  # fmt: skip
    Task.objects.create(
        rule=task.rule, subject_type=task.subject_type, subject_pk=task.subject_pk,
        occurrence=task.occurrence, state=TaskState.CLOSED,
    )  # fmt: skip


# --- Following the findings -------------------------------------------------------------------


def test_a_task_closes_itself_and_reopens_with_its_finding(setup, areas):
    task, users = setup
    task_start(user=users["secretary"], task=task)
    first = task.finding
    tasks_follow(
        opened=[], resolved=[resolve(first)], on=LATER, cause="党组织「D-FR-1」配备了专职党务工作者"
    )
    task.refresh_from_db()
    assert task.state == TaskState.FIXED
    assert events(task)[-1] == (
        "系统", "auto_fix", W, F, "规则不再触发，自动关闭：党组织「D-FR-1」配备了专职党务工作者",
    )  # fmt: skip
    assert task.events.last().as_of == LATER

    again = finding(
        "party_org",
        first.subject_pk,
        area=areas["wenyilu"],
        due=dt.date(2026, 8, 1),
        first_seen=LATER,
    )
    tasks_follow(opened=[again], resolved=[], on=LATER)
    task.refresh_from_db()
    assert (task.state, task.finding, task.due) == (TaskState.PENDING, again, dt.date(2026, 8, 1))
    assert events(task)[-1] == ("系统", "reopen", F, P, "问题再次出现，重新打开")
    assert Task.objects.count() == 1


def test_every_open_state_closes_itself(setup):
    task, users = setup
    task_mark_fixed(user=users["secretary"], task=task)
    tasks_follow(opened=[], resolved=[resolve(task.finding)], on=LATER)
    task.refresh_from_db()
    assert task.state == TaskState.FIXED
    assert events(task)[-1] == ("系统", "auto_fix", C, F, "规则不再触发，自动关闭")
    # An officer may still 销号 what closed by itself.
    task_close(user=users["wenyilu"], task=task)


def test_a_closed_task_stays_closed_and_the_finding_coming_back_is_a_new_task(setup, areas):
    task, users = setup
    task_mark_fixed(user=users["secretary"], task=task)
    task_close(user=users["wenyilu"], task=task)
    tasks_follow(opened=[], resolved=[resolve(task.finding)], on=LATER)
    task.refresh_from_db()
    assert task.state == TaskState.CLOSED

    again = finding("party_org", task.subject_pk, area=areas["wenyilu"], first_seen=LATER)
    tasks_follow(opened=[again], resolved=[], on=LATER)
    task.refresh_from_db()
    assert task.state == TaskState.CLOSED
    new = task_of(again)
    assert new.pk != task.pk
    assert (new.state, new.assignee) == (TaskState.PENDING, users["secretary"])


def test_a_resolved_finding_leaves_a_task_that_follows_another_alone(setup, areas):
    """An earlier open period of the same finding, reported resolved late: the task
    follows the current one."""
    task, _users = setup
    earlier = finding("party_org", task.subject_pk, area=areas["wenyilu"], resolved_on=DAY)
    tasks_follow(opened=[], resolved=[earlier], on=LATER)
    task.refresh_from_db()
    assert task.state == TaskState.PENDING


def test_default_assignees(world, areas):
    users = world.users
    chaoyang = factories.user("chaoyang", role=Role.TOWNSHIP, area=areas["chaoyang"])
    factories.user("chaoyang_later", role=Role.TOWNSHIP, area=areas["chaoyang"])
    factories.user("wenyilu_gone", role=Role.TOWNSHIP, area=areas["wenyilu"], is_active=False)
    no_secretary = factories.party_org(areas["chaoyang"], code="D-FR-2")
    education = Unit.objects.get(name="长沙市教育局")
    records = {
        "party_org": finding("party_org", world.party_orgs["fr"].pk, area=areas["wenyilu"]),
        "party_org_fallback": finding("party_org", no_secretary.pk, area=areas["chaoyang"]),
        "social_org": finding(
            "social_org", world.orgs["fr_school"].pk, area=areas["chaoyang"], rule="COV-JOINT"
        ),
        "person": finding(
            "person", world.people["fr_member"].pk, area=areas["wenyilu"], rule="DYN-TRANSFER"
        ),
        "area": finding("area", areas["community"].pk, area=areas["community"], rule="AREA-X"),
        "unit": finding("unit", education.pk, area=areas["city"], rule="MGT-INDUSTRY"),
        "nobody": finding(
            "social_org", world.orgs["tx_fund"].pk, area=areas["pozi"], rule="COV-JOINT"
        ),
    }
    tasks_follow(opened=list(records.values()), resolved=[], on=DAY)
    found = {key: (task_of(r).assignee, task_of(r).assigned_unit) for key, r in records.items()}
    assert found == {
        "party_org": (users["secretary"], None),
        "party_org_fallback": (chaoyang, None),
        "social_org": (chaoyang, None),
        "person": (users["wenyilu"], None),
        "area": (users["wenyilu"], None),  # a community's task goes to its township
        "unit": (None, education),
        "nobody": (None, None),  # 坡子街街道 has no officer account
    }
    assert task_of(records["nobody"]).events.get().text == (
        "问题出现，生成待办；未找到默认承办人，待管理员指派"
    )
    # Each default assignee sees their task.
    for key in ("party_org", "party_org_fallback", "social_org", "person", "area"):
        task = task_of(records[key])
        assert task_get(task.assignee, task.pk) == task


def _units(n: int, areas, start: int) -> list[Unit]:
    return Unit.objects.bulk_create(
        Unit(name=f"测试单位{start + i}", kind=UnitKind.SUPERVISORY, area=areas["city"])
        for i in range(n)
    )


def _records(
    n: int, areas, kinds: tuple[str, ...], start: int, units: list[Unit]
) -> list[FindingRecord]:
    rows = []
    for i in range(n):
        for kind in kinds:
            pk = units[i].pk if kind == "unit" else start + i
            area = areas["city"] if kind == "unit" else areas["wenyilu" if i % 2 else "chaoyang"]
            rows.append(
                FindingRecord(
                    rule="CAD-FULLTIME",
                    subject_type=kind,
                    subject_key=f"K{pk}",
                    subject_name=f"对象{pk}",
                    subject_pk=pk,
                    occurrence="",
                    area=area.code,
                    area_path=area.path,
                    severity="medium",
                    message="测试问题",
                    due=DUE,
                    first_seen=DAY,
                    last_seen=DAY,
                    policy_version="test",
                )
            )
    return FindingRecord.objects.bulk_create(rows)


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


@pytest.mark.parametrize(
    "kinds",
    [("social_org",), ("party_org",), ("party_org", "social_org", "person", "area", "unit")],
)
def test_following_takes_as_many_queries_for_fifty_findings_as_for_one(world, areas, kinds):
    """Opening, closing by itself and reopening: a constant number of queries."""
    for name in ("wenyilu_b", "chaoyang_a"):
        factories.user(name, role=Role.TOWNSHIP, area=areas[name.split("_")[0]])
    counts = {}
    for n, start in ((1, 10_000), (50, 20_000)):
        units = _units(n, areas, start) if "unit" in kinds else []
        records = _records(n, areas, kinds, start, units)
        opening = _queries(lambda r=records: tasks_follow(opened=r, resolved=[], on=DAY))
        for record in records:
            record.resolved_on = LATER
        FindingRecord.objects.filter(pk__in=[r.pk for r in records]).update(resolved_on=LATER)
        closing = _queries(lambda r=records: tasks_follow(opened=[], resolved=r, on=LATER))
        again = _records(n, areas, kinds, start, units)
        reopening = _queries(lambda r=again: tasks_follow(opened=r, resolved=[], on=LATER))
        counts[n] = (opening, closing, reopening)
        reopened = Task.objects.filter(finding__in=again, state=TaskState.PENDING)
        assert reopened.count() == n * len(kinds)
        assert TaskEvent.objects.filter(action="reopen", task__in=reopened).count() == n * len(
            kinds
        )
    assert counts[1] == counts[50], counts


def test_the_same_finding_twice_in_one_call_is_one_task(world, areas):
    other = finding("social_org", 77, area=areas["wenyilu"])
    tasks_follow(opened=[other, other], resolved=[], on=DAY)
    assert Task.objects.filter(finding=other).count() == 1


def test_syncing_makes_the_tasks_of_recorded_findings(world):
    """A database whose findings were recorded before tasks existed: every open finding
    gets its task, once."""
    from dangjian.compliance.engine import evaluate, record

    record(evaluate(as_of=DAY))
    open_findings = FindingRecord.objects.filter(resolved_on__isnull=True)
    assert open_findings.count() > 0
    # Recording makes their tasks now; as in a database recorded before tasks existed:
    assert Task.objects.count() == open_findings.count()
    TaskEvent.objects.all().delete()
    Task.objects.all().delete()
    done = tasks_sync_all(on=DAY)
    assert done.created == open_findings.count()
    assert set(Task.objects.values_list("finding_id", flat=True)) == set(
        open_findings.values_list("pk", flat=True)
    )
    again = tasks_sync_all(on=DAY)
    assert (again.created, again.reopened, again.fixed) == (0, 0, 0)
    # A finding resolved meanwhile (and not followed): the sync closes its task.
    first = open_findings.order_by("pk")[0]
    resolve(first)
    done = tasks_sync_all(on=LATER)
    assert (done.created, done.fixed) == (0, 1)
    assert task_of(first).state == TaskState.FIXED


# --- The list's filters ---------------------------------------------------------------------------


def test_the_list_filters_by_state_assignee_overdue_area_and_rule(setup, areas):
    task, users = setup
    other = finding(
        "social_org", 501, area=areas["chaoyang"], rule="COV-JOINT", due=dt.date(2026, 2, 1)
    )
    tasks_follow(opened=[other], resolved=[], on=DAY)
    late = task_of(other)
    city = users["city"]

    def pks(**filters: Any) -> list[int]:
        return [t.pk for t in tasks_for(city, TaskFilters(**filters))]

    undated = finding("social_org", 502, area=areas["chaoyang"], rule="COV-JOINT", due=None)
    tasks_follow(opened=[undated], resolved=[], on=DAY)
    assert pks() == [late.pk, task.pk, task_of(undated).pk]  # the earliest due first
    assert pks(overdue_on=dt.date(2099, 1, 1)) == [late.pk, task.pk]  # no due date: never late
    Task.objects.filter(finding=undated).delete()
    assert pks(state=[P]) == [late.pk, task.pk]
    task_start(user=users["secretary"], task=task)
    assert pks(state=[W]) == [task.pk]
    assert pks(assignee=users["secretary"].pk) == [task.pk]
    assert pks(overdue_on=DAY) == [late.pk]
    assert pks(overdue_on=dt.date(2026, 7, 1)) == [late.pk, task.pk]
    task_mark_fixed(user=users["secretary"], task=task)
    assert pks(overdue_on=dt.date(2026, 7, 1)) == [late.pk]  # reported fixed: not overdue
    assert pks(area="430102001") == [task.pk]
    assert pks(area="430102") == [late.pk, task.pk]
    assert pks(area="430103") == []
    assert pks(area="999999") == []
    assert pks(rule=["COV-JOINT"]) == [late.pk]
    assert [t.pk for t in tasks_for(users["secretary"], TaskFilters(mine=True))] == [task.pk]
    # The list reads the finding, the assignee and the unit in the same query.
    with CaptureQueriesContext(connection) as captured:
        rows = list(tasks_for(city))
        [(t.finding.subject_name, t.assignee, t.assigned_unit) for t in rows]
    assert len(captured) == 1
