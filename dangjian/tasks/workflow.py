"""The task's state machine, in one table: for each action a user can take, the states it
starts from, the state it leads to, and who may take it. The services check it; the pages
ask it which actions to offer (`available`). The system's own steps (a rule that stops or
starts firing again) are `AUTO_FIX` and `REOPEN` below. docs/tasks.md shows the same table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from dangjian.accounts.jurisdiction import AREA_ROLES
from dangjian.accounts.models import Role
from dangjian.tasks.models import LIVE_STATES, OPEN_STATES, Task, TaskAction, TaskState


class Actor(StrEnum):
    # The assignee, or any user of the assigned unit.
    ASSIGNEE = "assignee"
    # A city, district or township officer whose jurisdiction covers the subject.
    OFFICER = "officer"
    # A Party secretary (role "org") assigned to the task, or of the Party organization it
    # is about.
    SECRETARY = "secretary"


@dataclass(frozen=True)
class Step:
    action: TaskAction
    label: str  # the verb of messages: 不能「开始整改」
    sources: tuple[TaskState, ...]
    target: TaskState | None  # None: the state does not change
    actors: frozenset[Actor]


WORKERS = frozenset({Actor.ASSIGNEE, Actor.OFFICER})
OFFICERS = frozenset({Actor.OFFICER})
SECRETARIES = frozenset({Actor.SECRETARY})
P, W, C = TaskState.PENDING, TaskState.WORKING, TaskState.FIXED_PENDING_CHECK

STEPS: dict[str, Step] = {
    "start": Step(TaskAction.START, "开始整改", (P,), W, WORKERS),
    "note": Step(TaskAction.NOTE, "添加备注", LIVE_STATES, None, WORKERS),
    "attach": Step(TaskAction.ATTACH, "上传附件", LIVE_STATES, None, WORKERS),
    "mark_fixed": Step(TaskAction.MARK_FIXED, "报告已整改", (P, W), C, WORKERS),
    "close": Step(TaskAction.CLOSE, "销号", (C, TaskState.FIXED), TaskState.CLOSED, OFFICERS),
    "return": Step(TaskAction.RETURN, "退回整改", (C,), W, OFFICERS),
    "reassign": Step(TaskAction.REASSIGN, "改派", LIVE_STATES, None, OFFICERS),
    "explain": Step(TaskAction.EXPLAIN, "提交情况说明", OPEN_STATES, None, SECRETARIES),
    # Approving an exemption closes the task (已销号); an extension sets its due date.
    "decide": Step(TaskAction.APPROVE, "审批情况说明", LIVE_STATES, None, OFFICERS),
}

# The system's steps: the rule stops finding it; the finding comes back.
AUTO_FIX = Step(TaskAction.AUTO_FIX, "自动关闭", OPEN_STATES, TaskState.FIXED, frozenset())
REOPEN = Step(TaskAction.REOPEN, "重新打开", (TaskState.FIXED,), P, frozenset())

OFFICER_WORDS = "管辖该对象的市、区、乡镇(街道)管理员"
WHO = {
    WORKERS: f"承办人或{OFFICER_WORDS}",
    OFFICERS: OFFICER_WORDS,
    SECRETARIES: "承办该待办或该问题所属党组织的党组织书记",
}


def actors(user: Any, task: Task) -> set[Actor]:
    """What `user` is to `task` — for a task the user may see (the gate has said so)."""
    found: set[Actor] = set()
    if user is None or not user.is_active or not user.role:
        return found
    if task.assignee_id is not None and task.assignee_id == user.pk:
        found.add(Actor.ASSIGNEE)
    if task.assigned_unit_id is not None and task.assigned_unit_id == user.unit_id:
        found.add(Actor.ASSIGNEE)
    if user.role in AREA_ROLES and user.area_id is not None:
        found.add(Actor.OFFICER)
    if user.role == Role.ORG and (
        task.assignee_id == user.pk
        or (task.subject_type == "party_org" and task.subject_pk == user.party_org_id)
    ):
        found.add(Actor.SECRETARY)
    return found


def refusal(user: Any, task: Task, name: str) -> str | None:
    """Why `user` may not take step `name` on `task` now (None: they may)."""
    step = STEPS[name]
    if not actors(user, task) & step.actors:
        return f"只有{WHO[step.actors]}可以{step.label}"
    if task.state not in step.sources:
        return f"待办当前状态为「{TaskState(task.state).label}」，不能{step.label}"
    return None


def available(user: Any, task: Task) -> list[str]:
    """The steps `user` may take on `task` now, in the table's order (for the pages)."""
    return [name for name in STEPS if refusal(user, task, name) is None]
