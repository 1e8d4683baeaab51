"""Writes on organization life beyond the `meetings` rows themselves (which are written as
one-row imports of their kind: dangjian/imports/records.py): the review of a secretary's
meeting — 报送 (submit), 审核通过 (approve), 退回 (return with an opinion) — and its
attachments.

A secretary's meeting is a draft (待报送) until they submit it; the township, district or
city officer over it, or the secretary of a Party organization above it, approves it or
returns it; a returned meeting is corrected (its form: it becomes a draft again) and
submitted again. Each step tells those who act next (the notification centre, the daily
digest): a submission the reviewers above (`_reviewers`), a return or an approval the
branch's own accounts. Only approved meetings count for rules LIFE-MEETINGS and LIFE-REVIEW: an
approval is a write of the meeting, so the live re-evaluation follows it at once
(compliance/live.py) and closes the task of the period it satisfies.

Each step fetches the meeting through the gate (outside it: 404), locks it, and refuses in
Chinese (`LifeError`) a step its state or its user does not allow, writing nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.models import Role, User
from dangjian.areas.models import Area
from dangjian.core.version import bump
from dangjian.life.models import Meeting, MeetingAttachment, ReviewState
from dangjian.life.selectors import MEETING_NOT_FOUND, may_review, may_submit, meetings_for
from dangjian.tasks import files
from dangjian.tasks.models import NotificationKind
from dangjian.tasks.notifications import notify_meeting

MAX_OPINION = 500


class LifeError(ValidationError):
    """A step that is not allowed, or not valid: the message says why, in Chinese."""


def _locked(user: User, meeting: Meeting | int) -> Meeting:
    pk = meeting.pk if isinstance(meeting, Meeting) else meeting
    found = meetings_for(user).select_for_update(of=("self",)).filter(pk=pk).first()
    if found is None:
        raise Http404(MEETING_NOT_FOUND)
    return found


def _save(meeting: Meeting, user: User, reason: str) -> Meeting:
    meeting._history_user = user  # type: ignore[attr-defined]
    meeting._change_reason = reason  # type: ignore[attr-defined]
    meeting.save()
    bump()
    return meeting


def _opinion(text: str | None, *, required: bool) -> str:
    value = (text or "").strip()
    if required and not value:
        raise LifeError("退回时须填写审核意见，说明需要修改的内容", code="required")
    if len(value) > MAX_OPINION:
        raise LifeError(f"审核意见不能超过{MAX_OPINION}字，现为{len(value)}字", code="too_long")
    return value


def _reviewers(meeting: Meeting) -> list[int]:
    """Who is told a meeting was submitted: the officers of the nearest area above it that
    has any (its township's, else its district's, else its city's), and the secretary
    accounts of its parent Party organization (who may review it too)."""
    area: Area | None = meeting.party_org.township
    officers: list[int] = []
    while area is not None and not officers:
        officers = list(
            User.objects.filter(
                is_active=True, area=area, role__in=[Role.TOWNSHIP, Role.DISTRICT, Role.CITY]
            ).values_list("pk", flat=True)
        )
        area = area.parent
    parent = meeting.party_org.parent_id
    above = (
        list(
            User.objects.filter(is_active=True, role=Role.ORG, party_org_id=parent).values_list(
                "pk", flat=True
            )
        )
        if parent is not None
        else []
    )
    return [*officers, *above]


def _secretaries(meeting: Meeting) -> list[int]:
    """Who is told of a review: the accounts of the meeting's Party organization."""
    return list(
        User.objects.filter(
            is_active=True, role=Role.ORG, party_org_id=meeting.party_org_id
        ).values_list("pk", flat=True)
    )


def _about(meeting: Meeting) -> str:
    return (
        f"「{meeting.party_org.name}」{meeting.get_type_display()}"
        f"（{meeting.held_on}）{meeting.topic}"
    )


@transaction.atomic
def meeting_submit(*, user: User, meeting: Meeting | int) -> Meeting:
    """待报送 / 已退回 → 已报送 (the secretary of its Party organization)."""
    locked = _locked(user, meeting)
    if not may_submit(user, locked):
        raise LifeError("只有本党组织的书记（党组织账号）可以报送会议记录", code="forbidden")
    if locked.state not in (ReviewState.DRAFT, ReviewState.RETURNED):
        raise LifeError(f"该会议记录{locked.get_state_display()}，不能再次报送", code="state")
    locked.state = ReviewState.SUBMITTED
    locked.submitted_at = timezone.now()
    _save(locked, user, "报送会议记录")
    notify_meeting(
        NotificationKind.MEETING_SUBMITTED, locked, f"{_about(locked)}：已报送，请审核",
        _reviewers(locked), actor=user,
    )  # fmt: skip
    return locked


@transaction.atomic
def meeting_approve(*, user: User, meeting: Meeting | int, opinion: str = "") -> Meeting:
    """已报送 → 已审核 (the level above: the area officer, or a Party organization above)."""
    locked = _locked(user, meeting)
    if not may_review(user, locked):
        raise LifeError(
            "您不是该会议记录的审核方（应由所在乡镇(街道)或上级党组织审核）", code="forbidden"
        )
    if locked.state != ReviewState.SUBMITTED:
        raise LifeError(
            f"该会议记录{locked.get_state_display()}，只有已报送的记录可以审核", code="state"
        )
    locked.state = ReviewState.APPROVED
    locked.reviewed_by, locked.reviewed_at = user, timezone.now()
    locked.opinion = _opinion(opinion, required=False)
    _save(locked, user, "审核通过会议记录")
    said = f"，审核意见：{locked.opinion}" if locked.opinion else ""
    notify_meeting(
        NotificationKind.MEETING_APPROVED, locked, f"{_about(locked)}：已审核通过{said}",
        _secretaries(locked), actor=user,
    )  # fmt: skip
    return locked


@transaction.atomic
def meeting_return(*, user: User, meeting: Meeting | int, opinion: str) -> Meeting:
    """已报送 → 已退回, with the opinion saying what to correct."""
    locked = _locked(user, meeting)
    if not may_review(user, locked):
        raise LifeError(
            "您不是该会议记录的审核方（应由所在乡镇(街道)或上级党组织审核）", code="forbidden"
        )
    if locked.state != ReviewState.SUBMITTED:
        raise LifeError(
            f"该会议记录{locked.get_state_display()}，只有已报送的记录可以退回", code="state"
        )
    locked.opinion = _opinion(opinion, required=True)
    locked.state = ReviewState.RETURNED
    locked.reviewed_by, locked.reviewed_at = user, timezone.now()
    _save(locked, user, "退回会议记录")
    notify_meeting(
        NotificationKind.MEETING_RETURNED, locked,
        f"{_about(locked)}：被退回，审核意见：{locked.opinion}", _secretaries(locked), actor=user,
    )  # fmt: skip
    return locked


@transaction.atomic
def meeting_attach(*, user: User, meeting: Meeting | int, file: Any,
                   name: str | None = None) -> MeetingAttachment:  # fmt: skip
    """Keep `file` with the meeting (sign-in sheet, photos): a PDF, JPG, PNG, DOCX or XLSX
    of at most 10 MB, as a task's evidence. Whoever may write its meetings may attach."""
    from dangjian.imports.writers import may_write

    locked = _locked(user, meeting)
    if not may_write(user, "meetings"):
        raise LifeError("您无权为会议记录上传附件", code="forbidden")
    original = files.display_name(name if name is not None else getattr(file, "name", ""))
    try:
        kind = files.detect(file, original)
    except files.FileRefused as exc:
        raise LifeError(exc.messages, code="file") from None
    attachment = MeetingAttachment(
        meeting=locked, original_name=original, kind=kind, size=files.size_of(file),
        uploaded_by=user,
    )  # fmt: skip
    file.seek(0)
    attachment.file.save(f"upload{files.EXTENSIONS[kind]}", file, save=False)
    try:
        attachment.save()
    except BaseException:
        attachment.file.delete(save=False)
        raise
    bump()
    return attachment
