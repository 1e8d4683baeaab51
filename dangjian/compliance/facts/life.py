"""四.4 严格党内政治生活 — the facts of organization life (组织生活): for each Party branch,
each period of each meeting type (and Party group), whether the meeting was required, and
how many were held.

The pages and statistics (`dangjian.life.grid`) read `life_records`: what the branches'
records say over a window of days (three queries, whatever the number of branches: the
meetings grouped by Party organization, type and Party group, with the day of each; the
Party groups; the committee offices), and `slots` decides each period from them. The rules
(LIFE-MEETINGS, LIFE-REVIEW: `LifeFacts.life_missing`) need only the periods missing, and
read less: the database combines the meetings into one integer per Party organization,
type and group, a bit per period held (`held_masks`), each type over its own checked
periods only; the Party groups and the offices are the same two queries, and which periods
are required is decided by the same definitions, as bits (`Checked.whole`,
`committee_mask`). `tests/test_rules_life.py` checks that the grid is missing exactly what
the rules find (on random data too), and `tests/test_rules_reference.py` the rules against
a slow reference.

A period of a meeting type is *required* of a branch (CONTRACT.md, "The rules of Party
work, exactly") when its first day is on or after the policy's `effective_on`, the branch
was active on every day of it (founded on or before its first day, not dissolved on or
before its last), and for 支部委员会会议 the branch had a committee (at least 3 people
holding 书记/副书记/委员 on the period's first day), for 党小组会 (one requirement per Party
group) the group existed on every day of it. Only approved meetings count (`held`); the
others recorded are `pending`. The rules check a required period once it has ended before
the date and within `life_lookback_months` of it; the grid shows every period of a year.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Aggregate, BigIntegerField, CharField, F, Func, Q, StringAgg, Value

from dangjian.compliance.facts.backbone import PartyOrgFacts
from dangjian.compliance.facts.base import _rows
from dangjian.compliance.facts.people import PeopleFacts
from dangjian.compliance.policy import Period, Policy
from dangjian.lib.dated import holds_on
from dangjian.life.models import Meeting, MeetingType, PartyGroup, ReviewState
from dangjian.partyorgs.models import (
    COVERING_FORMS,
    CommitteeMembership,
    CommitteeRole,
    PartyOrgLevel,
)

# Each meeting type and the setting of its period, in the order of MeetingType.
PERIOD_SETTING: dict[str, str] = {
    MeetingType.ASSEMBLY: "life_assembly_period",
    MeetingType.COMMITTEE: "life_committee_period",
    MeetingType.GROUP: "life_group_period",
    MeetingType.LECTURE: "life_lecture_period",
    MeetingType.LIFE: "life_review_period",
    MeetingType.APPRAISAL: "life_appraisal_period",
    MeetingType.THEME_DAY: "life_theme_day_period",
}
assert list(PERIOD_SETTING) == [t.value for t in MeetingType], "every type, in order"
# The types each rule checks (三会一课 and 主题党日; 组织生活会 and 民主评议党员).
MEETING_TYPES = (
    MeetingType.ASSEMBLY,
    MeetingType.COMMITTEE,
    MeetingType.GROUP,
    MeetingType.LECTURE,
    MeetingType.THEME_DAY,
)
REVIEW_TYPES = (MeetingType.LIFE, MeetingType.APPRAISAL)
# A branch has a committee (支部委员会) when at least this many people hold 书记, 副书记 or
# 委员 (CONTRACT.md; the size ORG-COMMITTEE asks for).
COMMITTEE_MIN_PEOPLE = 3
COMMITTEE_ROLES = (CommitteeRole.SECRETARY, CommitteeRole.DEPUTY, CommitteeRole.MEMBER)

# Each type's name (支部党员大会), looked up once.
LABELS: dict[str, str] = {t.value: str(t.label) for t in MeetingType}

_WHOLE = {"month": "整月", "quarter": "整季度", "year": "整年"}
_SAME = {"month": "当月", "quarter": "当季度", "year": "当年"}
_FIRST_DAY = {"month": "当月1日", "quarter": "当季度首日", "year": "当年1月1日"}


def add_months(day: dt.date, n: int) -> dt.date:
    """`day` + n months (n may be negative): the same day n months later, or that month's
    last day where it has none (2026-01-31 + 1 month = 2026-02-28)."""
    months = day.year * 12 + day.month - 1 + n
    year, month = divmod(months, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_index(day: dt.date) -> int:
    """The month of a day as one integer (year × 12 + month − 1)."""
    return day.year * 12 + day.month - 1


class IsoDate(Func):
    """A date column as its ISO text (YYYY-MM-DD), to be listed in one text per group
    (`StringAgg`): SQLite keeps it so; PostgreSQL writes it whatever its DateStyle."""

    output_field = CharField()
    template = "to_char(%(expressions)s, 'YYYY-MM-DD')"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="%(expressions)s", **extra)


def period_last(period: Period, first: dt.date) -> dt.date:
    """The last day of the period starting on `first`."""
    return add_months(first, period.months) - dt.timedelta(days=1)


def periods(period: Period, start: dt.date, end: dt.date) -> Iterator[tuple[dt.date, dt.date]]:
    """(first day, last day) of every period that has a day in [start, end], in order."""
    first = period.first_day(start)
    while first <= end:
        yield first, period_last(period, first)
        first = add_months(first, period.months)


def period_name(period: Period, first: dt.date) -> str:
    """The period in Chinese: 2026年7月, 2026年第3季度, 2026年度."""
    if period.unit == "month":
        return f"{first.year}年{first.month}月"
    if period.unit == "quarter":
        return f"{first.year}年第{(first.month - 1) // 3 + 1}季度"
    return f"{first.year}年度"


@dataclass(frozen=True, slots=True)
class Span:
    """A calendar period: its days, its months, and its names."""

    first: dt.date
    last: dt.date
    months: tuple[int, ...]  # its months (`month_index`)
    index: int  # its place among the periods of its kind: `month_index` // its months
    label: str  # 2026-07, 2026-Q3, 2026
    name: str  # 2026年7月, 2026年第3季度, 2026年度


@functools.lru_cache(maxsize=512)
def spans(period: Period, start: dt.date, end: dt.date) -> tuple[Span, ...]:
    """Every period that has a day in [start, end], in order (computed once: the same for
    every branch)."""
    return tuple(
        Span(
            first,
            last,
            tuple(month_index(first) + i for i in range(period.months)),
            month_index(first) // period.months,
            period.label(first),
            period_name(period, first),
        )
        for first, last in periods(period, start, end)
    )


@dataclass(frozen=True, slots=True)
class GroupSpan:
    """A Party group, and when it existed."""

    pk: int
    name: str
    founded_on: dt.date
    dissolved_on: dt.date | None

    def whole(self, first: dt.date, last: dt.date) -> bool:
        """Whether it existed on every day from `first` to `last`."""
        return holds_on(self.founded_on, self.dissolved_on, first) and holds_on(
            self.founded_on, self.dissolved_on, last
        )


# (Party organization, type, Party group or None) -> {month (`month_index`): meetings}
Counts = dict[tuple[int, str, int | None], dict[int, int]]
_NONE: dict[int, int] = {}


@dataclass(slots=True)
class LifeRecords:
    """What the records of some branches say over a window of days: meetings by month,
    Party groups, committee offices."""

    held: Counts = field(default_factory=dict)  # approved meetings
    pending: Counts = field(default_factory=dict)  # recorded, not (yet) approved
    groups: dict[int, list[GroupSpan]] = field(default_factory=dict)  # by name
    # Party organization -> (person, started, ended) of each office
    offices: dict[int, list[tuple[int, dt.date, dt.date | None]]] = field(default_factory=dict)

    def committee_on(self, party_org: int, day: dt.date) -> int:
        """How many people hold an office of the committee on `day` (lib/dated semantics:
        an office ending on the day no longer holds on it)."""
        offices = self.offices.get(party_org, ())
        return len({person for person, started, ended in offices if holds_on(started, ended, day)})


def _add(
    counts: Counts, key: tuple[int, str, int | None], days: str | None, months: dict[str, int]
) -> None:
    """Count the meetings held on `days` ("2026-07-01,2026-07-15": the day of each) by
    month (`months`: the month of each day of the window, by its text)."""
    if not days:
        return
    found = counts.setdefault(key, {})  # a type other than 党小组会 may come with groups
    for month in map(months.__getitem__, days.split(",")):
        found[month] = found.get(month, 0) + 1


def life_records(
    party_orgs: Iterable[int],
    start: dt.date,
    end: dt.date,
    *,
    pending: bool = True,
    most: bool = False,
    early: Sequence[str] = (),
    later_from: dt.date | None = None,
) -> LifeRecords:
    """The records of the Party organizations `party_orgs` (keys) from `start` to `end`:
    meetings held in it (approved, and with `pending` the others), the Party groups that
    existed on one of its days, the offices held on one of its days. Three queries.

    `most`: the keys are most of the Party organizations there are (a full check): the
    meetings are read without naming them, and the rows of the others left out here —
    cheaper than the database testing each row against thousands of keys. `later_from`: the
    meetings of the types other than `early` are read from that day only (a month's or a
    quarter's rules need less of the window than a year's)."""
    keys = frozenset(party_orgs)
    out = LifeRecords()
    if not keys:
        return out
    meetings = Meeting.objects.filter(held_on__gte=start, held_on__lte=end).order_by()
    if later_from is not None and later_from > start:
        meetings = meetings.filter(Q(held_on__gte=later_from) | Q(type__in=list(early)))
    if not most:
        meetings = meetings.filter(party_org_id__in_ids=keys)
    if not pending:
        meetings = meetings.filter(state=ReviewState.APPROVED)
    # One row per Party organization, type and group, with the day of each meeting (a
    # list as text): a few rows per branch, where one per month cost more to read than the
    # rules then spent on them.
    approved = Q(state=ReviewState.APPROVED)
    held_on = IsoDate("held_on")
    if pending:
        aggregates = {
            "held": StringAgg(held_on, Value(","), filter=approved),
            "pending": StringAgg(held_on, Value(","), filter=~approved),
        }
    else:
        aggregates = {"held": StringAgg(held_on, Value(","))}
    rows = meetings.values_list("party_org_id", "type", "party_group_id").annotate(**aggregates)
    days = (start + dt.timedelta(days=n) for n in range((end - start).days + 1))
    months = {d.isoformat(): month_index(d) for d in days}
    for party_org, type_, group, held, *others in _rows(rows):
        if most and party_org not in keys:
            continue
        # 党小组会 count per group; the other types per Party organization.
        key = (party_org, type_, group if type_ == MeetingType.GROUP else None)
        _add(out.held, key, held, months)
        if others:
            _add(out.pending, key, others[0], months)
    out.groups = party_groups(keys, start, end)
    out.offices = committee_offices(keys, start, end)
    return out


def party_groups(
    keys: frozenset[int], start: dt.date, end: dt.date, *, most: bool = False
) -> dict[int, list[GroupSpan]]:
    """The Party groups of the Party organizations `keys` that existed on a day from `start`
    to `end`, by Party organization, in order of name. One query; `most`: as
    `life_records`."""
    groups: dict[int, list[GroupSpan]] = defaultdict(list)
    rows = PartyGroup.objects.filter(
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=start), founded_on__lte=end
    )
    if not most:
        rows = rows.filter(party_org_id__in_ids=keys)
    for party_org, pk, name, founded, dissolved in _rows(
        rows.order_by("party_org_id", "name", "pk").values_list(
            "party_org_id", "pk", "name", "founded_on", "dissolved_on"
        )
    ):
        if party_org in keys:
            groups[party_org].append(GroupSpan(pk, name, founded, dissolved))
    return dict(groups)


def committee_offices(
    keys: frozenset[int], start: dt.date, end: dt.date, *, most: bool = False
) -> dict[int, list[tuple[int, dt.date, dt.date | None]]]:
    """(person, started, ended) of each office of the committee (书记, 副书记, 委员) of the
    Party organizations `keys` held on a day from `start` to `end`. One query; `most`: as
    `life_records`."""
    offices: dict[int, list[tuple[int, dt.date, dt.date | None]]] = defaultdict(list)
    rows = CommitteeMembership.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=start),
        role__in=COMMITTEE_ROLES,
        started_on__lte=end,
    )
    if not most:
        rows = rows.filter(party_org_id__in_ids=keys)
    for party_org, person, started, ended in _rows(
        rows.order_by().values_list("party_org_id", "person_id", "started_on", "ended_on")
    ):
        if party_org in keys:
            offices[party_org].append((person, started, ended))
    return dict(offices)


# The rules' reading (`held_masks`) keeps the periods of one type in which meetings were held
# as the bits of one integer: at most this many periods of a type (a lookback of about five
# years for months); beyond, they read `life_records`.
MAX_PERIODS = 62


class PeriodBit(Func):
    """The bit of the period a meeting was held in, among the periods read of its type:
    1 << (the period's index − the first period's), the index being `month_index` // the
    period's months (`Span.index`). `types`: (type, months of its period, index of its
    first period read)."""

    output_field = BigIntegerField()

    def __init__(self, types: Sequence[tuple[str, int, int]]) -> None:
        super().__init__(F("type"), F("held_on"))
        self.types = tuple(types)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # SQLite keeps a date as its ISO text: YYYY-MM-DD.
        return self._case(
            compiler,
            "CAST(substr({0}, 1, 4) AS integer)",
            "CAST(substr({0}, 6, 2) AS integer)",
            "1",
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self._case(
            compiler,
            "CAST(EXTRACT(YEAR FROM {0}) AS integer)",
            "CAST(EXTRACT(MONTH FROM {0}) AS integer)",
            "CAST(1 AS bigint)",
        )

    def _case(self, compiler: Any, year: str, month: str, one: str) -> tuple[str, list[Any]]:
        type_expr, day_expr = self.get_source_expressions()
        type_sql, type_params = compiler.compile(type_expr)
        day_sql, day_params = compiler.compile(day_expr)
        index = f"({year.format(day_sql)} * 12 + {month.format(day_sql)} - 1)"
        whens, params = [], list(type_params)
        for type_, months, first in self.types:
            whens.append(f"WHEN %s THEN {one} << ({index} / {int(months)} - {int(first)})")
            params += [type_, *day_params, *day_params]
        return f"CASE {type_sql} {' '.join(whens)} END", params


class BitOr(Aggregate):
    """The bitwise OR of a group's values (powers of two): PostgreSQL's BIT_OR; SQLite has
    none, and the sum of the distinct powers of two is the same number."""

    function = "SUM"
    template = "%(function)s(DISTINCT %(expressions)s)"
    output_field = BigIntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, function="BIT_OR", template="%(function)s(%(expressions)s)"
        )


@dataclass(frozen=True, slots=True)
class Checked:
    """The periods of one type the rules check on a date (those of the lookback that ended
    before it and began on or after `effective_on`), in order: bit i of a mask is the i-th."""

    type: str
    period: Period
    spans: tuple[Span, ...]
    firsts: tuple[dt.date, ...]
    lasts: tuple[dt.date, ...]
    every: int  # the mask of them all

    def whole(self, founded_on: dt.date, dissolved_on: dt.date | None) -> int:
        """The mask of the periods something founded on `founded_on` and dissolved on
        `dissolved_on` existed on every day of (founded on or before the first day, not
        dissolved on or before the last: `lib.dated.holds_on` on both)."""
        mask = self.every & ~((1 << bisect.bisect_left(self.firsts, founded_on)) - 1)
        if dissolved_on is not None:  # the periods whose last day is before it
            mask &= (1 << bisect.bisect_left(self.lasts, dissolved_on)) - 1
        return mask


def checked_periods(policy: Policy, as_of: dt.date) -> list[Checked] | None:
    """The periods of each type the rules check on `as_of` (a type none of whose periods
    is checked is left out), in the order of PERIOD_SETTING; None when a type has more
    than MAX_PERIODS periods in the lookback."""
    start, end = lookback(as_of, policy)
    out = []
    for type_, name in PERIOD_SETTING.items():
        period = policy.period(name)
        every = spans(period, start, end)
        if len(every) > MAX_PERIODS:
            return None
        chosen = tuple(s for s in every if s.last <= end and s.first >= policy.effective_on)
        if chosen:
            out.append(
                Checked(
                    type_,
                    period,
                    chosen,
                    tuple(s.first for s in chosen),
                    tuple(s.last for s in chosen),
                    (1 << len(chosen)) - 1,
                )
            )
    return out


def held_masks(
    keys: frozenset[int], checked: Sequence[Checked], *, most: bool
) -> tuple[dict[str, dict[int, int]], dict[tuple[int, int], int]]:
    """In which of the periods `checked` of its type each of the Party organizations `keys`
    held an approved meeting of the type, as a mask (bit i: the type's i-th period): by
    type and Party organization, and for 党小组会 by (Party organization, Party group).

    One query, which the database groups and combines (a row per Party organization, type
    and group, with the bits of its periods), each type read over its own periods only.
    `most`: as `life_records`."""
    by_type: dict[str, dict[int, int]] = {c.type: {} for c in checked}
    by_group: dict[tuple[int, int], int] = {}
    if not keys or not checked:
        return by_type, by_group
    # Each type from the first day of its first period checked to the last day of its last:
    # any type from the latest of those first days, the others from theirs.
    latest = max(c.firsts[0] for c in checked)
    window = Q(held_on__gte=latest)
    reads: dict[dt.date, list[str]] = defaultdict(list)  # the types read from each day
    for c in checked:
        if c.firsts[0] < latest:
            reads[c.firsts[0]].append(c.type)
    for first, types in sorted(reads.items(), reverse=True):
        window |= Q(held_on__gte=first, type__in=types)
    meetings = Meeting.objects.filter(
        window, held_on__lte=max(c.lasts[-1] for c in checked), state=ReviewState.APPROVED
    ).order_by()
    if len(checked) < len(PERIOD_SETTING):  # a type none of whose periods is checked
        meetings = meetings.filter(type__in=[c.type for c in checked])
    if not most:
        meetings = meetings.filter(party_org_id__in_ids=keys)
    bit = PeriodBit([(c.type, c.period.months, c.spans[0].index) for c in checked])
    rows = meetings.values_list("party_org_id", "type", "party_group_id").annotate(mask=BitOr(bit))
    group_type = MeetingType.GROUP
    for party_org, type_, group, mask in _rows(rows):
        if most and party_org not in keys:
            continue
        if type_ != group_type:  # per Party organization, whatever group they name
            found = by_type[type_]
            found[party_org] = found.get(party_org, 0) | mask
        elif group is not None:  # 党小组会 count per group
            by_group[party_org, group] = by_group.get((party_org, group), 0) | mask
    return by_type, by_group


@dataclass(slots=True)
class Slot:
    """One period of one meeting type (and Party group) of one branch."""

    type: str  # a MeetingType value
    group: GroupSpan | None  # for 党小组会
    first: dt.date
    last: dt.date
    period: str  # 2026-07, 2026-Q3, 2026
    name: str  # 2026年7月, 2026年第3季度, 2026年度
    why: str  # why the meeting was not required ("" when it was)
    held: int  # approved meetings
    pending: int  # recorded meetings not approved (draft, submitted, returned)

    @property
    def required(self) -> bool:
        return not self.why

    @property
    def label(self) -> str:
        return LABELS[self.type]


def _why(
    unit: str,
    first: dt.date,
    last: dt.date,
    founded_on: dt.date,
    dissolved_on: dt.date | None,
    effective_on: dt.date,
) -> str:
    """Why no meeting of any type was required of a branch in a period ("": it was) —
    the branch not active on every day of it (`lib.dated.holds_on` on its first and last
    day), told apart as the grid says it, or the period beginning before the policy."""
    if founded_on > last:
        return "支部成立前"
    if founded_on > first:
        return f"支部{_SAME[unit]}成立"
    if dissolved_on is not None and dissolved_on <= first:
        return "支部已撤销"
    if dissolved_on is not None and dissolved_on <= last:
        return f"支部{_SAME[unit]}撤销"
    if first < effective_on:
        return "规则生效前"
    return ""


def slots(
    records: LifeRecords,
    party_org: int,
    founded_on: dt.date,
    dissolved_on: dt.date | None,
    policy: Policy,
    start: dt.date,
    end: dt.date,
    types: Sequence[str] = tuple(PERIOD_SETTING),
    *,
    missing_only: bool = False,
) -> Iterator[Slot]:
    """Every period with a day in [start, end] of each of `types` (in that order; 党小组会
    for each Party group of the branch that existed on one of those days, by name) of the
    branch `party_org`, decided from `records` (which must cover [start, end]).

    `missing_only`: only the periods that required a meeting and had no approved one (what
    the rules find; decided alike, without building the others)."""
    effective_on = policy.effective_on
    for type_ in types:
        period = policy.period(PERIOD_SETTING[type_])
        unit, n = period.unit, period.months
        owners: list[GroupSpan | None] = [None]
        if type_ == MeetingType.GROUP:
            owners = [
                g
                for g in records.groups.get(party_org, ())
                if g.founded_on <= end and (g.dissolved_on is None or g.dissolved_on > start)
            ]
        every = spans(period, start, end)
        for group in owners:
            key = (party_org, type_, group.pk if group is not None else None)
            held_in = records.held.get(key, _NONE)
            pending_in = records.pending.get(key, _NONE)
            chosen: Iterable[Span] = every
            if missing_only:  # only the periods without a meeting (set operations)
                held = held_in.keys() if n == 1 else {month // n for month in held_in}
                chosen = [span for span in every if span.index not in held]
            for span in chosen:
                first, last = span.first, span.last
                why = _why(unit, first, last, founded_on, dissolved_on, effective_on)
                if (
                    not why
                    and type_ == MeetingType.COMMITTEE
                    and records.committee_on(party_org, first) < COMMITTEE_MIN_PEOPLE
                ):
                    why = f"未设支部委员会（{_FIRST_DAY[unit]}在任不足{COMMITTEE_MIN_PEOPLE}人）"
                if not why and group is not None and not group.whole(first, last):
                    why = f"党小组未存续{_WHOLE[unit]}"
                if missing_only and why:
                    continue
                yield Slot(
                    type_,
                    group,
                    first,
                    last,
                    span.label,
                    span.name,
                    why,
                    sum(held_in.get(month, 0) for month in span.months) if held_in else 0,
                    sum(pending_in.get(month, 0) for month in span.months) if pending_in else 0,
                )


def lookback(as_of: dt.date, policy: Policy) -> tuple[dt.date, dt.date]:
    """The days whose periods the rules check on `as_of`: a period is checked when its
    last day is after `as_of` − `life_lookback_months` months and before `as_of`
    (CONTRACT.md). Returns (the day after that limit, the day before `as_of`)."""
    limit = add_months(as_of, -policy["life_lookback_months"])
    return limit + dt.timedelta(days=1), as_of - dt.timedelta(days=1)


def window(policy: Policy, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The days the records must cover for `slots` over [start, end]: from the first day of
    the earliest period of any type that has a day in it."""
    firsts = [policy.period(name).first_day(start) for name in PERIOD_SETTING.values()]
    return min(firsts), end


def checks(level: str, form: str) -> bool:
    """Whether the rules of organization life check a Party organization of that level and
    form (CONTRACT.md): branches of social organizations (单独组建, 联合组建, 功能型)."""
    return level == PartyOrgLevel.BRANCH and form in COVERING_FORMS


def committee_mask(
    offices: Sequence[tuple[int, dt.date, dt.date | None]], firsts: Sequence[dt.date]
) -> int:
    """The periods (bit i: the one beginning on `firsts[i]`) on whose first day at least
    COMMITTEE_MIN_PEOPLE people held an office of `offices` (person, started, ended), with
    `lib.dated.holds_on`'s meaning: started on or before the day, not ended on or before it."""
    if len(offices) < COMMITTEE_MIN_PEOPLE:
        return 0
    held: dict[int, int] = {}  # person -> the periods on whose first day they held one
    for person, started, ended in offices:
        low = bisect.bisect_left(firsts, started)
        high = len(firsts) if ended is None else bisect.bisect_left(firsts, ended)
        if high > low:
            held[person] = held.get(person, 0) | ((1 << high) - (1 << low))
    # Count each bit up to three: `three` has the bits three people or more hold.
    one = two = three = 0
    for mask in held.values():
        three |= two & mask
        two |= one & mask
        one |= mask
    assert COMMITTEE_MIN_PEOPLE == 3, "the count above stops at three"
    return three


def _missing(
    branch: PartyOrgFacts, checked: Checked, group: GroupSpan | None, missing: int
) -> Iterator[tuple[PartyOrgFacts, Slot]]:
    """A `Slot` for each period of `checked` a bit of `missing` stands for, in order."""
    type_, every = checked.type, checked.spans
    while missing:
        low = missing & -missing
        missing ^= low
        span = every[low.bit_length() - 1]
        yield branch, Slot(type_, group, span.first, span.last, span.label, span.name, "", 0, 0)


class LifeFacts(PeopleFacts):
    """The checked periods of organization life of the branches of the jurisdiction."""

    def restrict(self, orgs: Any, party_orgs: Any) -> None:
        super().restrict(orgs, party_orgs)
        self.__dict__.pop("_life", None)

    @functools.cached_property
    def _life(self) -> dict[tuple[Any, ...], list[tuple[PartyOrgFacts, Slot]]]:
        return {}

    def life_missing(self, policy: Policy) -> list[tuple[PartyOrgFacts, Slot]]:
        """Every period the rules check on the date that required a meeting of a type (of a
        Party group) and had no approved one, of every branch they check (active on the
        date, of a form of social organizations): in order of branch, type, group and
        period. Three queries (the first call for a policy; `_life_by_slots`, for a
        lookback longer than the bits of an integer hold, reads `life_records`)."""
        key = (
            policy.effective_on,
            policy["life_lookback_months"],
            *(policy.period(name) for name in PERIOD_SETTING.values()),
        )
        known = self._life.get(key)
        if known is not None:
            return known
        d = self.as_of
        branches = [p for p in self.party_orgs.values() if p.active and checks(p.level, p.form)]
        whole = self.area is None and self._only_party_orgs is None  # every branch there is
        checked = checked_periods(policy, d)
        out = (
            self._life_by_slots(policy, branches, whole)
            if checked is None
            else self._life_by_masks(policy, branches, checked, whole)
        )
        self._life[key] = out
        return out

    def _life_by_masks(
        self,
        policy: Policy,
        branches: list[PartyOrgFacts],
        checked: list[Checked],
        whole: bool,
    ) -> list[tuple[PartyOrgFacts, Slot]]:
        """`life_missing` with each type's periods as the bits of an integer: the periods a
        branch had to hold a meeting in (the checked ones it existed on every day of, which
        its Party group existed on every day of, or on whose first day it had a committee)
        and held none in (`held_masks`) are an AND; only those become `Slot`s."""
        if not checked or not branches:
            return []
        _start, end = lookback(self.as_of, policy)
        # The groups and offices of every day of a checked period: from the first day of the
        # earliest, which may be before the lookback's limit (a month checked because its
        # last day is after the limit begins before it).
        earliest = min(c.firsts[0] for c in checked)
        keys = frozenset(p.pk for p in branches)
        by_type, by_group = held_masks(keys, checked, most=whole)
        types = {c.type for c in checked}
        groups = party_groups(keys, earliest, end, most=whole) if MeetingType.GROUP in types else {}
        offices = (
            committee_offices(keys, earliest, end, most=whole)
            if MeetingType.COMMITTEE in types
            else {}
        )
        # The periods required of a branch, by type: the same for every branch founded and
        # dissolved on the same days (all of them for one founded before them all).
        every = [c.every for c in checked]
        needs: dict[tuple[dt.date, dt.date | None], list[int]] = {}
        held = [by_type.get(c.type, {}) for c in checked]
        group_type, committee_type = MeetingType.GROUP, MeetingType.COMMITTEE
        out: list[tuple[PartyOrgFacts, Slot]] = []
        for b in branches:
            pk = b.pk
            need = every
            if b.founded_on > earliest or b.dissolved_on is not None:
                life = (b.founded_on, b.dissolved_on)
                if life not in needs:
                    needs[life] = [c.whole(*life) for c in checked]
                need = needs[life]
            for c, required, held_of in zip(checked, need, held, strict=True):
                if not required:
                    continue
                if c.type == group_type:
                    for g in groups.get(pk, ()):
                        missing = required & c.whole(g.founded_on, g.dissolved_on)
                        missing &= ~by_group.get((pk, g.pk), 0)
                        if missing:
                            out += _missing(b, c, g, missing)
                    continue
                missing = required & ~held_of.get(pk, 0)
                if missing and c.type == committee_type:
                    missing &= committee_mask(offices.get(pk, ()), c.firsts)
                if missing:
                    out += _missing(b, c, None, missing)
        return out

    def _life_by_slots(
        self, policy: Policy, branches: list[PartyOrgFacts], whole: bool
    ) -> list[tuple[PartyOrgFacts, Slot]]:
        """`life_missing` period by period (`slots`): for a lookback too long for
        `_life_by_masks`."""
        d = self.as_of
        start, end = lookback(d, policy)
        firsts = {t: policy.period(name).first_day(start) for t, name in PERIOD_SETTING.items()}
        first = min(firsts.values())
        early = [t for t, day in firsts.items() if day == first]
        later = [day for day in firsts.values() if day > first]
        records = life_records(
            (p.pk for p in branches),
            first,
            end,
            pending=False,
            most=whole,
            early=early,
            later_from=min(later) if later else None,
        )
        out = []
        for b in branches:
            found = slots(
                records, b.pk, b.founded_on, b.dissolved_on, policy, start, end, missing_only=True
            )
            # A period running on the date is not checked yet.
            out += [(b, slot) for slot in found if slot.last < d]
        return out
