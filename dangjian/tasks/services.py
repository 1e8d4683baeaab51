"""Writes on tasks (待办): the steps users take (`task_*`, `explanation_*`) and the steps the
system takes when findings open and resolve (`tasks_follow`, called by the engine inside its
transaction; `tasks_sync_all` for a database whose findings predate the tasks).

Each user step fetches the task through the gate (a task the user may not see is
`NotFound`, as one that does not exist), locks it, asks the state machine
(`workflow.STEPS`) whether this user may take this step from this state, and records what
happened as a `TaskEvent` (who, when, what) beside the task's own change history. A step
that is not allowed raises `TaskError` with the reason in Chinese and writes nothing.

One module (about 600 lines): the users' steps and the system's share the helpers that
record a step, and every write on a task is found here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from dangjian.accounts.jurisdiction import AREA_ROLES, NotFound, findings_for
from dangjian.accounts.models import Role, User
from dangjian.areas.models import Area
from dangjian.compliance.models import FindingRecord
from dangjian.core.version import bump
from dangjian.lib import bulk
from dangjian.lib.bulk import key_batches
from dangjian.partyorgs.models import InstructorAssignment
from dangjian.tasks import files, workflow
from dangjian.tasks.models import (
    OPEN_STATES,
    Attachment,
    Explanation,
    ExplanationKind,
    ExplanationState,
    NotificationKind,
    Task,
    TaskAction,
    TaskEvent,
    TaskState,
    user_label,
)
from dangjian.tasks.notifications import notify, subject_of
from dangjian.tasks.selectors import EXPLANATION_NOT_FOUND, TASK_NOT_FOUND, visible_tasks

MAX_TEXT = 2000  # characters of a note, an opinion or a 情况说明


class TaskError(ValidationError):
    """A step that is not allowed, or not valid: the message says why, in Chinese."""


# --- helpers -------------------------------------------------------------------------------


def _locked(user: User, task: Task | int) -> Task:
    """The task, fetched again through the gate and locked for the step (two officers
    clicking at once take turns; the second sees the first one's state)."""
    pk = task.pk if isinstance(task, Task) else task
    found = visible_tasks(user).select_for_update(of=("self",)).filter(pk=pk).first()
    if found is None:
        raise NotFound(TASK_NOT_FOUND)
    return found


def _take(user: User, task: Task | int, name: str) -> Task:
    locked = _locked(user, task)
    why = workflow.refusal(user, locked, name)
    if why is not None:
        raise TaskError(why, code=name)
    return locked


def _text(value: str | None, what: str, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise TaskError(f"{what}不能为空", code="required")
    if len(text) > MAX_TEXT:
        raise TaskError(f"{what}不能超过{MAX_TEXT}字，现为{len(text)}字", code="too_long")
    return text


def _joined(*parts: str) -> str:
    return "：".join(p for p in parts if p)


def _save(task: Task, user: User | None, reason: str) -> None:
    task._history_user = user  # type: ignore[attr-defined]
    task._change_reason = reason  # type: ignore[attr-defined]
    task.save()


def _event(
    task: Task,
    user: User | None,
    action: TaskAction,
    *,
    from_state: str,
    text: str = "",
    **links: Any,
) -> TaskEvent:
    bump()  # dashboards count tasks: their figures are cached under the data version
    return TaskEvent.objects.create(
        task=task,
        user=user,
        action=action,
        from_state=from_state,
        to_state=task.state,
        text=text,
        **links,
    )


def _move(user: User, locked: Task, name: str, *, text: str = "") -> Task:
    """Take step `name` (allowed: `_take` said so): the task goes to the step's state, with
    its event."""
    step = workflow.STEPS[name]
    before = locked.state
    if step.target is not None:
        locked.state = step.target
    _save(locked, user, step.label)
    _event(locked, user, step.action, from_state=before, text=text)
    return locked


def _validated(obj: Any, *, exclude: Sequence[str] = ()) -> None:
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        raise TaskError(exc.messages, code="invalid") from None


# --- the users' steps --------------------------------------------------------------------


@transaction.atomic
def task_start(*, user: User, task: Task | int, text: str = "") -> Task:
    """待处理 → 整改中 (the assignee, a user of the assigned unit, or an officer)."""
    locked = _take(user, task, "start")
    return _move(user, locked, "start", text=_text(text, "说明", required=False))


@transaction.atomic
def task_note(*, user: User, task: Task | int, text: str) -> TaskEvent:
    """A note on the task, in its history (the state does not change)."""
    locked = _take(user, task, "note")
    note = _text(text, "备注内容", required=True)
    return _event(locked, user, TaskAction.NOTE, from_state=locked.state, text=note)


@transaction.atomic
def task_attach(*, user: User, task: Task | int, file: Any, name: str | None = None) -> Attachment:
    """Keep `file` (a Django `File` or upload) as evidence of the task, if its content is
    a PDF, JPG, PNG, DOCX or XLSX of at most 10 MB. `name`: the name the user gave it
    (default: the file's)."""
    locked = _take(user, task, "attach")
    original = files.display_name(name if name is not None else getattr(file, "name", ""))
    try:
        kind = files.detect(file, original)
    except files.FileRefused as exc:
        raise TaskError(exc.messages, code="file") from None
    attachment = Attachment(
        task=locked,
        original_name=original,
        kind=kind,
        size=files.size_of(file),
        uploaded_by=user,
    )
    _validated(attachment, exclude=["file"])
    file.seek(0)
    attachment.file.save(f"upload{files.EXTENSIONS[kind]}", file, save=False)
    try:
        attachment.save()
        label = files.AttachmentKind(kind).label
        _event(
            locked,
            user,
            TaskAction.ATTACH,
            from_state=locked.state,
            text=f"上传附件「{original}」（{label}，{files.human_size(attachment.size)}）",
            attachment=attachment,
        )
    except BaseException:
        attachment.file.delete(save=False)
        raise
    return attachment


@transaction.atomic
def task_mark_fixed(*, user: User, task: Task | int, text: str = "") -> Task:
    """待处理 / 整改中 → 已整改待核实: the assignee reports the problem fixed."""
    locked = _take(user, task, "mark_fixed")
    return _move(user, locked, "mark_fixed", text=_text(text, "整改情况", required=False))


@transaction.atomic
def task_close(*, user: User, task: Task | int, text: str = "") -> Task:
    """已整改待核实 / 已整改 → 已销号, for good (an officer, after checking)."""
    locked = _take(user, task, "close")
    opinion = _text(text, "核实意见", required=False)
    if locked.explanations.filter(state=ExplanationState.PENDING).exists():
        raise TaskError("该待办有待审批的情况说明，请先审批再销号", code="pending_explanation")
    return _move(user, locked, "close", text=opinion)


@transaction.atomic
def task_return(*, user: User, task: Task | int, opinion: str) -> Task:
    """已整改待核实 → 整改中: the officer finds it not fixed, and says why."""
    locked = _take(user, task, "return")
    text = _text(opinion, "退回意见", required=True)
    _move(user, locked, "return", text=text)
    notify(
        NotificationKind.RETURNED,
        [(locked, f"{subject_of(locked)}：整改被退回，请继续整改。退回意见：{text}")],
        actor=user,
    )
    return locked


def _inside(candidate: User, area: Area) -> bool:
    """Does `candidate` work inside `area` (their area, unit, Party organization's township
    or an organization they are assigned to as instructor)?"""
    prefix = area.path
    role = candidate.role
    if role in AREA_ROLES:
        return candidate.area is not None and candidate.area.path.startswith(prefix)
    if role in (Role.REGISTRY, Role.SUPERVISOR):
        return candidate.unit is not None and candidate.unit.area.path.startswith(prefix)
    if role == Role.ORG:
        party_org = candidate.party_org
        return party_org is not None and party_org.township.path.startswith(prefix)
    if role == Role.INSTRUCTOR and candidate.instructor_id is not None:
        return InstructorAssignment.objects.filter(
            instructor_id=candidate.instructor_id, org__township__path__startswith=prefix
        ).exists()
    return False


@transaction.atomic
def task_reassign(*, user: User, task: Task | int, assignee: User, text: str = "") -> Task:
    """Give the task to `assignee`: an active user inside the acting officer's
    jurisdiction who may see the finding. The task then belongs to that user alone (a unit
    subject's task stops belonging to the whole unit)."""
    locked = _take(user, task, "reassign")
    note = _text(text, "改派说明", required=False)
    who = user_label(assignee)
    if not assignee.is_active or not assignee.role:
        raise TaskError(f"用户「{who}」已停用或没有角色，不能承办待办", code="assignee")
    if locked.assignee_id == assignee.pk and locked.assigned_unit_id is None:
        raise TaskError(f"待办已由「{who}」承办", code="assignee")
    assert user.area is not None  # an officer (the table said so)
    if not _inside(assignee, user.area):
        raise TaskError(f"用户「{who}」不在您的管辖范围（{user.area.name}）内", code="assignee")
    if locked.finding_id is None or not (
        findings_for(assignee).filter(pk=locked.finding_id).exists()
    ):
        raise TaskError(f"用户「{who}」无权查看该问题，不能承办该待办", code="assignee")
    before = _holder(locked)
    locked.assignee = assignee
    locked.assigned_unit = None
    _save(locked, user, "改派")
    _event(
        locked,
        user,
        TaskAction.REASSIGN,
        from_state=locked.state,
        text=_joined(f"由「{before}」改派给「{who}」", note),
    )
    notify(
        NotificationKind.ASSIGNED,
        [(locked, _joined(f"{subject_of(locked)}：{user_label(user)}将该待办改派给您", note))],
        to={locked.pk: [assignee.pk]},
        actor=user,
    )
    return locked


def _holder(task: Task) -> str:
    if task.assignee is not None:
        return user_label(task.assignee)
    if task.assigned_unit is not None:
        return task.assigned_unit.name
    return "（未指定）"


@transaction.atomic
def explanation_file(
    *,
    user: User,
    task: Task | int,
    kind: str,
    reason: str,
    requested_due: dt.date | None = None,
) -> Explanation:
    """A 情况说明 of the secretary: an exemption (豁免) or a later due date (延期) asked of
    the officers over the subject. One waits for a decision at a time."""
    locked = _take(user, task, "explain")
    if kind not in ExplanationKind.values:
        choices = "、".join(ExplanationKind.labels)
        raise TaskError(f"申请类别「{kind}」不存在，可选：{choices}", code="kind")
    text = _text(reason, "情况说明", required=True)
    if kind == ExplanationKind.EXEMPTION and requested_due is not None:
        raise TaskError("申请豁免无需填写延期日期", code="requested_due")
    if kind == ExplanationKind.EXTENSION:
        if requested_due is None:
            raise TaskError("申请延期须填写延期至哪一天", code="requested_due")
        floor = locked.due or timezone.localdate()
        if requested_due <= floor:
            what = "当前整改期限" if locked.due else "今天"
            raise TaskError(
                f"申请延期至「{requested_due}」须晚于{what}「{floor}」", code="requested_due"
            )
    waiting = locked.explanations.filter(state=ExplanationState.PENDING).first()
    if waiting is not None:
        raise TaskError(
            f"该待办已有一份待审批的情况说明（{waiting.get_kind_display()}，"
            f"提交于 {timezone.localtime(waiting.filed_at):%Y-%m-%d %H:%M}），请等待审批",
            code="pending_explanation",
        )
    explanation = Explanation(
        task=locked, kind=kind, requested_due=requested_due, reason=text, filed_by=user
    )
    _validated(explanation)
    explanation._history_user = user  # type: ignore[attr-defined]
    explanation.save()
    label = ExplanationKind(kind).label
    if requested_due is not None:
        label += f"至 {requested_due}"
    _event(
        locked,
        user,
        TaskAction.EXPLAIN,
        from_state=locked.state,
        text=_joined(f"提交情况说明（{label}）", text),
        explanation=explanation,
    )
    return explanation


@transaction.atomic
def explanation_decide(
    *, user: User, explanation: Explanation | int, approve: bool, opinion: str
) -> Explanation:
    """An officer over the subject approves or refuses a 情况说明, with an opinion.
    Approving an exemption closes the task (已销号); approving an extension sets its due
    date to the one asked for."""
    pk = explanation.pk if isinstance(explanation, Explanation) else explanation
    task_pk = Explanation.objects.filter(pk=pk).values_list("task_id", flat=True).first()
    if task_pk is None:
        raise NotFound(EXPLANATION_NOT_FOUND)
    try:
        locked = _take(user, task_pk, "decide")
    except NotFound:
        raise NotFound(EXPLANATION_NOT_FOUND) from None
    text = _text(opinion, "审批意见", required=True)
    found = Explanation.objects.select_for_update().get(pk=pk)
    if found.state != ExplanationState.PENDING:
        raise TaskError(
            f"该情况说明已审批（{found.get_state_display()}），不能再次审批", code="decided"
        )
    found.state = ExplanationState.APPROVED if approve else ExplanationState.REFUSED
    found.decided_by = user
    found.decided_at = timezone.now()
    found.opinion = text
    _validated(found)
    found._history_user = user  # type: ignore[attr-defined]
    found.save()

    asked = found.get_kind_display()
    if found.kind == ExplanationKind.EXTENSION:
        asked += f"至 {found.requested_due}"
    before = locked.state
    if not approve:
        what = f"不予批准（{asked}）"
        action = TaskAction.REFUSE
    elif found.kind == ExplanationKind.EXEMPTION:
        locked.state = TaskState.CLOSED
        _save(locked, user, "批准豁免，销号")
        what = f"批准（{asked}），待办销号"
        action = TaskAction.APPROVE
    else:
        previous = locked.due
        locked.due = found.requested_due
        _save(locked, user, "批准延期")
        was = f"，原期限 {previous}" if previous else ""
        what = f"批准（{asked}），整改期限改为 {found.requested_due}{was}"
        action = TaskAction.APPROVE
    _event(locked, user, action, from_state=before, text=_joined(what, text), explanation=found)
    decision = "已批准" if approve else "不予批准"
    notify(
        NotificationKind.EXPLANATION_DECIDED,
        [
            (
                locked,
                f"{subject_of(locked)}：您提交的情况说明（{asked}）{decision}。审批意见：{text}",
            )
        ],
        to={locked.pk: [found.filed_by_id]},
        actor=user,
    )
    return found


# --- the system's steps: findings open and resolve ----------------------------------------


@dataclass
class Followed:
    """What `tasks_follow` did: tasks created, reopened, closed by themselves (已整改)."""

    created: int = 0
    reopened: int = 0
    fixed: int = 0


Identity = tuple[str, str, int, str]


def _identity(record: FindingRecord) -> Identity:
    assert record.subject_pk is not None
    return (record.rule, record.subject_type, record.subject_pk, record.occurrence)


@transaction.atomic
def tasks_follow(
    *,
    opened: Sequence[FindingRecord],
    resolved: Sequence[FindingRecord],
    on: dt.date,
    cause: str = "",
) -> None:
    """The tasks follow their findings (the engine calls this inside its transaction,
    whenever findings open or resolve, as of the check's date `on`):

    - a resolved finding's open task (待处理, 整改中, 已整改待核实) closes itself: 已整改,
      its event naming `cause` (the change that fixed it);
    - an opened finding reopens the task of its identity closed by itself (已整改 →
      待处理, now following the new finding), or gets a new task with its default assignee
      — also when an earlier task of it was 销号'd: that one stays closed.

    Set-based: the same number of queries for one finding as for ten thousand (on SQLite
    the key lists are cut at its parameter limit, `lib.bulk.key_batches`)."""
    _follow(opened, resolved, on, cause)


def _follow(
    opened: Sequence[FindingRecord], resolved: Sequence[FindingRecord], on: dt.date, cause: str
) -> Followed:
    # A finding without its subject's key is seen by nobody but the operator: no task.
    opened = [r for r in opened if r.subject_pk is not None]
    resolved = [r for r in resolved if r.subject_pk is not None]
    done = Followed()
    if not opened and not resolved:
        return done
    now = timezone.now()
    live = _live_tasks([*opened, *resolved])
    changed: dict[int, Task] = {}
    events: list[TaskEvent] = []

    def system_event(task: Task, action: TaskAction, before: str, text: str) -> None:
        events.append(
            TaskEvent(
                task=task,
                at=now,
                user=None,
                action=action,
                from_state=before,
                to_state=task.state,
                text=text,
                as_of=on,
            )
        )

    fixed_text = _joined("规则不再触发，自动关闭", cause.strip())
    for record in resolved:
        task = live.get(_identity(record))
        if task is None or task.finding_id != record.pk or task.state not in OPEN_STATES:
            continue
        before = task.state
        task.state = TaskState.FIXED
        task._change_reason = fixed_text  # type: ignore[attr-defined]
        changed[task.pk] = task
        system_event(task, TaskAction.AUTO_FIX, before, fixed_text)
        done.fixed += 1

    fresh: list[tuple[Task, FindingRecord]] = []
    for record in opened:
        key = _identity(record)
        task = live.get(key)
        if task is None:
            task = Task(
                rule=record.rule,
                subject_type=record.subject_type,
                subject_pk=key[2],
                occurrence=record.occurrence,
                finding=record,
                state=TaskState.PENDING,
                due=record.due,
            )
            live[key] = task  # the same identity twice in one call: one task
            fresh.append((task, record))
            continue
        if task.pk is None:
            continue
        task.finding = record
        task.due = record.due
        task._change_reason = "问题记录更新"  # type: ignore[attr-defined]
        if task.state == TaskState.FIXED:
            task.state = TaskState.PENDING
            task._change_reason = "问题再次出现，重新打开"  # type: ignore[attr-defined]
            system_event(task, TaskAction.REOPEN, TaskState.FIXED, "问题再次出现，重新打开")
            done.reopened += 1
        changed[task.pk] = task

    # Written set-based, their history copied by the database (`lib.bulk.record_history`):
    # a check that opens or resolves thousands of findings writes a few statements.
    if fresh:
        words = _assign_defaults(fresh)
        created = [task for task, _ in fresh]
        bulk.insert_objects(Task, created)
        _history([t.pk for t in created], "+", "问题出现，生成待办", now)
        for task, text in zip(created, words, strict=True):
            system_event(task, TaskAction.CREATE, "", text)
        done.created = len(created)
        # Whoever the new tasks were given to is told (one insert; a query for the users
        # of assigned units when there are such tasks).
        notify(
            NotificationKind.ASSIGNED,
            [
                (task, f"「{record.subject_name}」{record.message}：新待办指派给您")
                for task, record in fresh
                if task.assignee_id is not None or task.assigned_unit_id is not None
            ],
        )
    if changed:
        rows = list(changed.values())
        for task in rows:
            task.updated_at = now
        bulk.update(
            Task,
            ["state", "finding", "due", "updated_at"],
            [(t.pk, (t.state, t.finding_id, t.due, t.updated_at)) for t in rows],
        )
        by_reason: dict[str, list[int]] = {}
        for task in rows:
            reason = getattr(task, "_change_reason", "") or "问题记录更新"
            by_reason.setdefault(reason, []).append(task.pk)
        for reason, pks in by_reason.items():
            _history(pks, "~", reason, now)
    bulk.insert(
        TaskEvent,
        EVENT_FIELDS,
        [
            (e.task.pk, e.at, e.user_id, e.action, e.from_state, e.to_state, e.text, e.as_of)
            for e in events
        ],
    )
    bump()
    return done


# The columns of a system's task event.
EVENT_FIELDS = ["task", "at", "user", "action", "from_state", "to_state", "text", "as_of"]


def _history(pks: list[int], kind: str, reason: str, when: dt.datetime) -> None:
    bulk.record_history(
        Task, by="id", keys=pks, history_type=kind, reason=reason, user_id=None, when=when
    )


def _live_tasks(records: Sequence[FindingRecord]) -> dict[Identity, Task]:
    """The tasks not closed for good (at most one per identity) of these findings, locked:
    one query by subject key (indexed), cut to the exact identities here."""
    wanted = {_identity(r) for r in records}
    subjects = sorted({key[2] for key in wanted})
    found: dict[Identity, Task] = {}
    for batch in key_batches(subjects):
        rows = (
            Task.objects.select_for_update(of=("self",))
            .filter(subject_pk__in=batch)
            .exclude(state=TaskState.CLOSED)
        )
        for task in rows:
            if task.identity in wanted:
                found[task.identity] = task
    return found


def _path_codes(record: FindingRecord) -> list[str]:
    """The codes of the finding's area and every area above it, the top first."""
    codes = [c for c in record.area_path.split("/") if c]
    return codes or ([record.area] if record.area else [])


def _assign_defaults(fresh: list[tuple[Task, FindingRecord]]) -> list[str]:
    """Give each new task its default assignee (three queries at most, whatever their
    number) and return the text of each one's first event:

    - party_org: the Party organization's secretary (an active user of role "org" of it,
      the first created), else the township officer;
    - social_org, person: the township officer of the finding's township (an active
      user of role "township" whose area is the finding's area or holds it, the first
      created);
    - area: the area's own officer (an active area officer whose area it is — a district's
      office for a district —, the first created), else the township officer as above (a
      community's);
    - unit: the unit (every user of it), nobody in person.
    """
    party_orgs = {task.subject_pk for task, _ in fresh if task.subject_type == "party_org"}
    secretaries: dict[int, tuple[int, str]] = {}
    if party_orgs:
        for party_org_id, pk, username, last, first in (
            User.objects.filter(role=Role.ORG, is_active=True, party_org_id__in=party_orgs)
            .order_by("pk")
            .values_list("party_org_id", "pk", "username", "last_name", "first_name")
        ):
            secretaries.setdefault(party_org_id, (pk, f"{last}{first}".strip() or username))
    own: dict[int, tuple[int, str]] = {}  # an area's own officer (a district's: its office)
    areas = {task.subject_pk for task, _ in fresh if task.subject_type == "area"}
    if areas:
        for area_id, pk, username, last, first in (
            User.objects.filter(
                role__in=(Role.CITY, Role.DISTRICT, Role.TOWNSHIP),
                is_active=True,
                area_id__in=areas,
            )
            .order_by("pk")
            .values_list("area_id", "pk", "username", "last_name", "first_name")
        ):
            own.setdefault(area_id, (pk, f"{last}{first}".strip() or username))
    codes: set[str] = set()
    for task, record in fresh:
        if (
            task.subject_type == "unit"
            or (task.subject_type == "party_org" and task.subject_pk in secretaries)
            or (task.subject_type == "area" and task.subject_pk in own)
        ):
            continue
        codes.update(_path_codes(record))
    officers: dict[str, tuple[int, str]] = {}
    if codes:
        for code, pk, username, last, first in (
            User.objects.filter(role=Role.TOWNSHIP, is_active=True, area__code__in=codes)
            .order_by("pk")
            .values_list("area__code", "pk", "username", "last_name", "first_name")
        ):
            officers.setdefault(code, (pk, f"{last}{first}".strip() or username))
    words: list[str] = []
    for task, record in fresh:
        found: tuple[int, str] | None = None
        if task.subject_type == "unit":
            task.assigned_unit_id = task.subject_pk
            words.append(f"问题出现，生成待办；承办单位：{record.subject_name}")
            continue
        if task.subject_type == "party_org":
            found = secretaries.get(task.subject_pk)
        if task.subject_type == "area":
            found = own.get(task.subject_pk)
        if found is None:
            for code in reversed(_path_codes(record)):
                if code in officers:
                    found = officers[code]
                    break
        if found is None:
            words.append("问题出现，生成待办；未找到默认承办人，待管理员指派")
            continue
        task.assignee_id = found[0]
        words.append(f"问题出现，生成待办；承办人：{found[1]}")
    return words


@transaction.atomic
def tasks_sync_all(*, on: dt.date | None = None) -> Followed:
    """Bring every task up to the findings store: a task for each open finding that has
    none (a database whose findings were recorded before the tasks existed), 已整改 for
    each open task whose finding has been resolved. Running it again changes nothing."""
    day = on or timezone.localdate()
    linked = Task.objects.filter(finding=OuterRef("pk"))
    opened = FindingRecord.objects.filter(
        resolved_on__isnull=True, subject_pk__isnull=False
    ).exclude(Exists(linked))
    resolved = FindingRecord.objects.filter(resolved_on__isnull=False).filter(
        Exists(linked.filter(state__in=OPEN_STATES))
    )
    return _follow(
        list(opened.order_by("pk")),
        list(resolved.order_by("pk")),
        day,
        "规则检查已不再发现该问题（补充同步）",
    )
