"""The task page (待办, `/tasks/<pk>/`): what was found, where and by when, its state and
assignee, every step taken (who, when, what), the evidence and the 情况说明 — and the forms
of the steps this user may take now (`workflow.available`), each posted to its own URL
(`web:task_<step>`), which calls the step's service and comes back to the page
(POST-redirect-GET) with what was done, or shows the service's refusal next to the field it
is about, keeping what was typed. Evidence is downloaded through `/tasks/attachments/<pk>/`
(the gate first: `attachment_get`); no URL serves the stored files themselves.

A task outside the jurisdiction answers 404 exactly as a missing one, whatever the method.
A step posted from a page that showed an older version of the task (someone acted
meanwhile) is refused, naming who changed what and when (`_check_version`).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from pathlib import PurePath
from typing import Any, cast
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    QueryDict,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.jurisdiction import Jurisdiction, NotFound
from dangjian.accounts.models import User
from dangjian.areas.models import Area
from dangjian.compliance.output import SUBJECT_LABEL
from dangjian.compliance.rules.base import RULES, SEVERITY_LABEL
from dangjian.dissolutions.models import DissolutionState
from dangjian.dissolutions.selectors import may_propose
from dangjian.dissolutions.selectors import visible as visible_cases
from dangjian.orgs.models import SocialOrganization
from dangjian.partyorgs.models import PartyOrganization
from dangjian.tasks import selectors, services, workflow
from dangjian.tasks.files import EXTENSIONS, AttachmentKind, human_size
from dangjian.tasks.forms import DECISIONS, FORMS, StepForm
from dangjian.tasks.models import (
    OPEN_STATES,
    OVERDUE_STATES,
    ExplanationKind,
    ExplanationState,
    Task,
    TaskState,
    user_label,
)
from dangjian.tasks.services import TaskError
from dangjian.transfers.models import Transfer, TransferStatus
from dangjian.transfers.selectors import visible as visible_transfers
from dangjian.web import details
from dangjian.web.frame import crumbs

# How a state looks wherever a task is shown (a badge: its words, never its colour alone).
STATE_BADGE = {
    TaskState.PENDING: "bg-warning-subtle text-warning-emphasis border-warning-subtle",
    TaskState.WORKING: "bg-info-subtle text-info-emphasis border-info-subtle",
    TaskState.FIXED_PENDING_CHECK: "bg-primary-subtle text-primary-emphasis border-primary-subtle",
    TaskState.CLOSED: "bg-success-subtle text-success-emphasis border-success-subtle",
    TaskState.FIXED: "bg-secondary-subtle text-secondary-emphasis border-secondary-subtle",
}
STATE_LABEL = dict(TaskState.choices)
# What a download says it is: the kind read from the content when it was uploaded.
CONTENT_TYPES = {
    AttachmentKind.PDF: "application/pdf",
    AttachmentKind.JPEG: "image/jpeg",
    AttachmentKind.PNG: "image/png",
    AttachmentKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    AttachmentKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# The buttons of the steps, in the order the page offers them (the usual next step first).
BUTTONS = {
    "start": ("开始整改", "btn-outline-danger"),
    "mark_fixed": ("报告已整改", "btn-danger"),
    "close": ("核实无误，销号", "btn-danger"),
    "return": ("退回整改", "btn-outline-secondary"),
    "note": ("添加备注", "btn-outline-secondary"),
    "attach": ("上传附件", "btn-outline-secondary"),
    "reassign": ("改派", "btn-outline-secondary"),
    "explain": ("提交情况说明", "btn-outline-secondary"),
    "decide": ("", ""),  # two buttons: 批准, 不予批准
}


# Steps taken now and then: folded away (a <details>) unless the page comes back to them.
FOLDED = {"reassign", "explain"}


def holder(task: Task) -> str:
    """Whose the task is, in words."""
    if task.assignee is not None:
        return user_label(task.assignee)
    if task.assigned_unit is not None:
        return task.assigned_unit.name
    return "未指定"


def effective_due(task: Task, finding_due: dt.date | None, extended: bool) -> dt.date | None:
    """The date the task is late against: its own when an approved 申请延期 set it, else
    its finding's (the findings list reads the same: `compliance.selectors.overdue_q`)."""
    if extended or task.finding_id is None:
        return task.due
    return finding_due


def is_overdue(state: str, due: dt.date | None, today: dt.date) -> bool:
    return due is not None and due < today and state in OVERDUE_STATES


# --- the page ------------------------------------------------------------------------------


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, selectors.task_get(request.user, pk))


def _version(task: Task) -> str:
    return task.updated_at.isoformat()


def _subject(gate: Jurisdiction, task: Task) -> dict[str, Any]:
    finding = task.finding
    key = finding.subject_key if finding is not None else ""
    url = None
    if finding is not None and task.subject_type in ("social_org", "party_org"):
        model = SocialOrganization if task.subject_type == "social_org" else PartyOrganization
        # A link only to a page the user may open (docs/security.md): else a plain label.
        if task.subject_pk in details.visible(gate, model, [task.subject_pk]):
            name = "web:org" if task.subject_type == "social_org" else "web:party_org"
            kwarg = "uscc" if task.subject_type == "social_org" else "code"
            url = reverse(name, kwargs={kwarg: key})
    return {
        "name": finding.subject_name if finding is not None else f"#{task.subject_pk}",
        "key": key if task.subject_type != "unit" else "",
        "label": SUBJECT_LABEL.get(task.subject_type, task.subject_type),
        "url": url,
    }


def _place(code: str) -> str:
    """区县 · 乡镇(街道) of an area code, in one query."""
    found = Area.objects.filter(code=code).values_list("name", "parent__name").first()
    if found is None:
        return code
    name, parent = found
    return f"{parent} · {name}" if parent else name


def _events(task: Task) -> list[dict[str, Any]]:
    return [
        {
            "at": event.at,
            "by": event.by,
            "action": event.get_action_display(),
            "moved": event.from_state != event.to_state and bool(event.to_state),
            "from_label": STATE_LABEL.get(event.from_state, ""),
            "to_label": STATE_LABEL.get(event.to_state, ""),
            "text": event.text,
            "attachment": event.attachment,
        }
        for event in selectors.task_events(task)
    ]


def _attachments(task: Task) -> list[dict[str, Any]]:
    return [
        {
            "pk": a.pk,
            "name": a.original_name,
            "kind": a.get_kind_display(),
            "size": human_size(a.size),
            "by": user_label(a.uploaded_by),
            "at": a.uploaded_at,
            "url": reverse("web:task_attachment", kwargs={"pk": a.pk}),
        }
        for a in selectors.task_attachments(task)
    ]


def _form(name: str, task: Task, user: Any, **kwargs: Any) -> StepForm:
    form_class = FORMS[name]
    if name == "reassign":
        choices = [
            (u.pk, f"{user_label(u)}（{u.jurisdiction_label() or u.username}）")
            for u in selectors.assignees_for(user, task)
        ]
        return form_class(choices=choices, **kwargs)
    return form_class(**kwargs)


def _page(
    request: HttpRequest,
    task: Task,
    *,
    bound: StepForm | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    user: Any = request.user
    gate = Jurisdiction(user)
    today = timezone.localdate()
    finding = task.finding
    rule = RULES.get(task.rule)
    explanations = list(selectors.task_explanations(task))
    for explanation in explanations:
        explanation.filed_by_label = user_label(explanation.filed_by)  # type: ignore[attr-defined]
        explanation.decided_by_label = user_label(explanation.decided_by)  # type: ignore[attr-defined]
    waiting = next((e for e in explanations if e.state == ExplanationState.PENDING), None)
    extended = any(
        e.kind == ExplanationKind.EXTENSION
        and e.state == ExplanationState.APPROVED
        and e.requested_due == task.due
        for e in explanations
    )
    due = effective_due(task, finding.due if finding is not None else None, extended)
    version = _version(task)
    steps = workflow.available(user, task)
    offered: dict[str, StepForm] = {}
    for name in BUTTONS:
        if name not in steps:
            continue
        if name == "decide" and waiting is None:
            continue  # nothing to decide
        if name == "explain" and waiting is not None:
            continue  # one 情况说明 waits for a decision at a time
        initial: dict[str, Any] = {"version": version}
        if name == "decide" and waiting is not None:
            initial["explanation"] = waiting.pk
        offered[name] = _form(name, task, user, initial=initial)
    if bound is not None:
        # What was typed stays; the page now shows the task as it is, so the form carries
        # its present version (sent again, it is judged against what the user now sees).
        data = cast(QueryDict, bound.data).copy()
        data["version"] = version
        bound.data = data
        bound.mark_errors()
        offered[bound.step] = bound
    forms = [
        {
            "name": name,
            "form": form,
            "label": BUTTONS[name][0],
            "button": BUTTONS[name][1],
            "title": workflow.STEPS[name].label,
            "url": reverse(f"web:task_{name}", kwargs={"pk": task.pk}),
            "multipart": name == "attach",
            "failed": form is bound,
            "folded": name in FOLDED,
        }
        for name, form in sorted(offered.items(), key=lambda item: list(BUTTONS).index(item[0]))
    ]
    title = rule.title if rule else task.rule
    context = {
        "title": f"待办：{title}",
        "breadcrumbs": crumbs(("待办问题", reverse("web:findings")), (title, None)),
        "today": today,
        "task": task,
        "heading": title,
        "rule": rule,
        "severity_label": SEVERITY_LABEL.get(rule.severity, "") if rule else "",
        "finding": finding,
        "subject": _subject(gate, task),
        "place": _place(finding.area) if finding is not None else "",
        "state_label": STATE_LABEL.get(task.state, task.state),
        "state_badge": STATE_BADGE.get(TaskState(task.state), ""),
        "holder": holder(task),
        "due": due,
        "extended": extended,
        "overdue_days": (today - due).days if due and is_overdue(task.state, due, today) else 0,
        "events": _events(task),
        "attachments": _attachments(task),
        "explanations": explanations,
        "waiting": waiting,
        "forms": forms,
        "bound": bound,
        "bound_title": workflow.STEPS[bound.step].label if bound is not None else "",
        "offered": [f["name"] for f in forms],
        "refusal": refusal,
        "why_not": "" if forms else _why_not(user, task),
        "decisions": DECISIONS,
        "work": _work(user, gate, task),
    }
    return render(request, "tasks/task_detail.html", context, status=status)


def _work(user: Any, gate: Jurisdiction, task: Task) -> list[dict[str, str]]:
    """The pages where the task's work itself is done (links beside the steps): a
    DYN-DISSOLVE task's dissolution case (or its proposal), a DYN-TRANSFER task's transfer."""
    if task.state not in OPEN_STATES:
        return []
    if task.rule == "DYN-DISSOLVE" and task.subject_type == "party_org":
        case = (
            visible_cases(gate)
            .filter(party_org_id=task.subject_pk, state=DissolutionState.PROPOSED)
            .first()
        )
        if case is not None:
            return [{"label": "查看撤销申请（待审批）",
                     "url": reverse("web:dissolution", kwargs={"pk": case.pk})}]  # fmt: skip
        party_org = gate.party_orgs().filter(pk=task.subject_pk).first()
        if party_org is not None and may_propose(user, party_org):
            url = reverse("web:dissolution_new", kwargs={"code": party_org.code})
            return [{"label": "提请撤销党组织", "url": f"{url}?task={task.pk}"}]
    if task.rule == "DYN-TRANSFER" and task.subject_type == "person":
        transfer: Transfer | None = (
            visible_transfers(gate)
            .filter(person_id=task.subject_pk, status=TransferStatus.OPEN)
            .first()
        )
        if transfer is not None:
            return [{"label": "查看组织关系转接（办理中）",
                     "url": reverse("web:transfer", kwargs={"pk": transfer.pk})}]  # fmt: skip
    return []


def _why_not(user: Any, task: Task) -> str:
    """Why the page offers no step: the task is closed, or this user only sees it."""
    if task.state == TaskState.CLOSED:
        return "该待办已销号，不能再办理。"
    if not workflow.actors(user, task):
        return "您可以查看该待办，但不是其承办人，也不是管辖该对象的管理员，不能办理。"
    return "当前状态下没有您可以办理的步骤。"


# --- the steps -----------------------------------------------------------------------------


def _check_version(user: Any, task: Task, version: str) -> None:
    """Refuse a step posted from a page that showed an older version of the task: name who
    changed it, when, and to what. Locks the task for the rest of the transaction (the
    step's service then finds it as checked here)."""
    current = (
        selectors.visible_tasks(user)
        .select_for_update(of=("self",))
        .select_related("assignee", "assigned_unit")
        .filter(pk=task.pk)
        .first()
    )
    if current is None:
        raise NotFound(selectors.TASK_NOT_FOUND)
    if _version(current) == version:
        return
    raise TaskError(_what_changed(current, version), code="stale")


def _what_changed(current: Task, version: str) -> str:
    try:
        seen: dt.datetime | None = dt.datetime.fromisoformat(version)
    except ValueError:
        seen = None
    history = current.history.all()
    newest = ("-history_date", "-history_id")
    before = history.filter(updated_at__lte=seen).order_by(*newest).first() if seen else None
    later = history.filter(updated_at__gt=seen) if seen else history
    latest = later.select_related("history_user").order_by(*newest).first()
    words = []
    if before is None or before.state != current.state:
        words.append(f"改为「{STATE_LABEL.get(current.state, current.state)}」")
    if before is not None and (
        before.assignee_id != current.assignee_id
        or before.assigned_unit_id != current.assigned_unit_id
    ):
        words.append(f"改派给「{holder(current)}」")
    if before is not None and before.due != current.due:
        words.append(f"将整改期限改为 {current.due or '（无）'}")
    who = user_label(latest.history_user) if latest and latest.history_user else "系统"
    when = timezone.localtime(latest.history_date if latest else current.updated_at)
    return f"该待办已由{who}于{when:%Y-%m-%d %H:%M}{'，并'.join(words) or '更新'}，请刷新后再操作"


def _reassign(user: Any, task: Task, data: dict[str, Any]) -> str:
    assignee = User.objects.get(pk=data["assignee"])  # one of the choices offered
    services.task_reassign(user=user, task=task.pk, assignee=assignee, text=data["text"])
    return f"已改派给「{user_label(assignee)}」"


def _attach(user: Any, task: Task, data: dict[str, Any]) -> str:
    attachment = services.task_attach(user=user, task=task.pk, file=data["file"])
    return f"已上传附件「{attachment.original_name}」"


def _explain(user: Any, task: Task, data: dict[str, Any]) -> str:
    services.explanation_file(
        user=user,
        task=task.pk,
        kind=data["kind"],
        reason=data["reason"],
        requested_due=data["requested_due"],
    )
    return "已提交情况说明，等待管理员审批"


def _decide(user: Any, task: Task, data: dict[str, Any]) -> str:
    explanation = selectors.explanation_get(user, data["explanation"])
    if explanation.task_id != task.pk:
        raise NotFound(selectors.EXPLANATION_NOT_FOUND)
    approve = data["decision"] == "approve"
    services.explanation_decide(
        user=user, explanation=explanation.pk, approve=approve, opinion=data["opinion"]
    )
    return f"已{DECISIONS[data['decision']]}{explanation.get_kind_display()}"


def _start(user: Any, task: Task, data: dict[str, Any]) -> str:
    services.task_start(user=user, task=task.pk, text=data["text"])
    return "已开始整改"


def _note(user: Any, task: Task, data: dict[str, Any]) -> str:
    services.task_note(user=user, task=task.pk, text=data["text"])
    return "已添加备注"


def _mark_fixed(user: Any, task: Task, data: dict[str, Any]) -> str:
    services.task_mark_fixed(user=user, task=task.pk, text=data["text"])
    return "已报告已整改，等待管理员核实销号"


def _close(user: Any, task: Task, data: dict[str, Any]) -> str:
    services.task_close(user=user, task=task.pk, text=data["text"])
    return "已销号"


def _return(user: Any, task: Task, data: dict[str, Any]) -> str:
    services.task_return(user=user, task=task.pk, opinion=data["opinion"])
    return "已退回整改"


# Each step: its service, called with what the form read; the words of its success.
ACTS: dict[str, Callable[[Any, Task, dict[str, Any]], str]] = {
    "start": _start,
    "note": _note,
    "attach": _attach,
    "mark_fixed": _mark_fixed,
    "close": _close,
    "return": _return,
    "reassign": _reassign,
    "explain": _explain,
    "decide": _decide,
}
# Steps that add to the task without depending on or changing what the page showed (its
# state, assignee, due date): taken whatever happened meanwhile (the service still refuses
# them on a task 销号'd since), so that a file chosen or a note typed is not sent back.
UNVERSIONED = {"note", "attach"}


def _step_view(name: str) -> Callable[[HttpRequest, int], HttpResponse]:
    step = workflow.STEPS[name]

    @login_required
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        user: Any = request.user
        task = selectors.task_get(user, pk)  # 404 outside the jurisdiction, for any method
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not workflow.actors(user, task) & step.actors:
            why = workflow.refusal(user, task, name) or ""
            return _page(request, task, refusal=why, status=403)
        form = _form(name, task, user, data=request.POST, files=request.FILES)
        if not form.is_valid():
            return _page(request, task, bound=form)
        try:
            with transaction.atomic():
                if name not in UNVERSIONED:
                    _check_version(user, task, form.cleaned_data["version"])
                done = ACTS[name](user, task, form.cleaned_data)
        except TaskError as error:
            field = form.field_for(getattr(error, "code", None))
            for message in error.messages:
                form.add_error(field, message)
            return _page(request, selectors.task_get(user, pk), bound=form)
        messages.success(request, done)
        return redirect("web:task", pk=task.pk)

    view.__name__ = view.__qualname__ = f"task_{name}"
    view.__doc__ = f"{step.label}: the form of the task page, posted."
    return view


task_start = _step_view("start")
task_note = _step_view("note")
task_attach = _step_view("attach")
task_mark_fixed = _step_view("mark_fixed")
task_close = _step_view("close")
task_return = _step_view("return")
task_reassign = _step_view("reassign")
task_explain = _step_view("explain")
task_decide = _step_view("decide")


# --- evidence ------------------------------------------------------------------------------


def download_name(name: str, kind: str) -> str:
    """The name a download is saved under: the uploader's, without control characters,
    ending in the extension of what the file is (a PNG called 报告.pdf comes back as
    报告.pdf.png, so that it opens as what it is)."""
    clean = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    clean = clean.replace("/", "_").replace("\\", "_") or "附件"
    extension = EXTENSIONS[AttachmentKind(kind)]
    suffix = PurePath(clean).suffix.lower()
    same = suffix == extension or (kind == AttachmentKind.JPEG and suffix in (".jpg", ".jpeg"))
    return clean if same else f"{clean}{extension}"


@login_required
def task_attachment(request: HttpRequest, pk: int) -> FileResponse:
    """One piece of evidence, streamed as a download (never shown inline): the gate first
    (404 outside the jurisdiction, as for one that does not exist), then the stored file,
    under the name its uploader gave it and the type read from its content."""
    attachment = selectors.attachment_get(request.user, pk)
    name = download_name(attachment.original_name, attachment.kind)
    try:
        stream = attachment.file.open("rb")
    except FileNotFoundError:
        raise NotFound(selectors.ATTACHMENT_NOT_FOUND) from None
    response = FileResponse(stream, content_type=CONTENT_TYPES[AttachmentKind(attachment.kind)])
    # RFC 6266 / RFC 5987: an ASCII name for old clients, the real one in UTF-8.
    fallback = f"attachment{EXTENSIONS[AttachmentKind(attachment.kind)]}"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
