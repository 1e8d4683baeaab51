"""What the rectification pages read (docs/dynamics.md): the rectifications of the Party
organizations a user sees, their state, and the system's suggestions — branches with open
LIFE-, ORG- or CAD- findings in two consecutive quarters (a suggestion, never a decision)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.compliance.models import FindingRecord
from dangjian.partyorgs.models import PartyOrganization, PartyOrgLevel
from dangjian.rectifications.models import Rectification

STATES = {"open": "整顿中", "overdue": "逾期未完成", "submitted": "待验收", "resolved": "已完成"}
SUGGESTING = ("LIFE-", "ORG-", "CAD-")


def state_of(r: Rectification, today: dt.date) -> str:
    if r.resolved_on is not None and r.resolved_on <= today:
        return "resolved"
    if r.completion_submitted_on is not None:
        return "submitted"
    return "overdue" if r.deadline < today else "open"


def rectifications_seen(gate: Jurisdiction) -> QuerySet[Rectification]:
    qs = Rectification.objects.select_related("party_org", "party_org__township")
    if not gate.everything:
        qs = qs.filter(party_org__in=gate.party_orgs().values("pk"))
    return qs


def state_q(state: str, today: dt.date) -> Q:
    resolved = Q(resolved_on__isnull=False, resolved_on__lte=today)
    if state == "resolved":
        return resolved
    pending = ~resolved
    if state == "submitted":
        return pending & Q(completion_submitted_on__isnull=False)
    waiting = pending & Q(completion_submitted_on__isnull=True)
    if state == "overdue":
        return waiting & Q(deadline__lt=today)
    return waiting & Q(deadline__gte=today)


def quarters_before(today: dt.date) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
    """The last two closed quarters: (first day, last day) each, the earlier first."""
    q = (today.month - 1) // 3
    start = dt.date(today.year, 3 * q + 1, 1)  # this quarter's first day
    last_end = start - dt.timedelta(days=1)
    last_start = dt.date(last_end.year, last_end.month - 2, 1)
    before_end = last_start - dt.timedelta(days=1)
    before_start = dt.date(before_end.year, before_end.month - 2, 1)
    return (before_start, before_end), (last_start, last_end)


@dataclass
class Suggestion:
    party_org: PartyOrganization
    rules: list[str]
    quarters: str


def suggestions(gate: Jurisdiction, today: dt.date, limit: int = 200) -> list[Suggestion]:
    """Active branches (党支部) the user sees with a LIFE-, ORG- or CAD- finding open at the
    end of each of the last two closed quarters, and no open rectification: one query for
    the findings, one for the branches."""
    (_, first_end), (_, second_end) = quarters_before(today)
    rule_q = Q()
    for prefix in SUGGESTING:
        rule_q |= Q(rule__startswith=prefix)

    def open_on(day: dt.date) -> Q:
        return Q(first_seen__lte=day) & (Q(resolved_on__isnull=True) | Q(resolved_on__gt=day))

    scoped = FindingRecord.objects.all()
    if gate.area is not None:  # the findings store keeps each finding's area path
        scoped = scoped.filter(area_path__startswith=gate.area.path)
    rows = (
        scoped.filter(rule_q, subject_type="party_org")
        .filter(open_on(first_end) | open_on(second_end))
        .values_list("subject_pk", "rule", "first_seen", "resolved_on")
    )
    seen: dict[int, tuple[set[str], bool, bool]] = {}
    for pk, rule, first, resolved in rows:
        if pk is None:
            continue
        rules, a, b = seen.get(pk, (set(), False, False))
        rules.add(rule)
        a = a or (first <= first_end and (resolved is None or resolved > first_end))
        b = b or (first <= second_end and (resolved is None or resolved > second_end))
        seen[pk] = (rules, a, b)
    both = [pk for pk, (_, a, b) in seen.items() if a and b]
    if not both:
        return []
    branches = (
        gate.party_orgs()
        .filter(PartyOrganization.active_on_q(today), pk__in=both, level=PartyOrgLevel.BRANCH)
        .exclude(
            pk__in=Rectification.objects.filter(resolved_on__isnull=True).values("party_org_id")
        )
        .select_related("township")
        .order_by("township__code", "code")[:limit]
    )
    label = f"{first_end:%Y}年第{(first_end.month - 1) // 3 + 1}季度、" \
            f"{second_end:%Y}年第{(second_end.month - 1) // 3 + 1}季度"  # fmt: skip
    return [Suggestion(po, sorted(seen[po.pk][0]), label) for po in branches]


def may_review(user: Any, r: Rectification) -> bool:
    """The level above: an area officer who sees it — who identifies weak Party
    organizations and writes the `rectifications` kind (a secretary writes neither, so that
    no Party organization resolves its own rectification)."""
    from dangjian.accounts.models import Role

    if user.is_superuser and not user.role:
        return True
    if user.role in (Role.CITY, Role.DISTRICT, Role.TOWNSHIP):
        return Jurisdiction(user).party_orgs().filter(pk=r.party_org_id).exists()
    return False


def may_report(user: Any, r: Rectification) -> bool:
    """Its own secretary (or one above it), or an officer who sees it: notes and the report
    of completion."""
    from dangjian.accounts.models import Role

    if user.is_superuser and not user.role:
        return True
    if user.role in (Role.CITY, Role.DISTRICT, Role.TOWNSHIP, Role.ORG):
        return Jurisdiction(user).party_orgs().filter(pk=r.party_org_id).exists()
    return False
