"""Writes of the policy versions (docs/policy-versions.md): a draft revision weighed by an
officer, and its adoption as a version by a city officer."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db import transaction
from django.utils import timezone

from dangjian.compliance.policy import PolicyError, load, parse
from dangjian.core.version import bump
from dangjian.lib.outcome import Outcome
from dangjian.policies.models import PolicyDraft, PolicyVersion
from dangjian.policies.selectors import forget, may_adopt, may_compare, version_in_force

MAX_TEXT = 200_000  # characters: the shipped file is about 8,000
DOCUMENT_MAX = PolicyVersion._meta.get_field("document").max_length or 300


def revision_check(text: str) -> Outcome:
    """A revision's text read as the settings file it must be (every setting typed, in its
    range, with its source): the parsed `Policy` as the record, or the Chinese message
    naming the setting and the value."""
    outcome = Outcome()
    if not text.strip():
        outcome.add("text", "请上传或填写修订后的政策设置文件")
    elif len(text) > MAX_TEXT:
        outcome.add("text", f"政策设置文件过长（{len(text)} 字符，上限 {MAX_TEXT}）")
    else:
        try:
            outcome.record = parse(text)
        except PolicyError as exc:
            outcome.add("text", str(exc))
    return outcome


def policy_draft_create(*, user: Any, text: str, as_of: dt.date) -> Outcome:
    """A revision the user weighs (the what-if page): checked, then kept as their draft."""
    if not may_compare(user):
        outcome = Outcome()
        outcome.add("", "您无权比较政策设置修订")
        return outcome
    text = text.replace("\r\n", "\n")
    outcome = revision_check(text)
    if outcome.ok:
        draft = PolicyDraft(author=user, text=text, as_of=as_of)
        draft._change_reason = "起草政策设置修订"  # type: ignore[attr-defined]
        draft.save()
        outcome.record = draft
    return outcome


def policy_version_adopt(
    *, user: Any, text: str, effective_from: dt.date | None, reason: str,
    draft: PolicyDraft | None = None,
) -> Outcome:  # fmt: skip
    """A city officer adopts a revision as a version from `effective_from`, with a reason.
    When it is in force today, the findings are re-evaluated at once (a recorded full
    check whose tasks name the version: findings the revision no longer finds close
    themselves); a later date is taken up by that day's check (`engine.record`)."""
    outcome = Outcome()
    reason = (reason or "").strip()
    if not may_adopt(user):
        outcome.add("", "只有市级管理员可以采用政策设置修订")
        return outcome
    checked = revision_check(text.replace("\r\n", "\n"))
    if not checked.ok:
        return checked
    policy = checked.record
    number = policy.version.rsplit("+", 1)[0]
    shipped = load()
    if effective_from is None:
        outcome.add("effective_from", "请填写生效日期")
    elif effective_from < shipped.effective_on:
        outcome.add(
            "effective_from",
            f"生效日期「{effective_from}」早于政策文件施行日期 {shipped.effective_on}",
        )
    if not reason:
        outcome.add("reason", "请填写调整理由（依据的文件或决定）")
    if len(policy.document) > DOCUMENT_MAX:
        outcome.add(
            "text",
            f"政策设置文件的「document」过长（{len(policy.document)} 字，上限 {DOCUMENT_MAX}）",
        )
    if (
        number == shipped.version.rsplit("+", 1)[0]
        or PolicyVersion.objects.filter(number=number).exists()
    ):
        outcome.add("text", f"版本号「{number}」已被使用：请在修订文件中提高 version")
    if effective_from is not None and version_in_force(effective_from).settings == policy.settings:
        outcome.add("text", f"修订与 {effective_from} 施行的版本设置完全相同，无需采用")
    if not outcome.ok:
        return outcome
    assert effective_from is not None
    today = timezone.localdate()
    text = text.replace("\r\n", "\n")
    try:
        outcome.record = _adopt(user, policy, number, text, effective_from, reason, draft, today)
    finally:
        forget()  # a version read inside the transaction may have been rolled back
    return outcome


def _adopt(
    user: Any, policy: Any, number: str, text: str, effective_from: dt.date, reason: str,
    draft: PolicyDraft | None, today: dt.date,
) -> PolicyVersion:  # fmt: skip
    with transaction.atomic():
        version = PolicyVersion(
            number=number,
            document=policy.document,
            effective_from=effective_from,
            text=text,
            digest=hashlib.sha256(text.encode()).hexdigest()[:8],
            reason=reason,
            adopted_by=user,
        )
        version._change_reason = f"采用政策设置版本：{reason}"[:100]  # type: ignore[attr-defined]
        version.save()
        if draft is not None:
            draft.adopted = version
            draft._change_reason = "已采用为版本"  # type: ignore[attr-defined]
            draft.save(update_fields=["adopted"])
        bump()
        if effective_from <= today:
            _reevaluate(today, version)
    return version


def _reevaluate(today: dt.date, version: PolicyVersion) -> None:
    """The findings of today by the version now in force, recorded: tasks whose findings
    disappear close naming the version; new ones open."""
    from dangjian.compliance.engine import evaluate, record
    from dangjian.compliance.models import CheckRun

    last = CheckRun.objects.order_by("-as_of").first()
    if last is not None and last.as_of > today:
        return  # a check recorded for a later day stands; that day's check follows
    record(
        evaluate(as_of=today),
        cause=f"政策设置调整为版本 {version.version}（{version.effective_from} 起施行）",
    )
