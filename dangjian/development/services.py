"""The steps of a member's development written from the pages (docs/development.md).

Every step is one service, `applicant_<action>`, and every service writes through the import
kinds — one-row imports (`imports/records.record_save`) of the `applicants` kind (talk,
activist, candidate, stop) or the `people` kind (confirmation, extension of probation), or
both for admission — so that a step in a page and a row in a file are checked alike, with
the same Chinese messages, the same change history, and the same live re-evaluation of the
person's DEV findings ("one validation path").

Admission (接收为预备党员) writes the person's membership (`people`: 政治面貌 中共预备党员,
入党日期 = the admission date, the organizational relation held by the developing Party
organization) and the applicant's 培养状态 已接收为预备党员 on the same date, in one
transaction: when either import refuses, neither is written.

A service returns `StepResult`: the errors by field ("day", or "" for the form). Besides the
kinds' checks a service refuses a step that does not follow from where the applicant stands
(a talk for an applicant no longer 培养中, admission before 确定发展对象, confirmation of a
member not probationary): these are the page's own, in the same words as the kinds'.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from dangjian.development.models import Applicant, ApplicantStatus
from dangjian.imports.records import Saved, key_values, record_save, record_values
from dangjian.people.models import Membership, PoliticalStatus


@dataclass(frozen=True)
class Step:
    action: str
    label: str  # the button and the form's title
    day_label: str  # the date's label, as the kind's column
    kind: str
    column: str  # the column the date goes in (its errors shown at the date)


STEPS: dict[str, Step] = {
    s.action: s
    for s in (
        Step("talk", "记录谈话", "谈话日期", "applicants", "talked_on"),
        Step("activist", "确定为入党积极分子", "确定入党积极分子日期", "applicants", "activist_on"),
        Step("candidate", "确定为发展对象", "确定发展对象日期", "applicants", "candidate_on"),
        Step("admit", "接收为预备党员", "入党日期（接收日期）", "people", "joined_on"),
        Step("confirm", "转为正式党员", "转正日期", "people", "confirmed_on"),
        Step("extend", "延长预备期", "预备期延长至", "people", "probation_extended_to"),
        Step("stop", "停止培养", "状态变更日期（停止培养日期）", "applicants", "status_changed_on"),
    )
}
DEVELOPING_STEPS = ("talk", "activist", "candidate", "admit", "stop")
PROBATION_STEPS = ("confirm", "extend")


class _Refused(Exception):
    """Raised inside the admission's transaction to undo its first import."""

    def __init__(self, saved: Saved) -> None:
        super().__init__("refused")
        self.saved = saved


@dataclass
class StepResult:
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


def membership_of(applicant: Applicant) -> Membership | None:
    return Membership.objects.filter(person_id=applicant.person_id).first()


def available_steps(applicant: Applicant) -> list[Step]:
    """The steps that follow from where the applicant stands (the page's buttons)."""
    if applicant.status == ApplicantStatus.DEVELOPING:
        actions: list[str] = []
        if applicant.talked_on is None:
            actions.append("talk")
        if applicant.activist_on is None:
            actions.append("activist")
        elif applicant.candidate_on is None:
            actions.append("candidate")
        else:
            actions.append("admit")
        actions.append("stop")
        return [STEPS[a] for a in actions]
    membership = membership_of(applicant)
    if (
        applicant.status == ApplicantStatus.ADMITTED
        and membership is not None
        and membership.confirmed_on is None
    ):
        return [STEPS[a] for a in PROBATION_STEPS]
    return []


def _applicant_row(applicant: Applicant, user: Any) -> dict[str, str]:
    values = record_values("applicants", applicant, user) or {}
    values.update(key_values("applicants", applicant))
    return values


def _person_row(applicant: Applicant, user: Any) -> dict[str, str] | None:
    person = applicant.person
    values = record_values("people", person, user)
    if values is None:
        return None
    values.update(key_values("people", person))
    return values


def _merge(result: StepResult, saved: Saved, column: str) -> None:
    for key, messages in saved.errors.items():
        for message in messages:
            result.add("day" if key == column else "", message)


def _write(kind: str, values: dict[str, str], user: Any, reason: str, column: str
           ) -> StepResult:  # fmt: skip
    result = StepResult()
    _merge(result, record_save(kind=kind, values=values, user=user, reason=reason), column)
    return result


def _required(day: str) -> str:
    """A step's date is required here, though its column may be empty in a file."""
    return "" if _day_text(day) else "必填"


def _precondition(applicant: Applicant, action: str, day: str) -> str:
    """Why the step does not follow from where the applicant stands, or ""."""
    if action in DEVELOPING_STEPS and applicant.status != ApplicantStatus.DEVELOPING:
        return f"培养状态为「{applicant.get_status_display()}」，不能再{STEPS[action].label}"
    if action == "admit":
        if applicant.candidate_on is None:
            return "尚未确定为发展对象：须先确定为发展对象，才能接收为预备党员"
        parsed = _parse(day or "")
        if parsed is not None and parsed < applicant.candidate_on:
            return f"早于确定发展对象日期 {applicant.candidate_on}"
    if action in PROBATION_STEPS:
        membership = membership_of(applicant)
        if membership is None or membership.confirmed_on is not None:
            return "不是预备党员，不能办理转正或延长预备期"
    return ""


def _day_text(day: str) -> str:
    return (day or "").strip()


def _parse(day: str) -> dt.date | None:
    """The date typed, or None (an empty or unreadable one: the import names what is wrong)."""
    try:
        return dt.date.fromisoformat(_day_text(day)[:10])
    except ValueError:
        return None


def _applicant_date(user: Any, applicant: Applicant, action: str, day: str,
                    reason: str) -> StepResult:  # fmt: skip
    step = STEPS[action]
    problem = _precondition(applicant, action, day) or _required(day)
    if problem:
        return StepResult({"day": [problem]})
    values = _applicant_row(applicant, user)
    values[step.column] = _day_text(day)
    if action == "stop":
        values["status"] = ApplicantStatus.STOPPED.label
    return _write("applicants", values, user, reason or step.label, step.column)


def applicant_talk(user: Any, applicant: Applicant, day: str, reason: str = ""
                   ) -> StepResult:  # fmt: skip
    return _applicant_date(user, applicant, "talk", day, reason)


def applicant_activist(user: Any, applicant: Applicant, day: str, reason: str = ""
                       ) -> StepResult:  # fmt: skip
    return _applicant_date(user, applicant, "activist", day, reason)


def applicant_candidate(user: Any, applicant: Applicant, day: str,
                        reason: str = "") -> StepResult:  # fmt: skip
    return _applicant_date(user, applicant, "candidate", day, reason)


def applicant_stop(user: Any, applicant: Applicant, day: str, reason: str = ""
                   ) -> StepResult:  # fmt: skip
    return _applicant_date(user, applicant, "stop", day, reason)


def applicant_admit(user: Any, applicant: Applicant, day: str, reason: str = ""
                    ) -> StepResult:  # fmt: skip
    """Admission as a probationary member: the membership (`people`) and the applicant's
    status (`applicants`), both or neither."""
    problem = _precondition(applicant, "admit", day) or _required(day)
    if problem:
        return StepResult({"day": [problem]})
    person_row = _person_row(applicant, user)
    if person_row is None:
        return StepResult({"": ["无权修改该人员的信息"]})
    person_row.update(
        political_status=PoliticalStatus.PROBATIONARY.label,
        joined_on=_day_text(day),
        confirmed_on="",
        probation_extended_to="",
        relation_party_org=applicant.party_org.code,
        employer_uscc="", position="", employed_on="", left_on="",
    )  # fmt: skip
    applicant_row = _applicant_row(applicant, user)
    applicant_row.update(status=ApplicantStatus.ADMITTED.label, status_changed_on=_day_text(day))
    label = reason or STEPS["admit"].label
    result = StepResult()
    try:
        with transaction.atomic():
            saved = record_save(kind="people", values=person_row, user=user, reason=label)
            if not saved.ok:
                raise _Refused(saved)
            saved = record_save(kind="applicants", values=applicant_row, user=user, reason=label)
            if not saved.ok:
                _merge(result, saved, "status_changed_on")
                raise _Refused(saved)
    except _Refused as refused:
        if not result.errors:
            _merge(result, refused.saved, "joined_on")
    return result


def _membership_date(user: Any, applicant: Applicant, action: str, day: str,
                     reason: str) -> StepResult:  # fmt: skip
    step = STEPS[action]
    problem = _precondition(applicant, action, day) or _required(day)
    if problem:
        return StepResult({"day": [problem]})
    values = _person_row(applicant, user)
    if values is None:
        return StepResult({"": ["无权修改该人员的信息"]})
    values.update(employer_uscc="", position="", employed_on="", left_on="")
    values[step.column] = _day_text(day)
    if action == "confirm":
        values["political_status"] = PoliticalStatus.MEMBER.label
        values["probation_extended_to"] = ""
    return _write("people", values, user, reason or step.label, step.column)


def applicant_confirm(user: Any, applicant: Applicant, day: str, reason: str = ""
                      ) -> StepResult:  # fmt: skip
    return _membership_date(user, applicant, "confirm", day, reason)


def applicant_extend(user: Any, applicant: Applicant, day: str, reason: str = ""
                     ) -> StepResult:  # fmt: skip
    return _membership_date(user, applicant, "extend", day, reason)


SERVICES = {
    "talk": applicant_talk,
    "activist": applicant_activist,
    "candidate": applicant_candidate,
    "admit": applicant_admit,
    "confirm": applicant_confirm,
    "extend": applicant_extend,
    "stop": applicant_stop,
}
