"""Evaluating the rules as of a date over a jurisdiction, explaining them for one subject,
and recording full checks in the findings store."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.accounts.models import User
from dangjian.areas.models import Area
from dangjian.compliance import policy as policy_module
from dangjian.compliance.facts import Facts
from dangjian.compliance.models import CheckRun, FindingRecord
from dangjian.compliance.policy import Policy
from dangjian.compliance.rules import (  # noqa: F401  (registers)
    backbone,
    cadres,
    coverage,
    development,
    dues,
    dynamics,
    life,
    management,
)
from dangjian.compliance.rules.base import RULES, Finding, Rule, days
from dangjian.core.version import bump
from dangjian.lib import bulk
from dangjian.lib.bulk import key_batches
from dangjian.tasks.services import tasks_follow


@dataclass
class CheckResult:
    as_of: dt.date
    policy_version: str
    rules: list[str]
    findings: list[Finding] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(self.rules, 0)
        for finding in self.findings:
            counts[finding.rule] += 1
        return counts

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "policy_version": self.policy_version,
            "summary": self.summary,
            "findings": [finding_dict(f) for f in self.findings],
        }


def finding_dict(finding: Finding) -> dict[str, Any]:
    rule = RULES[finding.rule]
    return {
        "rule": finding.rule,
        "clause": rule.clause,
        "severity": rule.severity,
        "subject": {
            "type": finding.subject.type,
            "key": finding.subject.key,
            "name": finding.subject.name,
        },
        "area": finding.area,
        "message": finding.message,
        "action": rule.action,
        "due": finding.due.isoformat() if finding.due else None,
        "facts": finding.facts,
    }


def selected_rules(ids: Sequence[str] | None) -> list[Rule]:
    if not ids:
        return sorted(RULES.values(), key=lambda r: r.id)
    unknown = [i for i in ids if i not in RULES]
    if unknown:
        raise KeyError(unknown)
    return sorted((RULES[i] for i in set(ids)), key=lambda r: r.id)


def evaluate(
    *,
    as_of: dt.date,
    area: Area | None = None,
    rules: Sequence[str] | None = None,
    policy: Policy | None = None,
    facts: Facts | None = None,
    user: User | None = None,
) -> CheckResult:
    """Every selected rule over `area` (None: everything) on `as_of`, as `user` may see it
    (None: the system itself). An area outside the user's jurisdiction finds nothing."""
    policy = policy or policy_module.in_force(as_of)
    gate = Jurisdiction(user)
    if area is None and not gate.everything:
        area = gate.facts_area()
    facts = facts or Facts(as_of, area)
    chosen = selected_rules(rules)
    findings: list[Finding] = []
    if not gate.nothing:
        with _collector_paused():
            for rule in chosen:
                findings.extend(rule.evaluate(facts, policy))
    if not gate.everything:
        findings = visible(gate, findings, area)
    findings = _with_due_dates(findings, as_of, policy)
    # One subject's several findings (occurrences) in the order of their occurrence.
    findings.sort(key=lambda f: (f.rule, f.subject.key, f.occurrence))
    return CheckResult(as_of, policy.version, [r.id for r in chosen], findings)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while the rules run: they build hundreds of thousands of
    objects (facts, periods, findings) and no cycle, and the collector walking them again and
    again cost a sixth of a province's check (measured: 1.00 → 0.85 s)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def visible(gate: Jurisdiction, findings: list[Finding], area: Area | None) -> list[Finding]:
    """The findings whose subject the user may see (the gate's own selectors decide)."""
    if gate.nothing:
        return []
    if gate.area is not None:
        if area is not None and not area.path.startswith(gate.area.path):
            return []
        return findings
    by_type = {
        "social_org": set(gate.orgs().values_list("pk", flat=True)),
        "party_org": set(gate.party_orgs().values_list("pk", flat=True)),
        "person": set(gate.people().values_list("pk", flat=True)),
        "unit": {gate.user.unit_id} if gate.user is not None and gate.user.unit_id else set(),
    }
    return [f for f in findings if f.subject.pk in by_type.get(f.subject.type, set())]


# A finding's identity in the store: (rule, subject type, subject pk, occurrence).
Identity = tuple[str, str, int | None, str]


def identity(finding: Finding) -> Identity:
    """(rule, subject, occurrence) — the subject by its own key, not its shown key: two
    people can share a masked number."""
    return (finding.rule, finding.subject.type, finding.subject.pk, finding.occurrence)


def _with_due_dates(findings: list[Finding], as_of: dt.date, policy: Policy) -> list[Finding]:
    """Rules with no dated fact to start from fall due a fixed period after the finding was
    first recorded (or after today, for one never recorded); a rule whose findings have no
    due date (`Rule.dated` False) keeps none."""
    undated = [f for f in findings if f.due is None and RULES[f.rule].dated]
    if not undated:
        return findings
    first_seen: dict[Identity, dt.date] = {}
    rules = sorted({f.rule for f in undated})
    for rule, kind, key, occurrence, seen in FindingRecord.objects.filter(
        rule__in=rules, resolved_on__isnull=True
    ).values_list("rule", "subject_type", "subject_pk", "occurrence", "first_seen"):
        first_seen[(rule, kind, key, occurrence)] = seen
    period = policy["fix_within_days"]
    out = []
    for finding in findings:
        if finding.due is None and RULES[finding.rule].dated:
            since = first_seen.get(identity(finding), as_of)
            finding = replace(finding, due=days(since, period))
        out.append(finding)
    return out


class RecordingOrderError(Exception):
    pass


@transaction.atomic
def record(result: CheckResult, *, cause: str = "") -> CheckRun:
    """Record a full check (every rule, the whole system): new findings open, the ones no
    longer found are resolved on the check's date, the others are refreshed. The tasks'
    events name `cause`; by default the periodic check — or, when the settings version
    differs from the last recorded check's, the version now in force (a revision taking
    effect: docs/policy-versions.md)."""
    if set(result.rules) != set(RULES):
        raise ValueError("only a check of every rule is recorded")
    last = CheckRun.objects.order_by("-as_of", "-ran_at").first()
    if last is not None and last.as_of > result.as_of:
        raise RecordingOrderError(
            f"已记录 {last.as_of} 的检查，不能再记录更早日期 {result.as_of} 的检查"
        )
    if not cause:
        cause = "定期全面检查"
        if last is not None and last.policy_version != result.policy_version:
            cause = f"政策设置调整（自 {result.as_of} 起按版本 {result.policy_version}）"
    opened, resolved = reconcile(
        result, FindingRecord.objects.filter(resolved_on__isnull=True), cause=cause
    )
    bump()  # a recorded check is a change of the data (its run, the open counts by day)
    return CheckRun.objects.create(
        as_of=result.as_of,
        policy_version=result.policy_version,
        summary=result.summary,
        opened=opened,
        resolved=resolved,
        open=len(result.findings),
    )


def reconcile(
    result: CheckResult, open_now: QuerySet[FindingRecord], *, cause: str
) -> tuple[int, int]:
    """Bring the findings store in line with `result` for the open findings `open_now`
    selects (those `result` speaks for): new findings open on the result's date, those no
    longer found are resolved on it, the others are refreshed; the tasks follow
    (`dangjian.tasks.services.tasks_follow`, with `cause`: what changed). Returns (opened,
    resolved)."""
    codes = sorted({f.area for f in result.findings})
    paths: dict[str, str] = {}
    for batch in key_batches(codes):
        paths.update(Area.objects.filter(code__in=batch).values_list("code", "path"))
    open_records = {(r.rule, r.subject_type, r.subject_pk, r.occurrence): r for r in open_now}
    seen: set[Identity] = set()
    new: list[FindingRecord] = []
    changed: list[FindingRecord] = []
    still_open: list[int] = []
    for f in result.findings:
        key = identity(f)
        seen.add(key)
        record = open_records.get(key)
        if record is None:
            new.append(
                FindingRecord(
                    rule=f.rule,
                    subject_type=f.subject.type,
                    subject_key=f.subject.key,
                    subject_name=f.subject.name[:200],
                    subject_pk=f.subject.pk,
                    occurrence=f.occurrence,
                    area=f.area,
                    area_path=paths.get(f.area, ""),
                    severity=RULES[f.rule].severity,
                    message=f.message,
                    due=f.due,
                    facts=f.facts,
                    first_seen=result.as_of,
                    last_seen=result.as_of,
                    policy_version=result.policy_version,
                )
            )
        else:
            content = (
                f.subject.name[:200], f.subject.key, f.area, f.message, f.due, f.facts,
                result.policy_version,
            )  # fmt: skip
            stored = (
                record.subject_name, record.subject_key, record.area, record.message,
                record.due, record.facts, record.policy_version,
            )  # fmt: skip
            if content != stored:
                record.subject_name, record.subject_key, record.area = content[:3]
                record.area_path = paths.get(f.area, "")
                record.message, record.due, record.facts, record.policy_version = content[3:]
                changed.append(record)
            still_open.append(record.pk)
    bulk.insert_objects(FindingRecord, new)
    # Most open findings are as they were: one UPDATE moves their last sighting.
    for batch in key_batches(still_open):
        FindingRecord.objects.filter(pk__in=batch).update(last_seen=result.as_of)
    # One prepared UPDATE by key, executed for all (Django's bulk_update builds a CASE per
    # field and row: minutes for a hundred thousand findings).
    fields = [
        "subject_name", "subject_key", "area", "area_path", "message", "due", "facts",
        "policy_version",
    ]  # fmt: skip
    bulk.update(
        FindingRecord,
        fields,
        [(r.pk, tuple(getattr(r, name) for name in fields)) for r in changed],
    )
    gone = [r for key, r in open_records.items() if key not in seen]
    for batch in key_batches([r.pk for r in gone]):
        FindingRecord.objects.filter(pk__in=batch).update(resolved_on=result.as_of)
    for record in gone:
        record.resolved_on = result.as_of
    tasks_follow(opened=new, resolved=gone, on=result.as_of, cause=cause)
    if new or changed or gone:
        bump()
    return len(new), len(gone)


def open_on(day: dt.date, area: Area | None = None) -> Q:
    """Findings open on `day` (first seen on or before it, not resolved by then)."""
    q = Q(first_seen__lte=day) & (Q(resolved_on__isnull=True) | Q(resolved_on__gt=day))
    if area is not None:
        q &= Q(area_path__startswith=area.path)
    return q


def open_counts(days_: Iterable[dt.date], area: Area | None = None) -> dict[dt.date, int]:
    """How many findings were open on each day (from the store)."""
    return {day: FindingRecord.objects.filter(open_on(day, area)).count() for day in days_}
