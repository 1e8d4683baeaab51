"""A rule: POLICY.md's id, its clause, an exact quote of the policy text, a severity, the
settings it reads, a Chinese message and action — and a set-based evaluation over the facts
of a jurisdiction on a date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from dangjian.compliance.facts import Facts
from dangjian.compliance.policy import Policy


@dataclass(frozen=True)
class Subject:
    type: str  # social_org, party_org, person, unit, area (CONTRACT.md)
    key: str
    name: str
    # The subject's primary key, for the jurisdiction gate; never shown.
    pk: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Finding:
    """What a rule finds of one subject. A finding's identity is (rule, subject,
    occurrence): `occurrence` is what the rule's facts tell apart when one subject can be
    found several times (a period, a year, a record: "2026-Q3 支部党员大会"), "" when it
    cannot. It sorts the findings of one subject and keys the findings store; the JSON shows
    it only through `facts` (CONTRACT.md). The rule's id is supplied by the `rule` decorator:
    a rule's evaluation yields findings without it."""

    subject: Subject
    area: str  # the township (or unit area) code
    message: str
    due: dt.date | None
    facts: dict[str, Any] = field(default_factory=dict)
    occurrence: str = ""
    rule: str = ""  # set by the decorator (`Rule.evaluate`)


Evaluate = Callable[[Facts, Policy], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    clause: str  # e.g. 三.1
    title: str
    quote: str  # an exact excerpt of changsha-2015-2.txt
    severity: str  # high, medium, low
    settings: tuple[str, ...]
    subject: str
    action: str
    find: Evaluate  # the decorated function: its findings carry no rule id
    # Other subject types its findings may have (MGT-STUDY: districts, and units too).
    also: tuple[str, ...] = ()
    # False: the rule's findings have no due date (CONTRACT.md says null: DEV-ACTIVIST-TIME),
    # and the engine gives them none (`engine._with_due_dates`).
    dated: bool = True

    @property
    def subjects(self) -> tuple[str, ...]:
        return (self.subject, *self.also)

    def evaluate(self, facts: Facts, policy: Policy) -> Iterator[Finding]:
        """The rule's findings, each carrying this rule's id."""
        for finding in self.find(facts, policy):
            assert len(finding.occurrence) <= 64, "FindingRecord.occurrence holds 64"
            assert finding.subject.type in self.subjects, (self.id, finding.subject.type)
            yield replace(finding, rule=self.id)


RULES: dict[str, Rule] = {}
SEVERITY_LABEL = {"high": "高", "medium": "中", "low": "低"}


def rule(
    *,
    id: str,
    clause: str,
    title: str,
    quote: str,
    severity: str,
    subject: str,
    action: str,
    settings: tuple[str, ...] = (),
    also: tuple[str, ...] = (),
    dated: bool = True,
) -> Callable[[Evaluate], Evaluate]:
    """Register a rule; the decorated function yields its findings."""

    def register(evaluate: Evaluate) -> Evaluate:
        assert id not in RULES, f"rule {id} registered twice"
        assert severity in SEVERITY_LABEL
        RULES[id] = Rule(
            id, clause, title, quote, severity, settings, subject, action, evaluate, also, dated
        )
        return evaluate

    return register


def days(date: dt.date | None, n: int) -> dt.date | None:
    return date + dt.timedelta(days=n) if date else None


def add_years(date: dt.date, years: int) -> dt.date:
    try:
        return date.replace(year=date.year + years)
    except ValueError:  # 29 February
        return date.replace(year=date.year + years, day=28)
