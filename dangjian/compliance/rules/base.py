"""A rule: POLICY.md's id, its clause, an exact quote of the policy text, a severity, the
settings it reads, a Chinese message and action — and a set-based evaluation over the facts
of a jurisdiction on a date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
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
    rule: str
    subject: Subject
    area: str  # the township (or unit area) code
    message: str
    due: dt.date | None
    facts: dict[str, Any] = field(default_factory=dict)


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
    evaluate: Evaluate


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
) -> Callable[[Evaluate], Evaluate]:
    """Register a rule; the decorated function yields its findings."""

    def register(evaluate: Evaluate) -> Evaluate:
        assert id not in RULES, f"rule {id} registered twice"
        assert severity in SEVERITY_LABEL
        RULES[id] = Rule(id, clause, title, quote, severity, settings, subject, action, evaluate)
        return evaluate

    return register


def days(date: dt.date | None, n: int) -> dt.date | None:
    return date + dt.timedelta(days=n) if date else None


def add_years(date: dt.date, years: int) -> dt.date:
    try:
        return date.replace(year=date.year + years)
    except ValueError:  # 29 February
        return date.replace(year=date.year + years, day=28)
