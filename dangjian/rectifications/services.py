"""The writes of a rectification (docs/dynamics.md "软弱涣散党组织整顿"): identified by the
level above (a row of the `rectifications` kind, with its plan), progress noted by the Party
organization, completion reported, the resolution reviewed by the level above — which writes
整顿完成日期 through the kind again, so that DYN-WEAK-OVERDUE is re-evaluated at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from dangjian.imports.records import record_save
from dangjian.lib.outcome import Outcome
from dangjian.rectifications.models import Origin, Rectification, RectificationNote

KIND = "rectifications"


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None


def rectification_identify(*, user: Any, party_org: str, identified_on: str, problem: str,
                           deadline: str, plan: str = "", suggested: bool = False) -> Outcome:  # fmt: skip
    """Identify a Party organization as weak and lax: one row of the kind (every check and
    message of a file), then its plan and how it was identified — all or nothing."""
    values = {"party_org": party_org, "identified_on": identified_on, "problem": problem,
              "deadline": deadline, "resolved_on": ""}  # fmt: skip
    outcome = Outcome()
    with transaction.atomic():
        saved = record_save(kind=KIND, values=values, user=user, reason="认定软弱涣散党组织",
                            new=True)  # fmt: skip
        if not saved.ok:
            outcome.errors = saved.errors
            return outcome
        day = _day(identified_on)
        assert day is not None  # the import accepted it
        record = Rectification.objects.get(party_org__code=party_org.strip(), identified_on=day)
        record.plan = (plan or "").strip()[:2000]
        record.origin = Origin.SUGGESTED if suggested else Origin.MANUAL
        record._change_reason = "整顿措施"  # type: ignore[attr-defined]
        record.save(update_fields=["plan", "origin"])
    outcome.record = record
    return outcome


def rectification_note(*, user: Any, record: Rectification, text: str) -> Outcome:
    outcome = Outcome()
    text = (text or "").strip()
    if not text:
        outcome.add("text", "请填写整顿进展")
    elif len(text) > 2000:
        outcome.add("text", "不超过2000字")
    if outcome.errors:
        return outcome
    RectificationNote.objects.create(rectification=record, text=text, author=user,
                                     written_on=timezone.localdate())  # fmt: skip
    return outcome


def rectification_submit(*, user: Any, record: Rectification, summary: str) -> Outcome:
    """The Party organization reports the rectification done: it waits for the review."""
    outcome = Outcome()
    summary = (summary or "").strip()
    if record.resolved_on is not None:
        outcome.add("", "该整顿已完成")
    elif not summary:
        outcome.add("summary", "请填写整顿情况总结")
    if outcome.errors:
        return outcome
    record.completion_submitted_on = timezone.localdate()
    record.completion_summary = summary[:2000]
    record._change_reason = "申请验收"  # type: ignore[attr-defined]
    record.save(update_fields=["completion_submitted_on", "completion_summary"])
    return outcome


def rectification_review(*, user: Any, record: Rectification, approve: bool,
                         opinion: str = "") -> Outcome:  # fmt: skip
    """The level above accepts the resolution (整顿完成日期 today, written through the kind:
    its checks, its history, DYN-WEAK-OVERDUE re-evaluated) or returns it with a reason."""
    outcome = Outcome()
    opinion = (opinion or "").strip()
    if record.completion_submitted_on is None or record.resolved_on is not None:
        outcome.add("", "该整顿没有待验收的申请")
        return outcome
    if not approve and not opinion:
        outcome.add("opinion", "退回时请填写意见")
        return outcome
    today = timezone.localdate()
    with transaction.atomic():
        if approve:
            values = {"party_org": record.party_org.code,
                      "identified_on": record.identified_on.isoformat(),
                      "problem": record.problem, "deadline": record.deadline.isoformat(),
                      "resolved_on": today.isoformat()}  # fmt: skip
            saved = record_save(kind=KIND, values=values, user=user, reason="验收通过")
            if not saved.ok:
                outcome.errors = saved.errors
                return outcome
            Rectification.objects.filter(pk=record.pk).update(reviewed_by=user)
        else:
            record.completion_submitted_on = None
            record._change_reason = "验收退回"  # type: ignore[attr-defined]
            record.save(update_fields=["completion_submitted_on"])
        if opinion or not approve:
            RectificationNote.objects.create(
                rectification=record, author=user, written_on=today,
                text=f"{'验收通过' if approve else '验收退回'}：{opinion or '同意'}",
            )  # fmt: skip
    record.refresh_from_db()
    return outcome
