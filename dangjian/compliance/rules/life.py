"""四.4 严格党内政治生活 — organization life (组织生活): 三会一课 and 主题党日 (LIFE-MEETINGS),
组织生活会 and 民主评议党员 (LIFE-REVIEW), per Party branch and period.

Each checked period of a type in which the branch held no approved meeting of it (of its
Party group, for 党小组会) is one finding; its `occurrence` is the period's first day and
the type (and group), so that one branch's findings sort as CONTRACT.md sorts them. What a
period requires is decided in `dangjian/compliance/facts/life.py`, which the grid of the
pages reads too (`dangjian.life.grid`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from dangjian.compliance.facts import Facts, PartyOrgFacts
from dangjian.compliance.facts.life import MEETING_TYPES, REVIEW_TYPES, Slot
from dangjian.compliance.policy import Policy
from dangjian.compliance.rules.base import Finding, Subject, rule
from dangjian.life.models import MeetingType

# How a missing meeting is said: 未召开支部党员大会, 未上党课, 未开展主题党日.
VERB: dict[str, str] = {
    MeetingType.ASSEMBLY: "召开",
    MeetingType.COMMITTEE: "召开",
    MeetingType.GROUP: "召开",
    MeetingType.LECTURE: "上",
    MeetingType.LIFE: "召开",
    MeetingType.APPRAISAL: "开展",
    MeetingType.THEME_DAY: "开展",
}


def occurrence(slot: Slot) -> str:
    """The period's first day, the type and the group: "2026-07-01 党小组会 第一党小组"."""
    text = f"{slot.first.isoformat()} {slot.label}"
    return f"{text} {slot.group.name}" if slot.group is not None else text


def message(slot: Slot) -> str:
    """「2026年第3季度未召开支部党员大会」「2026年7月第一党小组未召开党小组会」"""
    group = slot.group.name if slot.group is not None else ""
    return f"{slot.name}{group}未{VERB[slot.type]}{slot.label}"


def finding(party_org: PartyOrgFacts, slot: Slot, subject: Subject | None = None) -> Finding:
    """The finding of a period `slot` of `party_org` (whose `subject` it is, when known)."""
    facts: dict[str, Any] = {"type": slot.label, "period": slot.period}
    if slot.group is not None:
        facts["party_group"] = slot.group.name
    return Finding(
        subject or Subject("party_org", party_org.code, party_org.name, party_org.pk),
        party_org.township_code,
        message(slot),
        slot.last,
        facts,
        occurrence=occurrence(slot),
    )


def missing(facts: Facts, policy: Policy, types: Sequence[str]) -> Iterator[Finding]:
    """A finding for each checked period of one of `types` in which no approved meeting was
    held (one `Subject` for a branch's findings: they come together)."""
    chosen = frozenset(types)
    last: PartyOrgFacts | None = None
    subject: Subject | None = None
    for party_org, slot in facts.life_missing(policy):
        if slot.type in chosen:
            if party_org is not last:
                last = party_org
                subject = Subject("party_org", party_org.code, party_org.name, party_org.pk)
            yield finding(party_org, slot, subject)


@rule(
    id="LIFE-MEETINGS",
    clause="四.4",
    title="党支部按期召开“三会一课”、开展主题党日",
    quote="坚持“三会一课”、民主评议党员等党内生活制度",
    severity="medium",
    subject="party_org",
    action=(
        "按期召开支部党员大会、支部委员会会议、党小组会，按期上党课、开展主题党日，"
        "并录入会议记录报上级审核"
    ),
    settings=(
        "life_lookback_months",
        "life_assembly_period",
        "life_committee_period",
        "life_group_period",
        "life_lecture_period",
        "life_theme_day_period",
    ),
)
def meetings(facts: Facts, policy: Policy) -> Iterator[Finding]:
    return missing(facts, policy, MEETING_TYPES)


@rule(
    id="LIFE-REVIEW",
    clause="四.4",
    title="党支部每年召开组织生活会、开展民主评议党员",
    quote="民主评议党员等党内生活制度，增强党内生活的原则性战斗性",
    severity="medium",
    subject="party_org",
    action="每年至少召开1次组织生活会、开展1次民主评议党员，并录入会议记录报上级审核",
    settings=("life_lookback_months", "life_review_period", "life_appraisal_period"),
)
def review(facts: Facts, policy: Policy) -> Iterator[Finding]:
    return missing(facts, policy, REVIEW_TYPES)
