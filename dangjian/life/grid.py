"""The grid of organization life (组织生活) for the pages and statistics: per Party branch,
per meeting type (and Party group) and per period of a year, whether the meeting was held,
is missing, was not required (and why), or its period is still open.

It is built on the rules' own reading (`dangjian/compliance/facts/life.py`: `life_records`
and `slots`), so that a page and `check` cannot disagree: within the rules' lookback, the
missing cells of a branch active on the date are exactly the findings of LIFE-MEETINGS and
LIFE-REVIEW (tested). The grid shows every period of the year, whatever the lookback, and
the branches active on some day of it (a branch dissolved since keeps its history).

A handful of queries, whatever the number of branches: the branches, then the meetings,
Party groups and committee offices of all of them at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from dangjian.compliance import policy as policy_module
from dangjian.compliance.facts.life import life_records, slots, window
from dangjian.compliance.policy import Policy
from dangjian.life.models import MeetingType
from dangjian.partyorgs.models import COVERING_FORMS, PartyOrganization, PartyOrgLevel

HELD, MISSING, NOT_REQUIRED, OPEN = "held", "missing", "not_required", "open"
LABELS = {t.value: str(t.label) for t in MeetingType}
ORDER = {str(t.label): i for i, t in enumerate(MeetingType)}  # a type's label -> its rank


@dataclass
class Cell:
    """One period of one requirement."""

    period: str  # "2026-07", "2026-Q3", "2026"
    first: dt.date
    last: dt.date
    # held | missing | not_required | open (the period has not ended by the date)
    state: str
    held: int  # approved meetings of the type (and group) in the period
    pending: int  # meetings recorded but not approved (draft / submitted / returned)
    why: str = ""  # why not required: 「支部成立前」「规则生效前」「未设支部委员会（…）」…

    @property
    def required(self) -> bool:
        return self.state != NOT_REQUIRED


@dataclass
class Row:
    """One branch: its lines (type label, Party group name or "", the year's cells in
    order), types in the order of MeetingType, 党小组会 once per Party group (by name) that
    existed during the year — none for a branch without groups."""

    pk: int
    code: str
    name: str
    township: str
    lines: list[tuple[str, str, list[Cell]]] = field(default_factory=list)

    def still_to_hold(self, as_of: dt.date) -> list[ToHold]:
        """The meetings of the periods running on `as_of` that are required and not held
        yet, with their deadline (the period's last day), soonest first."""
        return still_to_hold(self, as_of)


@dataclass(frozen=True)
class ToHold:
    type: str  # the type's label
    group: str  # the Party group's name, or ""
    period: str
    due: dt.date  # the period's last day
    pending: int  # recorded, waiting for approval


def still_to_hold(row: Row, as_of: dt.date) -> list[ToHold]:
    """The meetings of the periods running on `as_of` that are required and not held yet,
    with their deadline (the period's last day), soonest first."""
    out = [
        ToHold(label, group, cell.period, cell.last, cell.pending)
        for label, group, cells in row.lines
        for cell in cells
        if cell.first <= as_of <= cell.last and cell.state == OPEN and not cell.held
    ]
    return sorted(out, key=lambda t: (t.due, ORDER[t.type], t.group))


def _branches(party_orgs: Any, first: dt.date, last: dt.date) -> QuerySet[PartyOrganization]:
    """The branches of `party_orgs` the rules check (of a form of social organizations),
    active on some day from `first` to `last`."""
    if isinstance(party_orgs, QuerySet):
        chosen = Q(pk__in=party_orgs.order_by().values("pk"))
    else:
        chosen = Q(pk__in_ids=frozenset(int(pk) for pk in party_orgs))
    return PartyOrganization.objects.filter(
        chosen,
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=first),
        level=PartyOrgLevel.BRANCH,
        form__in=COVERING_FORMS,
        founded_on__lte=last,
    ).order_by("township__code", "code")


def life_grid(
    party_orgs: QuerySet[PartyOrganization] | Iterable[int],
    year: int,
    as_of: dt.date,
    policy: Policy | None = None,
) -> list[Row]:
    """The grid of `year` on `as_of` of the branches among `party_orgs` (a queryset or keys
    of Party organizations the caller may see) that the rules check, in order of township
    and code: months 1–12 for a monthly type, 4 quarters, or the year. A cell is *missing*
    when the meeting was required, its period ended before `as_of` and no approved meeting
    was held in it (whatever the rules' lookback, which only limits what they find)."""
    policy = policy or policy_module.in_force(as_of)
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    branches = list(
        _branches(party_orgs, first, last).values_list(
            "pk", "code", "name", "township__name", "founded_on", "dissolved_on"
        )
    )
    records = life_records((b[0] for b in branches), *window(policy, first, last))
    rows = []
    for pk, code, name, township, founded_on, dissolved_on in branches:
        row = Row(pk, code, name, township)
        lines: dict[tuple[str, int | None], list[Cell]] = {}
        names: dict[tuple[str, int | None], str] = {}
        for slot in slots(records, pk, founded_on, dissolved_on, policy, first, last):
            if not slot.required:
                state = NOT_REQUIRED
            elif slot.last >= as_of:
                state = OPEN
            elif slot.held:
                state = HELD
            else:
                state = MISSING
            key = (slot.type, slot.group.pk if slot.group is not None else None)
            names[key] = slot.group.name if slot.group is not None else ""
            lines.setdefault(key, []).append(
                Cell(slot.period, slot.first, slot.last, state, slot.held, slot.pending, slot.why)
            )
        row.lines = [(LABELS[t], names[(t, g)], cells) for (t, g), cells in lines.items()]
        rows.append(row)
    return rows
