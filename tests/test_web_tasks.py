"""The task pages (待办): the page of a task, every step through its form as the role
allowed to take it and refused to the others (403 with the reason, 404 outside the
jurisdiction exactly as for a missing task), evidence uploaded and downloaded, a stale form
refused naming what changed — and the findings list's state, assignee, filters, export and
query counts."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.accounts.models import Role
from dangjian.compliance.engine import evaluate, record
from dangjian.compliance.models import FindingRecord
from dangjian.compliance.rules.base import RULES
from dangjian.tasks.models import Attachment, Explanation, Task, TaskEvent, TaskState
from dangjian.tasks.services import tasks_follow
from tests import factories
from tests.actors import build_world
from tests.test_tasks_files import pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
OFFICERS = "管辖该对象的市、区、乡镇(街道)管理员"


@pytest.fixture
def world(areas, settings, tmp_path):
    """The actors (named, so that messages name them), today's findings recorded — the
    tasks follow them — and a small organization of 文艺路街道 with one formal member (a
    finding about a social organization, assigned to the township officer)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    w = build_world(areas)
    for party_org in w.party_orgs.values():  # no finding of LIFE-MEETINGS, LIFE-REVIEW
        factories.life_kept(party_org, TODAY)
    factories.venue_kept(*w.party_orgs.values())  # nor VEN-SIX
    factories.studies_kept(areas["furong"], areas["tianxin"], until=TODAY)  # nor MGT-STUDY
    for key, last, first in (
        ("secretary", "张", "书记"),
        ("wenyilu", "李", "专干"),
        ("furong", "王", "区管"),
    ):
        user = w.users[key]
        user.last_name, user.first_name = last, first
        user.save()
    w.users["wenyilu2"] = factories.user(
        "wenyilu2", role=Role.TOWNSHIP, area=areas["wenyilu"], last_name="钱", first_name="二"
    )
    w.users["chaoyang"] = factories.user("chaoyang", role=Role.TOWNSHIP, area=areas["chaoyang"])
    small = factories.org(areas["wenyilu"], name="文艺路甲协会", industry="trade")
    factories.member(small)
    w.orgs["small"] = small
    record(evaluate(as_of=TODAY))
    return w


def party_task(world: Any) -> Task:
    """ORG-TERM of D-FR-1: assigned to its secretary."""
    return Task.objects.get(rule="ORG-TERM", subject_pk=world.party_orgs["fr"].pk)


def org_task(world: Any) -> Task:
    """COV-JOINT of 文艺路甲协会: assigned to 文艺路街道's officer."""
    return Task.objects.get(subject_type="social_org", subject_pk=world.orgs["small"].pk)


def client_for(world: Any, name: str) -> Client:
    client = Client()
    client.force_login(world.users[name])
    return client


def url(step: str, task: Task) -> str:
    return reverse(f"web:task_{step}", kwargs={"pk": task.pk})


def page(task: Task) -> str:
    return reverse("web:task", kwargs={"pk": task.pk})


def version(task: Task) -> str:
    return Task.objects.get(pk=task.pk).updated_at.isoformat()


def post(client: Client, step: str, task: Task, **data: Any) -> Any:
    return client.post(url(step, task), {"version": version(task), **data})


def state(task: Task) -> str:
    return Task.objects.get(pk=task.pk).state


def done(response: Any, task: Task, message: str) -> str:
    """The step went through: back to the task page (POST-redirect-GET), saying so."""
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == page(task)
    return message


def followed(client: Client, response: Any) -> str:
    return client.get(response["Location"]).content.decode()


def field_error(body: str, field: str) -> str:
    """The message shown next to a field of a step's form (its id ends in _error)."""
    found = re.search(rf'id="id_{field}_error">([^<]*)<', body)
    assert found, f"no error next to {field}"
    return found.group(1)


def without_token(response: Any) -> str:
    """The body, without the log-out form's CSRF token (masked anew on every page)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def events(task: Task) -> list[tuple[str, str, str, str]]:
    return [
        (e.by, e.action, e.to_state, e.text)
        for e in TaskEvent.objects.filter(task=task).select_related("user").order_by("at", "pk")
    ]


# --- the page ------------------------------------------------------------------------------


def test_the_task_page_shows_what_was_found_its_state_and_its_history(world):
    task = party_task(world)
    response = client_for(world, "secretary").get(page(task))
    assert response.status_code == 200
    body = response.content.decode()
    finding = task.finding
    assert finding is not None and finding.due is not None
    rule = RULES["ORG-TERM"]
    for text in (
        rule.title,
        f"长办发〔2015〕2号 {rule.clause}",
        rule.quote,
        rule.action,
        finding.message,
        'href="/party-orgs/D-FR-1/"',  # the subject, which the secretary may open
        "芙蓉区 · 文艺路街道",
        "待处理",
        "张书记",  # the assignee
        f"{finding.due:%Y-%m-%d}（已逾期 {(TODAY - finding.due).days} 天）",
        "生成待办",
        "问题出现，生成待办；承办人：张书记",
    ):
        assert text in body, text
    # The forms of the steps the secretary may take now, and no other.
    offered = set(re.findall(r'id="step-(\w+)"', body))
    assert offered == {"start", "mark_fixed", "note", "attach", "explain"}
    assert 'enctype="multipart/form-data"' in body
    assert f'name="version" value="{task.updated_at.isoformat()}"' in body
    # An officer over it gets the officer's steps.
    body = client_for(world, "wenyilu").get(page(task)).content.decode()
    offered = set(re.findall(r'id="step-(\w+)"', body))
    assert offered == {"start", "mark_fixed", "note", "attach", "reassign"}


def test_a_user_who_only_sees_a_task_is_told_why_they_cannot_act(world):
    task = party_task(world)
    body = client_for(world, "registry").get(page(task)).content.decode()
    assert "不是其承办人，也不是管辖该对象的管理员，不能办理" in body
    assert 'id="step-' not in body


def test_a_task_outside_the_jurisdiction_is_a_404_like_a_missing_one(world):
    task = party_task(world)
    outsider = client_for(world, "outsider")
    missing = outsider.get("/tasks/999999/")
    response = outsider.get(page(task))
    assert response.status_code == missing.status_code == 404
    assert without_token(response) == without_token(missing)
    assert task.finding.message not in response.content.decode()
    for step in ("start", "note", "attach", "mark_fixed", "close", "return", "reassign"):
        for method in (outsider.post, outsider.get):
            answer = method(url(step, task), {"version": version(task), "text": "x"})
            assert answer.status_code == 404, (step, method)
        gone = outsider.post(reverse(f"web:task_{step}", kwargs={"pk": 999999}), {})
        assert gone.status_code == 404
    assert state(task) == TaskState.PENDING
    assert TaskEvent.objects.filter(task=task).count() == 1
    # A step's URL is for its form: one who sees the task is told to post.
    assert client_for(world, "secretary").get(url("start", task)).status_code == 405


# --- the steps, through their forms ----------------------------------------------------------


def test_the_secretary_and_the_officer_take_every_step_of_a_task(world):
    task = party_task(world)
    secretary = client_for(world, "secretary")
    officer = client_for(world, "wenyilu")

    response = post(secretary, "start", task, text="已召开支委会研究换届")
    done(response, task, "")
    assert "已开始整改" in followed(secretary, response)
    assert state(task) == TaskState.WORKING

    response = post(secretary, "note", task, text="已向街道党工委报送换届请示")
    assert "已添加备注" in followed(secretary, response)

    response = secretary.post(
        url("attach", task),
        {"file": SimpleUploadedFile("换届选举结果.pdf", pdf_bytes("result"))},
    )
    assert "已上传附件「换届选举结果.pdf」" in followed(secretary, response)

    response = post(secretary, "mark_fixed", task, text="已完成换届选举")
    assert "已报告已整改，等待管理员核实销号" in followed(secretary, response)
    assert state(task) == TaskState.FIXED_PENDING_CHECK

    response = post(officer, "return", task, opinion="请补充选举结果批复")
    assert "已退回整改" in followed(officer, response)
    assert state(task) == TaskState.WORKING
    done(post(secretary, "mark_fixed", task, text="已补充批复"), task, "")

    response = post(officer, "close", task, text="材料齐全，同意销号")
    body = followed(officer, response)
    assert "已销号" in body
    assert state(task) == TaskState.CLOSED
    assert "该待办已销号，不能再办理" in body
    assert events(task)[1:] == [
        ("张书记", "start", "working", "已召开支委会研究换届"),
        ("张书记", "note", "working", "已向街道党工委报送换届请示"),
        (
            "张书记",
            "attach",
            "working",
            f"上传附件「换届选举结果.pdf」（PDF，{len(pdf_bytes('result'))} 字节）",
        ),
        ("张书记", "mark_fixed", "fixed_pending_check", "已完成换届选举"),
        ("李专干", "return", "working", "请补充选举结果批复"),
        ("张书记", "mark_fixed", "fixed_pending_check", "已补充批复"),
        ("李专干", "close", "closed", "材料齐全，同意销号"),
    ]
    # Each step is in the history on the page: who, what, the text.
    for who, _action, _state, text in events(task):
        assert who in body and text.split("（")[0] in body


def test_what_was_typed_stays_and_the_message_is_next_to_its_field(world):
    task = party_task(world)
    secretary = client_for(world, "secretary")
    response = post(secretary, "note", task, text="   ")
    assert response.status_code == 200
    body = response.content.decode()
    assert field_error(body, "note_text") == "备注内容不能为空"
    assert 'aria-invalid="true"' in body and "未能添加备注" in body
    long = "整改" * 1001
    body = post(secretary, "note", task, text=long).content.decode()
    assert field_error(body, "note_text") == "备注内容不能超过2000字，现为2002字"
    assert long in body  # kept
    assert TaskEvent.objects.filter(task=task, action="note").count() == 0

    done(post(secretary, "mark_fixed", task), task, "")
    officer = client_for(world, "wenyilu")
    body = post(officer, "return", task, opinion="").content.decode()
    assert field_error(body, "return_opinion") == "退回意见不能为空"
    # A 情况说明 asking for a later date without one, and one not later than the due date.
    body = post(
        secretary, "explain", task, kind="extension", reason="换届需上级批复"
    ).content.decode()
    assert field_error(body, "explain_requested_due") == "申请延期须填写延期至哪一天"
    assert "换届需上级批复" in body
    body = post(secretary, "explain", task, kind="", reason="x").content.decode()
    assert field_error(body, "explain_kind") == "请选择申请类别"
    body = post(
        secretary, "explain", task, kind="extension", requested_due="2020-01-01", reason="x"
    ).content.decode()
    message = field_error(body, "explain_requested_due")
    assert message == f"申请延期至「2020-01-01」须晚于当前整改期限「{task.due}」"
    assert not Explanation.objects.exists()


def test_a_step_is_refused_to_those_who_may_not_take_it(world):
    task = party_task(world)
    # One who sees the task but is neither its assignee nor an officer over it.
    response = post(client_for(world, "registry"), "start", task)
    assert response.status_code == 403
    assert f"只有承办人或{OFFICERS}可以开始整改" in response.content.decode()
    # The secretary does not close or return; the officer files no 情况说明.
    secretary = client_for(world, "secretary")
    for step, verb in (("close", "销号"), ("return", "退回整改"), ("reassign", "改派")):
        response = post(secretary, step, task, opinion="x", assignee="1")
        assert response.status_code == 403, step
        assert f"只有{OFFICERS}可以{verb}" in response.content.decode()
    response = post(client_for(world, "wenyilu"), "explain", task, kind="exemption", reason="x")
    assert response.status_code == 403
    assert "只有承办该待办或该问题所属党组织的党组织书记可以提交情况说明" in (
        response.content.decode()
    )
    # An officer, but not from this state: the reason, next to the form.
    response = post(client_for(world, "wenyilu"), "close", task)
    assert response.status_code == 200
    assert "待办当前状态为「待处理」，不能销号" in response.content.decode()
    assert state(task) == TaskState.PENDING
    assert TaskEvent.objects.filter(task=task).count() == 1


# --- evidence --------------------------------------------------------------------------------


def test_evidence_is_uploaded_and_downloaded_only_through_the_gate(world, settings):
    task = party_task(world)
    content = pdf_bytes("evidence")
    response = client_for(world, "secretary").post(
        url("attach", task), {"file": SimpleUploadedFile("整改报告 (终稿).pdf", content)}
    )
    done(response, task, "")
    attachment = Attachment.objects.get(task=task)
    assert attachment.kind == "pdf" and attachment.size == len(content)
    # Stored under a name nobody chose; no URL of MEDIA_ROOT serves it.
    stored_name = str(attachment.file.name)
    assert (Path(settings.MEDIA_ROOT) / stored_name).read_bytes() == content
    assert "整改报告" not in stored_name
    assert client_for(world, "furong").get(f"/media/{stored_name}").status_code == 404

    body = client_for(world, "furong").get(page(task)).content.decode()
    link = reverse("web:task_attachment", kwargs={"pk": attachment.pk})
    assert f'href="{link}"' in body and "整改报告 (终稿).pdf" in body and "张书记" in body
    response = client_for(world, "furong").get(link)
    assert response.status_code == 200
    assert response.getvalue() == content
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"attachment.pdf\"; filename*=UTF-8''"
        "%E6%95%B4%E6%94%B9%E6%8A%A5%E5%91%8A%20%28%E7%BB%88%E7%A8%BF%29.pdf"
    )
    # Outside the jurisdiction: as for an attachment that does not exist.
    outsider = client_for(world, "outsider")
    missing = outsider.get(reverse("web:task_attachment", kwargs={"pk": 999999}))
    response = outsider.get(link)
    assert response.status_code == missing.status_code == 404
    assert without_token(response) == without_token(missing)


def test_a_file_is_kept_as_what_it_is_whatever_its_name(world):
    task = party_task(world)
    client = client_for(world, "secretary")
    done(
        client.post(url("attach", task), {"file": SimpleUploadedFile("照片.pdf", png_bytes())}),
        task,
        "",
    )
    attachment = Attachment.objects.get(task=task)
    assert attachment.kind == "png"
    response = client.get(reverse("web:task_attachment", kwargs={"pk": attachment.pk}))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].endswith("%E7%85%A7%E7%89%87.pdf.png")


def test_a_program_renamed_pdf_is_refused_with_its_message(world, settings):
    task = party_task(world)
    program = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
    response = client_for(world, "secretary").post(
        url("attach", task), {"file": SimpleUploadedFile("整改报告.pdf", program)}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert field_error(body, "attach_file") == (
        "文件「整改报告.pdf」的内容不是允许的类型（PDF、JPG、PNG、DOCX、XLSX），"
        "而是Windows 可执行程序（EXE/DLL）"
    )
    assert "未能上传附件" in body
    assert not Attachment.objects.exists()
    assert not TaskEvent.objects.filter(action="attach").exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
    body = client_for(world, "secretary").post(url("attach", task), {}).content.decode()
    assert field_error(body, "attach_file") == "请选择要上传的文件"


# --- a stale form ------------------------------------------------------------------------------


def test_a_step_from_an_older_page_is_refused_naming_what_changed(world):
    task = party_task(world)
    secretary = client_for(world, "secretary")
    seen = version(task)  # the secretary's page is drawn
    done(post(client_for(world, "wenyilu"), "start", task), task, "")  # the officer acts
    response = secretary.post(url("mark_fixed", task), {"version": seen, "text": "已换届"})
    assert response.status_code == 200
    body = response.content.decode()
    changed = Task.history.filter(id=task.pk).latest("history_date").history_date
    when = timezone.localtime(changed)
    assert f"该待办已由李专干于{when:%Y-%m-%d %H:%M}改为「整改中」，请刷新后再操作" in body
    assert "已换届" in body  # what was typed
    assert state(task) == TaskState.WORKING
    assert not TaskEvent.objects.filter(task=task, action="mark_fixed").exists()
    # The page now shows the task as it is: sent again from it, the step goes through.
    again = re.search(r'id="step-mark_fixed".*?name="version" value="([^"]+)"', body, re.S)
    assert again and again.group(1) == version(task)
    response = secretary.post(url("mark_fixed", task), {"version": again.group(1), "text": "x"})
    done(response, task, "")
    assert state(task) == TaskState.FIXED_PENDING_CHECK

    # Reassigned meanwhile: named too.
    officer = client_for(world, "furong")
    seen = version(task)
    done(post(client_for(world, "wenyilu"), "reassign", task, assignee=world.users["wenyilu2"].pk), task, "")  # fmt: skip
    body = officer.post(url("close", task), {"version": seen}).content.decode()
    assert "该待办已由李专干于" in body and "改派给「钱二」，请刷新后再操作" in body
    assert state(task) == TaskState.FIXED_PENDING_CHECK
    # A form without the version it was drawn from is refused alike.
    body = officer.post(url("close", task), {}).content.decode()
    assert "请刷新后再操作" in body and state(task) == TaskState.FIXED_PENDING_CHECK


# --- reassigning, 情况说明 ---------------------------------------------------------------------


def test_an_officer_reassigns_to_users_inside_the_jurisdiction_only(world):
    task = party_task(world)
    officer = client_for(world, "furong")
    body = officer.get(page(task)).content.decode()
    select = re.search(r'<select name="assignee".*?</select>', body, re.S)
    assert select
    offered = set(re.findall(r'<option value="(\d+)"', select.group(0)))
    users = world.users
    # 芙蓉区's officers over 文艺路街道, and 芙蓉区民政局 (which sees D-FR-1: it covers an
    # organization the registry registered); not the secretary, who has the task now.
    expected = {users[name].pk for name in ("furong", "wenyilu", "wenyilu2", "registry")}
    assert offered == {str(pk) for pk in expected}
    # Not 天心区's officer, nor 朝阳街街道's (the finding is 文艺路街道's), nor the city's.
    response = post(officer, "reassign", task, assignee=users["outsider"].pk)
    assert field_error(response.content.decode(), "reassign_assignee") == "请从列表中选择新的承办人"
    response = post(officer, "reassign", task, assignee=users["wenyilu2"].pk, text="跟" * 2001)
    body = response.content.decode()
    assert field_error(body, "reassign_text") == "改派说明不能超过2000字，现为2001字"
    assert f'<option value="{users["wenyilu2"].pk}" selected>' in body  # the choice kept
    response = post(officer, "reassign", task, assignee=users["wenyilu2"].pk, text="由街道跟进")
    assert "已改派给「钱二」" in followed(officer, response)
    found = Task.objects.get(pk=task.pk)
    assert found.assignee == users["wenyilu2"]
    assert events(task)[-1] == (
        "王区管",
        "reassign",
        "pending",
        "由「张书记」改派给「钱二」：由街道跟进",
    )
    # The secretary, no longer the assignee, is offered back.
    body = officer.get(page(task)).content.decode()
    assert f'<option value="{users["secretary"].pk}">' in body


def test_an_extension_and_an_exemption_are_filed_and_decided(world):
    task = party_task(world)
    secretary = client_for(world, "secretary")
    officer = client_for(world, "wenyilu")
    later = TODAY + dt.timedelta(days=60)
    response = post(
        secretary, "explain", task, kind="extension", requested_due=later.isoformat(), reason="等待上级党组织批复"
    )  # fmt: skip
    assert "已提交情况说明，等待管理员审批" in followed(secretary, response)
    waiting = Explanation.objects.get(task=task)
    body = officer.get(page(task)).content.decode()
    assert "等待上级党组织批复" in body and "待审批" in body and 'id="step-decide"' in body
    assert f'name="explanation" value="{waiting.pk}"' in body
    # 销号 waits for the decision.
    assert "请先审批，再销号" in body
    response = post(officer, "decide", task, explanation=waiting.pk, decision="approve", opinion="同意")  # fmt: skip
    assert "已批准申请延期" in followed(officer, response)
    found = Task.objects.get(pk=task.pk)
    assert found.due == later
    body = officer.get(page(task)).content.decode()
    assert f"整改期限：{later:%Y-%m-%d}（经批准延期）" in body
    assert "已逾期" not in body.split("</h1>")[1].split("</div>")[0]
    # The list reads the extended date too: no longer overdue.
    rows = client_for(world, "furong").get("/findings/?rule=ORG-TERM").context["rows"]
    ours = next(r for r in rows if r["task"] == task.pk)
    assert ours["due"] == later.isoformat() and not ours["overdue_days"] and ours["extended"]

    response = post(secretary, "explain", task, kind="exemption", reason="该党支部已撤销")
    followed(secretary, response)
    exemption = Explanation.objects.get(task=task, kind="exemption")
    response = post(
        officer, "decide", task, explanation=exemption.pk, decision="refuse", opinion=""
    )
    assert field_error(response.content.decode(), "decide_opinion") == "审批意见不能为空"
    response = post(officer, "decide", task, explanation=exemption.pk, decision="approve", opinion="情况属实")  # fmt: skip
    assert "已批准申请豁免" in followed(officer, response)
    assert state(task) == TaskState.CLOSED
    # Deciding it again: the task is closed for good.
    response = post(
        officer, "decide", task, explanation=exemption.pk, decision="refuse", opinion="x"
    )
    assert "待办当前状态为「已销号」，不能审批情况说明" in response.content.decode()
    assert Explanation.objects.get(pk=exemption.pk).state == "approved"


# --- the findings list --------------------------------------------------------------------------


def rows_of(response: Any) -> dict[int, dict[str, Any]]:
    return {row["task"]: row for row in response.context["rows"] if row["task"]}


def test_the_findings_list_shows_each_tasks_state_and_assignee_and_links_to_it(world):
    task, other = party_task(world), org_task(world)
    response = client_for(world, "furong").get("/findings/?area=430102001")
    body = response.content.decode()
    rows = rows_of(response)
    assert rows[task.pk]["state_label"] == "待处理" and rows[task.pk]["holder"] == "张书记"
    assert rows[other.pk]["holder"] == "李专干"
    assert f'href="/tasks/{task.pk}/">处理' in body and '<th scope="col">操作</th>' in body
    assert 'data-state="pending">待处理</span>' in body
    # One who may only look is offered to look.
    body = client_for(world, "registry").get("/findings/").content.decode()
    assert f'href="/tasks/{task.pk}/">查看' in body


def test_the_findings_list_filters_by_state_assignee_and_overdue(world):
    task, other = party_task(world), org_task(world)
    Task.objects.filter(pk=other.pk).update(state=TaskState.FIXED_PENDING_CHECK)
    furong = client_for(world, "furong")
    by_state = furong.get("/findings/?state=fixed_pending_check")
    assert set(rows_of(by_state)) == {other.pk}
    assert by_state.context["total"] == 1
    assert "已整改待核实" in by_state.context["filter_line"]
    both = furong.get("/findings/?state=pending&state=fixed_pending_check&area=430102001")
    assert {task.pk, other.pk} <= set(rows_of(both))
    # Mine: the secretary's, the township officer's.
    mine = client_for(world, "secretary").get("/findings/?assignee=me")
    assert set(rows_of(mine)) == {task.pk}
    mine = client_for(world, "wenyilu").get("/findings/?assignee=me")
    assert set(rows_of(mine)) == {other.pk}
    assert client_for(world, "furong").get("/findings/?assignee=me").context["total"] == 0
    unassigned = furong.get("/findings/?assignee=none")
    assert (
        unassigned.context["total"]
        == Task.objects.filter(
            assignee__isnull=True,
            assigned_unit__isnull=True,
            finding__area_path__startswith="/430000/430100/430102/",
        ).count()
    )
    # Overdue: until reported fixed (then the wait is the officer's).
    FindingRecord.objects.filter(pk__in=[task.finding_id, other.finding_id]).update(
        due=TODAY - dt.timedelta(days=3)
    )
    overdue = furong.get("/findings/?overdue=1&area=430102001")
    assert task.pk in rows_of(overdue) and other.pk not in rows_of(overdue)
    assert overdue.context["total"] == overdue.context["overdue"]
    # Done: 已销号 and 已整改 are found by their states (a resolved finding's task too).
    Task.objects.filter(pk=task.pk).update(state=TaskState.CLOSED)
    closed = furong.get("/findings/?state=closed")
    assert set(rows_of(closed)) == {task.pk}
    assert "符合条件的待办 1 条" in closed.content.decode()
    FindingRecord.objects.filter(pk=other.finding_id).update(resolved_on=TODAY)
    Task.objects.filter(pk=other.pk).update(state=TaskState.FIXED)
    assert other.pk not in rows_of(furong.get("/findings/"))
    assert set(rows_of(furong.get("/findings/?state=fixed"))) == {other.pk}
    # Nonsense filters nothing.
    assert (
        furong.get("/findings/?state=nope&assignee=everyone").context["total"]
        == furong.get("/findings/").context["total"]
    )


def test_the_export_holds_each_tasks_state_and_assignee(world):
    task = party_task(world)
    response = client_for(world, "furong").get("/findings/export.xlsx?rule=ORG-TERM")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-3:] == ("办理状态", "承办人", "政策设置版本")
    assert rows[1][6] == task.finding.subject_name
    assert rows[1][-3:] == ("待处理", "张书记", task.finding.policy_version)


def test_the_list_costs_the_same_queries_for_five_rows_as_for_fifty(areas):
    """Fifty findings (two pages) with their tasks cost what five do."""
    world = build_world(areas)
    client = client_for(world, "furong")
    township = areas["wenyilu"]

    def add(n: int, start: int) -> None:
        opened = []
        for i in range(start, start + n):
            org = factories.org(township, name=f"测试协会{i:02d}")
            finding = FindingRecord.objects.create(
                rule="COV-JOINT", subject_type="social_org", subject_key=org.uscc,
                subject_name=org.name, subject_pk=org.pk, area=township.code,
                area_path=township.path, severity="medium", message="测试问题",
                due=TODAY, first_seen=TODAY, last_seen=TODAY, policy_version="test",
            )  # fmt: skip
            opened.append(finding)
        tasks_follow(opened=opened, resolved=[], on=TODAY)

    add(5, 0)
    client.get("/findings/")  # the session, once

    def count(query: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/findings/" + query)
            assert response.status_code == 200
        assert all(row["task"] for row in response.context["rows"])
        return len(queries)

    small = [count(q) for q in ("", "?state=pending", "?assignee=none&overdue=1")]
    add(45, 5)
    large = [count(q) for q in ("", "?state=pending", "?assignee=none&overdue=1")]
    assert large == small
    assert max(large) <= 14


def test_the_task_page_costs_the_same_queries_however_long_its_history(world):
    task = party_task(world)
    client = client_for(world, "wenyilu")
    secretary = client_for(world, "secretary")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page(task)).status_code == 200
        return len(queries)

    done(post(secretary, "note", task, text="第1条"), task, "")
    client.get(page(task))  # the session, once
    short = count()
    for i in range(2, 12):
        done(post(secretary, "note", task, text=f"第{i}条"), task, "")
        attach = {"file": SimpleUploadedFile(f"佐证{i}.png", png_bytes())}
        done(secretary.post(url("attach", task), attach), task, "")
    assert count() == short
