"""Reads of tasks for a user, through the jurisdiction gate: a user sees a task when they
may see its finding (`findings_for`, the gate's own reading of the findings store); any
other task answers as one that does not exist. Also: the tasks of a page of findings (the
findings list), and whom an officer may give a task to (the task page's 改派)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from dangjian.accounts.jurisdiction import AREA_ROLES, Jurisdiction, NotFound, findings_for
from dangjian.accounts.models import Role, User
from dangjian.areas.models import Area
from dangjian.orgs.models import RegistrationMode, SocialOrganization
from dangjian.partyorgs.models import (
    CommitteeMembership,
    Coverage,
    InstructorAssignment,
    PartyOrganization,
)
from dangjian.people.models import Employment, Membership
from dangjian.tasks.models import (
    OVERDUE_STATES,
    Attachment,
    Explanation,
    ExplanationKind,
    ExplanationState,
    Task,
    TaskEvent,
)

TASK_NOT_FOUND = "待办不存在"
ATTACHMENT_NOT_FOUND = "附件不存在"
EXPLANATION_NOT_FOUND = "情况说明不存在"


@dataclass
class TaskFilters:
    state: Sequence[str] = ()  # any of these states (TaskState values)
    assignee: int | None = None  # the assignee's user pk
    # The user's own tasks: assigned to them, or to their unit.
    mine: bool = False
    overdue_on: dt.date | None = None  # past due on this date, not yet reported fixed
    area: str = ""  # an area code: the findings in that area and under it
    rule: Sequence[str] = ()


def visible_tasks(user: Any) -> QuerySet[Task]:
    """Every task `user` may see (None: the system, everything)."""
    gate = Jurisdiction(user)
    qs = Task.objects.all()
    if gate.everything:
        return qs
    if gate.nothing:
        return qs.none()
    return qs.filter(Exists(findings_for(user).filter(pk=OuterRef("finding_id"))))


def tasks_for(user: Any, filters: TaskFilters | None = None) -> QuerySet[Task]:
    """The tasks `user` may see that `filters` keep, with their findings, assignees and
    units read in the same query; the most urgent first (earliest due date; those without
    one last)."""
    filters = filters or TaskFilters()
    qs = visible_tasks(user)
    if filters.state:
        qs = qs.filter(state__in=list(filters.state))
    if filters.assignee is not None:
        qs = qs.filter(assignee_id=filters.assignee)
    if filters.mine:
        mine = Q(assignee_id=getattr(user, "pk", None))
        if getattr(user, "unit_id", None):
            mine |= Q(assigned_unit_id=user.unit_id)
        qs = qs.filter(mine)
    if filters.overdue_on is not None:
        qs = qs.filter(due__lt=filters.overdue_on, state__in=OVERDUE_STATES)
    if filters.area:
        path = Area.objects.filter(code=filters.area).values_list("path", flat=True).first()
        if path is None:
            return qs.none()
        qs = qs.filter(finding__area_path__startswith=path)
    if filters.rule:
        qs = qs.filter(rule__in=list(filters.rule))
    return qs.select_related("finding", "assignee", "assigned_unit").order_by(
        F("due").asc(nulls_last=True), "pk"
    )


def task_get(user: Any, pk: Any) -> Task:
    """One task the user may see, or `NotFound` — the same for one outside the
    jurisdiction as for one that does not exist."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise NotFound(TASK_NOT_FOUND) from None
    task = (
        visible_tasks(user)
        .select_related("finding", "assignee", "assigned_unit")
        .filter(pk=key)
        .first()
    )
    if task is None:
        raise NotFound(TASK_NOT_FOUND)
    return task


def attachment_get(user: Any, pk: Any) -> Attachment:
    """An attachment of a task the user may see (what a download serves), or `NotFound`."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise NotFound(ATTACHMENT_NOT_FOUND) from None
    found = (
        Attachment.objects.filter(pk=key, task__in=visible_tasks(user).values("pk"))
        .select_related("task", "uploaded_by")
        .first()
    )
    if found is None:
        raise NotFound(ATTACHMENT_NOT_FOUND)
    return found


def explanation_get(user: Any, pk: Any) -> Explanation:
    """A 情况说明 of a task the user may see, or `NotFound`."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise NotFound(EXPLANATION_NOT_FOUND) from None
    found = (
        Explanation.objects.filter(pk=key, task__in=visible_tasks(user).values("pk"))
        .select_related("task", "filed_by", "decided_by")
        .first()
    )
    if found is None:
        raise NotFound(EXPLANATION_NOT_FOUND)
    return found


def task_events(task: Task) -> QuerySet[TaskEvent]:
    """The steps of a task (fetched through `task_get`), oldest first, with who took them."""
    return task.events.select_related("user", "attachment", "explanation").order_by("at", "pk")


def task_attachments(task: Task) -> QuerySet[Attachment]:
    return task.attachments.select_related("uploaded_by").order_by("uploaded_at", "pk")


def task_explanations(task: Task) -> QuerySet[Explanation]:
    return task.explanations.select_related("filed_by", "decided_by").order_by("filed_at", "pk")


def extended() -> Exists:
    """Has the task of the outer query its due date from an approved 申请延期? Then that
    date, not its finding's, is the one it is late against (until the task reopens with a
    new finding's own due date)."""
    return Exists(
        Explanation.objects.filter(
            task=OuterRef("pk"),
            kind=ExplanationKind.EXTENSION,
            state=ExplanationState.APPROVED,
            requested_due=OuterRef("due"),
        )
    )


def tasks_of_findings(user: Any, finding_pks: Sequence[int]) -> dict[int, Task]:
    """The task following each of these findings (a page of the findings list), with its
    assignee, its unit and `extended`, in one query: finding pk → task (the latest, should
    an old 销号'd one also point at it)."""
    if not finding_pks:
        return {}
    rows = (
        visible_tasks(user)
        .filter(finding_id__in=list(finding_pks))
        .select_related("assignee", "assigned_unit")
        .annotate(extended=extended())
        .order_by("pk")
    )
    return {task.finding_id: task for task in rows if task.finding_id is not None}


# --- whom a task may be given to -----------------------------------------------------------


def _ancestor_paths(path: str) -> list[str]:
    """The paths of an area and every area above it: "/43/4301/" → ["/43/", "/43/4301/"]."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _with_ancestors(party_orgs: set[int]) -> set[int]:
    """These Party organizations and every one above them (a secretary sees what lies under
    their own): one query a level."""
    found = set(party_orgs)
    frontier = set(party_orgs)
    for _depth in range(10):
        above = set(
            PartyOrganization.objects.filter(pk__in=frontier, parent__isnull=False).values_list(
                "parent_id", flat=True
            )
        )
        frontier = above - found
        if not frontier:
            break
        found |= frontier
    return found


def _related(task: Task) -> tuple[set[int], set[int], set[int]]:
    """The units, Party organizations (and those above them) and instructors through which
    a user who is not an area officer could see the task's subject: the subject's own, and
    those of the organizations and Party organizations one relation away. A superset of
    whom the gate lets see it (each candidate is then asked the gate itself)."""
    pk, kind = task.subject_pk, task.subject_type
    orgs: set[int] = set()
    party_orgs: set[int] = set()
    units: set[int] = set()
    if kind == "social_org":
        orgs.add(pk)
    elif kind == "party_org":
        party_orgs.add(pk)
    elif kind == "person":
        orgs |= set(Employment.objects.filter(person_id=pk).values_list("org_id", flat=True))
        orgs |= set(
            InstructorAssignment.objects.filter(instructor__person_id=pk).values_list(
                "org_id", flat=True
            )
        )
        party_orgs |= {
            p
            for p in Membership.objects.filter(person_id=pk).values_list(
                "relation_party_org_id", flat=True
            )
            if p is not None
        }
        party_orgs |= set(
            CommitteeMembership.objects.filter(person_id=pk).values_list("party_org_id", flat=True)
        )
    elif kind == "unit":
        units.add(pk)
    if orgs or party_orgs:
        for org_id, party_org_id in Coverage.objects.filter(
            Q(org_id__in=orgs) | Q(party_org_id__in=party_orgs)
        ).values_list("org_id", "party_org_id"):
            orgs.add(org_id)
            party_orgs.add(party_org_id)
    for registry, mode, supervisor in SocialOrganization.objects.filter(pk__in=orgs).values_list(
        "registry_id", "registration_mode", "supervisor_id"
    ):
        if mode == RegistrationMode.DIRECT:
            units.add(registry)
        if supervisor is not None:
            units.add(supervisor)
    units |= {
        u
        for u in PartyOrganization.objects.filter(pk__in=party_orgs).values_list(
            "unit_id", flat=True
        )
        if u is not None
    }
    instructors = set(
        InstructorAssignment.objects.filter(org_id__in=orgs).values_list("instructor_id", flat=True)
    )
    return units, _with_ancestors(party_orgs), instructors


def assignees_for(user: Any, task: Task) -> list[User]:
    """The users an officer may give `task` to (改派): active users with a role who work
    inside the officer's own area and may see the task's finding — those
    `services.task_reassign` accepts — but its present sole assignee; area officers first,
    then by role and account. Nobody for a user who is no area officer.

    Area officers are found in one query (their area holds the finding's); the others only
    among the few users attached to what the subject hangs on (`_related`), each then
    asked the gate (`findings_for`)."""
    area = getattr(user, "area", None)
    finding_id = task.finding_id
    if getattr(user, "role", "") not in AREA_ROLES or area is None or finding_id is None:
        return []
    finding_path = (
        task.finding.area_path
        if task.finding is not None
        else Task.objects.filter(pk=task.pk).values_list("finding__area_path", flat=True).first()
    ) or ""
    inside = area.path
    officers = Q(
        role__in=AREA_ROLES,
        area__path__startswith=inside,
        area__path__in=_ancestor_paths(finding_path),
    )
    units, party_orgs, instructors = _related(task)
    others = (
        Q(role__in=(Role.REGISTRY, Role.SUPERVISOR), unit_id__in=units)
        & Q(unit__area__path__startswith=inside)
        | Q(role=Role.ORG, party_org_id__in=party_orgs)
        & Q(party_org__township__path__startswith=inside)
        | Q(role=Role.INSTRUCTOR, instructor_id__in=instructors)
        & Exists(
            InstructorAssignment.objects.filter(
                instructor_id=OuterRef("instructor_id"), org__township__path__startswith=inside
            )
        )
    )
    found = (
        User.objects.filter(is_active=True)
        .exclude(role="")
        .filter(officers | others)
        .select_related("area", "unit", "party_org", "instructor__person")
        .order_by("pk")
    )
    if task.assigned_unit_id is None and task.assignee_id is not None:
        found = found.exclude(pk=task.assignee_id)
    order = {role: i for i, role in enumerate(Role.values)}
    return sorted(
        (
            candidate
            for candidate in found
            if candidate.role in AREA_ROLES
            or findings_for(candidate).filter(pk=finding_id).exists()
        ),
        key=lambda candidate: (order.get(candidate.role, 99), candidate.username),
    )
