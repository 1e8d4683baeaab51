"""Rules of 四.4 (organization life): LIFE-MEETINGS and LIFE-REVIEW at every boundary of
CONTRACT.md ("The rules of Party work, exactly") — the periods checked (the lookback, the
month-end arithmetic, `effective_on`, the founding), the committee and the Party groups a
month requires meetings of, the meetings that count (approved only, on the period's first
and last day) — and the grid of the pages (`dangjian.life.grid`), which must find missing
exactly what the rules find. One module: the rules and the grid are one reading, tested
side by side."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.compliance import live
from dangjian.compliance.engine import evaluate, record
from dangjian.compliance.facts.life import add_months
from dangjian.compliance.models import FindingRecord
from dangjian.compliance.policy import Period, Policy, Setting, load
from dangjian.compliance.rules.base import Finding
from dangjian.life.grid import life_grid, still_to_hold
from dangjian.life.models import Meeting, MeetingType, PartyGroup, ReviewState
from dangjian.partyorgs.models import PartyOrganization
from tests import factories

pytestmark = pytest.mark.django_db

D = dt.date(2026, 11, 30)
LONG_AGO = dt.date(2016, 1, 1)
RULES = ["LIFE-MEETINGS", "LIFE-REVIEW"]
ASSEMBLY, COMMITTEE, GROUP, LECTURE = "支部党员大会", "支部委员会会议", "党小组会", "党课"
LIFE, APPRAISAL, THEME_DAY = "组织生活会", "民主评议党员", "主题党日"
TYPE = {t.label: t.value for t in MeetingType}
MONTHS_CHECKED_ON_D = ["2025-12", *(f"2026-{m:02d}" for m in range(1, 11))]
QUARTERS_CHECKED_ON_D = ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def branch(areas, **fields) -> PartyOrganization:
    fields.setdefault("founded_on", LONG_AGO)
    return factories.party_org(areas["wenyilu"], **fields)


def committee(party_org, n: int = 3, **fields) -> list:
    """n offices held by n people (书记, then 委员)."""
    fields.setdefault("started_on", LONG_AGO)
    return [
        factories.office(party_org, role="secretary" if i == 0 else "member", **fields)
        for i in range(n)
    ]


def group(party_org, name: str = "第一党小组", **fields) -> PartyGroup:
    fields.setdefault("founded_on", LONG_AGO)
    return PartyGroup.objects.create(party_org=party_org, name=name, **fields)


def meeting(party_org, label: str, held_on, *, party_group=None, state=ReviewState.APPROVED):
    return Meeting.objects.create(
        party_org=party_org,
        type=TYPE[label],
        held_on=day(held_on) if isinstance(held_on, str) else held_on,
        party_group=party_group,
        topic="测试会议",
        state=state,
    )


def findings(party_org, as_of: dt.date = D, *, policy: Policy | None = None) -> list[Finding]:
    """The findings of both rules of one branch, in the engine's order."""
    result = evaluate(as_of=as_of, rules=RULES, policy=policy)
    return [f for f in result.findings if f.subject.key == party_org.code]


def periods(party_org, label: str, as_of: dt.date = D, **kwargs) -> list[str]:
    """The periods in which the branch is found missing a meeting of the type."""
    return [
        f.facts["period"] for f in findings(party_org, as_of, **kwargs) if f.facts["type"] == label
    ]


def policy_with(**values) -> Policy:
    base = load()
    effective_on = values.pop("effective_on", base.effective_on)
    changed = {name: Setting(name, value, "测试") for name, value in values.items()}
    return replace(base, effective_on=effective_on, settings={**base.settings, **changed})


# The periods checked ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2026-01-31", 1, "2026-02-28"),
        ("2024-01-31", 1, "2024-02-29"),
        ("2026-03-31", -12, "2025-03-31"),
        ("2024-02-29", -12, "2023-02-28"),
        ("2025-03-31", -1, "2025-02-28"),
        ("2026-11-30", -12, "2025-11-30"),
        ("2026-12-15", 1, "2027-01-15"),
    ],
)
def test_months_are_added_as_contract_says(start, n, expected):
    assert add_months(day(start), n) == day(expected)


def test_it_checks_the_periods_that_ended_in_the_twelve_months_before_the_date(areas):
    party_org = branch(areas)
    assert periods(party_org, ASSEMBLY) == QUARTERS_CHECKED_ON_D
    assert periods(party_org, LECTURE) == QUARTERS_CHECKED_ON_D
    assert periods(party_org, THEME_DAY) == MONTHS_CHECKED_ON_D  # not 2025-11, not 2026-11
    assert periods(party_org, LIFE) == periods(party_org, APPRAISAL) == ["2025"]
    assert periods(party_org, COMMITTEE) == periods(party_org, GROUP) == []


@pytest.mark.parametrize(
    ("as_of", "first_checked", "last_checked"),
    [
        ("2026-03-31", "2025-04", "2026-02"),  # 12 months before: 2025-03-31, not after it
        ("2026-03-30", "2025-03", "2026-02"),  # 2025-03-31 is after 2025-03-30
        ("2024-02-29", "2023-03", "2024-01"),  # 12 months before: 2023-02-28
        ("2024-02-28", "2023-03", "2024-01"),
        ("2024-03-01", "2023-03", "2024-02"),
        ("2026-10-01", "2025-10", "2026-09"),
    ],
)
def test_the_lookback_counts_months_as_contract_says(areas, as_of, first_checked, last_checked):
    party_org = branch(areas)
    months = periods(party_org, THEME_DAY, day(as_of))
    first = day(f"{first_checked}-01")
    every = [f"{add_months(first, i):%Y-%m}" for i in range(13)]
    assert months == every[: every.index(last_checked) + 1]  # every month from first to last


def test_the_frequencies_and_the_lookback_are_settings(areas):
    party_org = branch(areas)
    policy = policy_with(life_assembly_period=Period("month"), life_lookback_months=3)
    # 3 months before 2026-11-30: 2026-08-30, before August's last day.
    assert periods(party_org, ASSEMBLY, policy=policy) == ["2026-08", "2026-09", "2026-10"]
    assert periods(party_org, LECTURE, policy=policy) == ["2026-Q3"]
    assert periods(party_org, LIFE, policy=policy) == []


@pytest.mark.parametrize(
    ("as_of", "checked"),
    [("2026-09-30", False), ("2026-10-01", True)],
)
def test_a_period_is_checked_from_the_day_after_its_last(areas, as_of, checked):
    party_org = branch(areas)
    assert ("2026-Q3" in periods(party_org, ASSEMBLY, day(as_of))) is checked
    assert ("2026-09" in periods(party_org, THEME_DAY, day(as_of))) is checked


@pytest.mark.parametrize(
    ("effective_on", "first_month", "first_quarter"),
    [
        ("2026-02-15", "2026-03", "2026-Q2"),
        ("2026-03-01", "2026-03", "2026-Q2"),
        ("2026-02-01", "2026-02", "2026-Q2"),
        ("2026-01-01", "2026-01", "2026-Q1"),
        ("2025-10-01", "2025-12", "2025-Q4"),
    ],
)
def test_it_checks_no_period_beginning_before_the_policy(
    areas, effective_on, first_month, first_quarter
):
    party_org = branch(areas)
    policy = policy_with(effective_on=day(effective_on))
    assert periods(party_org, THEME_DAY, policy=policy)[0] == first_month
    assert periods(party_org, ASSEMBLY, policy=policy)[0] == first_quarter
    assert periods(party_org, LIFE, policy=policy) == []  # 2025 began before


@pytest.mark.parametrize(
    ("founded_on", "first_month", "first_quarter"),
    [("2026-07-01", "2026-07", "2026-Q3"), ("2026-07-02", "2026-08", None)],
)
def test_it_checks_a_period_of_a_branch_founded_on_or_before_its_first_day(
    areas, founded_on, first_month, first_quarter
):
    party_org = branch(areas, founded_on=day(founded_on))
    assert periods(party_org, THEME_DAY)[0] == first_month
    assert periods(party_org, ASSEMBLY) == ([first_quarter] if first_quarter else [])
    assert periods(party_org, LIFE) == []


@pytest.mark.parametrize(("dissolved_on", "found"), [(D, False), (D + dt.timedelta(days=1), True)])
def test_it_checks_only_branches_active_on_the_date(areas, dissolved_on, found):
    party_org = branch(areas, status="dissolved", dissolved_on=dissolved_on)
    assert bool(findings(party_org)) is found


@pytest.mark.parametrize("form", ["industry", "township", "community"])
def test_it_does_not_check_other_forms(areas, form):
    assert findings(branch(areas, form=form)) == []


@pytest.mark.parametrize("form", ["standalone", "joint", "functional"])
def test_it_checks_the_branches_of_social_organizations(areas, form):
    assert findings(branch(areas, form=form))


@pytest.mark.parametrize("level", ["general_branch", "committee"])
def test_it_checks_only_branches(areas, level):
    party_org = branch(areas, level=level)
    meeting(party_org, ASSEMBLY, "2026-08-01")
    assert findings(party_org) == []


# What a month requires -------------------------------------------------------------------------


@pytest.mark.parametrize(("people", "required"), [(2, False), (3, True)])
def test_a_committee_of_three_people_on_the_first_day_holds_committee_meetings(
    areas, people, required
):
    party_org = branch(areas)
    committee(party_org, people)
    assert (periods(party_org, COMMITTEE) == MONTHS_CHECKED_ON_D) is required
    assert bool(periods(party_org, COMMITTEE)) is required


@pytest.mark.parametrize(
    ("started_on", "ended_on", "first", "last"),
    [
        ("2026-07-01", None, "2026-07", "2026-10"),  # the third arrives on the 1st
        ("2026-07-02", None, "2026-08", "2026-10"),  # … on the 2nd: not July
        (LONG_AGO.isoformat(), "2026-09-01", "2025-12", "2026-08"),  # leaves on the 1st
        (LONG_AGO.isoformat(), "2026-09-02", "2025-12", "2026-09"),  # leaves on the 2nd
    ],
)
def test_the_committee_is_counted_on_the_first_day_of_the_month(
    areas, started_on, ended_on, first, last
):
    party_org = branch(areas)
    committee(party_org, 2)
    committee(party_org, 1, started_on=day(started_on), ended_on=ended_on and day(ended_on))
    months = periods(party_org, COMMITTEE)
    assert (months[0], months[-1]) == (first, last)


def test_a_committee_is_counted_by_its_people(areas):
    party_org = branch(areas)
    secretary, _member = committee(party_org, 2)
    factories.office(party_org, secretary.person, role="member")  # two offices, one person
    assert periods(party_org, COMMITTEE) == []


@pytest.mark.parametrize(
    ("founded_on", "dissolved_on", "months"),
    [
        ("2026-07-01", None, ["2026-07", "2026-08", "2026-09", "2026-10"]),
        ("2026-07-02", None, ["2026-08", "2026-09", "2026-10"]),
        ("2016-01-01", "2026-09-30", MONTHS_CHECKED_ON_D[:9]),  # not the whole of September
        ("2016-01-01", "2026-10-01", MONTHS_CHECKED_ON_D[:10]),  # the whole of September
        ("2026-08-01", "2026-08-31", []),
        ("2026-08-01", "2026-09-01", ["2026-08"]),
    ],
)
def test_a_party_group_holds_its_meetings_in_the_months_it_existed_throughout(
    areas, founded_on, dissolved_on, months
):
    party_org = branch(areas)
    group(party_org, founded_on=day(founded_on), dissolved_on=dissolved_on and day(dissolved_on))
    assert periods(party_org, GROUP) == months


def test_each_party_group_holds_its_own_meetings(areas):
    party_org = branch(areas)
    first = group(party_org, "第一党小组")
    group(party_org, "第二党小组")
    meeting(party_org, GROUP, "2026-07-10", party_group=first)
    other = branch(areas)
    meeting(other, GROUP, "2026-08-10", party_group=group(other, "第二党小组"))
    found = [
        (f.facts["party_group"], f.facts["period"])
        for f in findings(party_org)
        if f.facts["type"] == GROUP
    ]
    assert ("第一党小组", "2026-07") not in found
    assert ("第二党小组", "2026-07") in found  # the first group's meeting is not the second's
    assert ("第二党小组", "2026-08") in found  # nor another branch's group of the same name
    assert len(found) == 2 * len(MONTHS_CHECKED_ON_D) - 1


# The meetings that count -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("held_on", "counted"),
    [
        ("2026-06-30", False),
        ("2026-07-01", True),  # the period's first day
        ("2026-09-30", True),  # … and its last
        ("2026-10-01", False),
    ],
)
def test_a_meeting_counts_for_the_period_it_was_held_in(areas, held_on, counted):
    party_org = branch(areas)
    meeting(party_org, ASSEMBLY, held_on)
    meeting(party_org, THEME_DAY, held_on)
    month = held_on[:7]
    assert ("2026-Q3" not in periods(party_org, ASSEMBLY)) is counted
    assert month not in periods(party_org, THEME_DAY)


@pytest.mark.parametrize(
    ("state", "counted"),
    [
        (ReviewState.DRAFT, False),
        (ReviewState.SUBMITTED, False),
        (ReviewState.RETURNED, False),
        (ReviewState.APPROVED, True),
    ],
)
def test_only_approved_meetings_count(areas, state, counted):
    party_org = branch(areas)
    g = group(party_org)
    committee(party_org)
    for label in (ASSEMBLY, COMMITTEE, LECTURE, THEME_DAY, LIFE, APPRAISAL):
        meeting(party_org, label, "2025-12-20", state=state)
    meeting(party_org, GROUP, "2025-12-20", party_group=g, state=state)
    found = {(f.facts["type"], f.facts["period"]) for f in findings(party_org)}
    for label, period in [
        (ASSEMBLY, "2025-Q4"), (LECTURE, "2025-Q4"), (THEME_DAY, "2025-12"),
        (COMMITTEE, "2025-12"), (GROUP, "2025-12"), (LIFE, "2025"), (APPRAISAL, "2025"),
    ]:  # fmt: skip
        assert ((label, period) not in found) is counted, (label, period)


def test_a_meeting_of_another_type_does_not_count(areas):
    party_org = branch(areas)
    meeting(party_org, LECTURE, "2026-08-01")
    assert "2026-Q3" in periods(party_org, ASSEMBLY)
    assert "2026-Q3" not in periods(party_org, LECTURE)


# LIFE-REVIEW -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "years"),
    [
        ("2026-12-31", []),  # 2025's last day is not after 2025-12-31; 2026 has not ended
        ("2027-01-01", ["2026"]),
        ("2026-01-01", ["2025"]),
        ("2026-06-15", ["2025"]),
    ],
)
def test_it_checks_the_last_closed_year_within_twelve_months(areas, as_of, years):
    party_org = branch(areas)
    assert periods(party_org, LIFE, day(as_of)) == years
    assert periods(party_org, APPRAISAL, day(as_of)) == years
    for f in findings(party_org, day(as_of)):
        if f.rule == "LIFE-REVIEW":
            assert f.due == dt.date(int(f.facts["period"]), 12, 31)


def test_it_finds_each_missing_review_once(areas):
    party_org = branch(areas)
    meeting(party_org, LIFE, "2025-12-31")
    found = [f for f in findings(party_org) if f.rule == "LIFE-REVIEW"]
    assert [(f.facts, f.message, f.due) for f in found] == [
        ({"type": APPRAISAL, "period": "2025"}, "2025年度未开展民主评议党员", dt.date(2025, 12, 31))
    ]


# The findings themselves -----------------------------------------------------------------------


def test_the_findings_of_a_branch_sort_by_period_then_type_and_say_what_is_missing(areas):
    party_org = branch(areas, founded_on=dt.date(2026, 7, 1))
    committee(party_org)
    g = group(party_org, "第一党小组")
    meeting(party_org, THEME_DAY, "2026-07-01")
    meeting(party_org, COMMITTEE, "2026-07-31")
    meeting(party_org, GROUP, "2026-07-15", party_group=g)
    meeting(party_org, ASSEMBLY, "2026-09-30")
    found = findings(party_org)
    assert [(f.rule, f.facts, f.message, f.due, f.occurrence) for f in found] == [
        ("LIFE-MEETINGS", {"type": LECTURE, "period": "2026-Q3"}, "2026年第3季度未上党课",
         day("2026-09-30"), "2026-07-01 党课"),
        ("LIFE-MEETINGS", {"type": THEME_DAY, "period": "2026-08"}, "2026年8月未开展主题党日",
         day("2026-08-31"), "2026-08-01 主题党日"),
        ("LIFE-MEETINGS", {"type": GROUP, "period": "2026-08", "party_group": "第一党小组"},
         "2026年8月第一党小组未召开党小组会", day("2026-08-31"), "2026-08-01 党小组会 第一党小组"),
        ("LIFE-MEETINGS", {"type": COMMITTEE, "period": "2026-08"},
         "2026年8月未召开支部委员会会议", day("2026-08-31"), "2026-08-01 支部委员会会议"),
        ("LIFE-MEETINGS", {"type": THEME_DAY, "period": "2026-09"}, "2026年9月未开展主题党日",
         day("2026-09-30"), "2026-09-01 主题党日"),
        ("LIFE-MEETINGS", {"type": GROUP, "period": "2026-09", "party_group": "第一党小组"},
         "2026年9月第一党小组未召开党小组会", day("2026-09-30"), "2026-09-01 党小组会 第一党小组"),
        ("LIFE-MEETINGS", {"type": COMMITTEE, "period": "2026-09"},
         "2026年9月未召开支部委员会会议", day("2026-09-30"), "2026-09-01 支部委员会会议"),
        ("LIFE-MEETINGS", {"type": THEME_DAY, "period": "2026-10"}, "2026年10月未开展主题党日",
         day("2026-10-31"), "2026-10-01 主题党日"),
        ("LIFE-MEETINGS", {"type": GROUP, "period": "2026-10", "party_group": "第一党小组"},
         "2026年10月第一党小组未召开党小组会", day("2026-10-31"), "2026-10-01 党小组会 第一党小组"),
        ("LIFE-MEETINGS", {"type": COMMITTEE, "period": "2026-10"},
         "2026年10月未召开支部委员会会议", day("2026-10-31"), "2026-10-01 支部委员会会议"),
    ]  # fmt: skip
    # CONTRACT's order: the first day of the period, then the type.
    firsts = [(f.occurrence[:10], f.facts["type"]) for f in found]
    assert firsts == sorted(firsts)
    subject = found[0].subject
    assert (subject.type, subject.key, subject.name, found[0].area) == (
        "party_org", party_org.code, party_org.name, party_org.township.code,
    )  # fmt: skip


def test_an_occurrence_fits_the_store_with_the_longest_group_name(areas):
    party_org = branch(areas)
    group(party_org, "党" * 40)
    assert max(len(f.occurrence) for f in findings(party_org)) <= 64


def test_the_number_of_queries_does_not_grow_with_the_branches(areas):
    def world(n: int) -> None:
        for _ in range(n):
            party_org = branch(areas)
            committee(party_org)
            g = group(party_org)
            meeting(party_org, GROUP, "2026-03-03", party_group=g)
            meeting(party_org, ASSEMBLY, "2026-03-03")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            result = evaluate(as_of=D, rules=RULES)
        assert result.findings
        return len(queries)

    world(2)
    few = count()
    world(18)
    assert count() == few
    # The grid too: the branches, then their meetings, groups and offices.
    with CaptureQueriesContext(connection) as queries:
        rows = life_grid(PartyOrganization.objects.all(), 2026, D)
    assert len(rows) == 20 and len(queries) <= 4


# The live re-evaluation ------------------------------------------------------------------------


def test_a_meeting_or_a_party_group_written_touches_its_branch(areas):
    party_org = branch(areas)
    held = meeting(party_org, ASSEMBLY, "2026-08-01")
    g = group(party_org)
    assert live.scope_of({Meeting: {held.pk}}).party_orgs == {party_org.pk}
    assert live.scope_of({PartyGroup: {g.pk}}).party_orgs == {party_org.pk}
    moved_to = branch(areas)
    held.party_org = moved_to
    held.save()
    assert live.scope_of({Meeting: {held.pk}}).party_orgs == {party_org.pk, moved_to.pk}
    pk = held.pk
    held.delete()
    assert live.scope_of({Meeting: {pk}}).party_orgs == {party_org.pk, moved_to.pk}
    assert Meeting in live.FOLLOWED and PartyGroup in live.FOLLOWED


@pytest.mark.django_db(transaction=True)
def test_a_meeting_approved_resolves_its_finding_at_once(areas):
    today = timezone.localdate()
    last_month = add_months(today.replace(day=1), -1)
    party_org = branch(areas)
    record(evaluate(as_of=today))

    def open_theme_days() -> set[str]:
        return set(
            FindingRecord.objects.filter(
                rule="LIFE-MEETINGS", subject_pk=party_org.pk, resolved_on__isnull=True,
                occurrence__endswith=THEME_DAY,
            ).values_list("occurrence", flat=True)
        )  # fmt: skip

    missed = f"{last_month.isoformat()} {THEME_DAY}"
    assert missed in open_theme_days()
    held = meeting(party_org, THEME_DAY, last_month, state=ReviewState.SUBMITTED)
    assert missed in open_theme_days()  # recorded, not yet approved
    held.state = ReviewState.APPROVED
    held.save()
    assert missed not in open_theme_days()
    held.delete()
    assert missed in open_theme_days()


def test_restricted_facts_find_for_the_restricted_branches_what_a_full_check_finds(areas):
    from dangjian.compliance.facts import Facts

    a, b = branch(areas), branch(areas)
    meeting(b, ASSEMBLY, "2026-08-01")
    full = {
        (f.subject.key, f.occurrence) for f in evaluate(as_of=D, rules=RULES).findings
        if f.subject.key == b.code
    }  # fmt: skip
    facts = Facts(D)
    facts.restrict([], [b.pk])
    restricted = evaluate(as_of=D, rules=RULES, facts=facts).findings
    assert {(f.subject.key, f.occurrence) for f in restricted} == full
    assert a.code not in {f.subject.key for f in restricted}


# The grid --------------------------------------------------------------------------------------


def test_the_grid_shows_each_period_of_the_year(areas):
    party_org = branch(areas, founded_on=dt.date(2026, 2, 10))
    committee(party_org, 2, started_on=dt.date(2026, 2, 10))
    committee(party_org, 1, started_on=dt.date(2026, 5, 1))
    g = group(party_org, founded_on=dt.date(2026, 3, 1), dissolved_on=day("2026-10-15"))
    meeting(party_org, ASSEMBLY, "2026-05-05")
    meeting(party_org, ASSEMBLY, "2026-06-05")
    meeting(party_org, LECTURE, "2026-05-05", state=ReviewState.SUBMITTED)
    meeting(party_org, GROUP, "2026-03-31", party_group=g)
    meeting(party_org, THEME_DAY, "2026-11-02")
    (row,) = life_grid([party_org.pk], 2026, D)
    assert (row.pk, row.code, row.name, row.township) == (
        party_org.pk, party_org.code, party_org.name, "文艺路街道",
    )  # fmt: skip
    lines = {(label, group_name): cells for label, group_name, cells in row.lines}
    assert [(label, name) for label, name, _ in row.lines] == [
        (ASSEMBLY, ""), (COMMITTEE, ""), (GROUP, "第一党小组"), (LECTURE, ""), (LIFE, ""),
        (APPRAISAL, ""), (THEME_DAY, ""),
    ]  # fmt: skip
    assembly = lines[(ASSEMBLY, "")]
    assert [(c.period, c.state, c.held, c.pending, c.why) for c in assembly] == [
        ("2026-Q1", "not_required", 0, 0, "支部当季度成立"),
        ("2026-Q2", "held", 2, 0, ""),
        ("2026-Q3", "missing", 0, 0, ""),
        ("2026-Q4", "open", 0, 0, ""),
    ]
    assert (assembly[1].first, assembly[1].last) == (day("2026-04-01"), day("2026-06-30"))
    lecture = lines[(LECTURE, "")]
    assert (lecture[1].state, lecture[1].held, lecture[1].pending) == ("missing", 0, 1)
    committee_cells = lines[(COMMITTEE, "")]
    assert [c.state for c in committee_cells[:6]] == ["not_required"] * 4 + ["missing"] * 2
    assert committee_cells[0].why == "支部成立前"
    assert committee_cells[1].why == "支部当月成立"
    assert committee_cells[2].why == "未设支部委员会（当月1日在任不足3人）"
    group_cells = lines[(GROUP, "第一党小组")]
    assert [c.state for c in group_cells] == (
        ["not_required"] * 2 + ["held"] + ["missing"] * 6 + ["not_required"] * 3
    )
    assert group_cells[9].why == "党小组未存续整月"
    (life,) = lines[(LIFE, "")]
    assert (life.period, life.state, life.why) == ("2026", "not_required", "支部当年成立")
    theme = lines[(THEME_DAY, "")]
    assert len(theme) == 12 and theme[10].state == "open" and theme[10].held == 1
    assert [(t.type, t.group, t.period, t.due) for t in still_to_hold(row, D)] == [
        (COMMITTEE, "", "2026-11", day("2026-11-30")),
        (ASSEMBLY, "", "2026-Q4", day("2026-12-31")),
        (LECTURE, "", "2026-Q4", day("2026-12-31")),
    ]
    assert row.still_to_hold(D) == still_to_hold(row, D)


def test_the_grid_shows_only_the_branches_the_rules_check_during_the_year(areas):
    kept = [
        branch(areas),
        branch(areas, founded_on=dt.date(2026, 12, 31)),
        branch(areas, status="dissolved", dissolved_on=dt.date(2026, 1, 2)),
    ]
    left_out = [
        branch(areas, form="township"),
        branch(areas, level="general_branch"),
        branch(areas, founded_on=dt.date(2027, 1, 1)),
        branch(areas, status="dissolved", dissolved_on=dt.date(2026, 1, 1)),
    ]
    rows = life_grid(PartyOrganization.objects.all(), 2026, D)
    assert {r.pk for r in rows} == {p.pk for p in kept}
    assert not {r.pk for r in rows} & {p.pk for p in left_out}
    dissolved = next(r for r in rows if r.pk == kept[2].pk)
    cells = dict((label, c) for label, _g, c in dissolved.lines)[THEME_DAY]
    assert [c.why for c in cells[:2]] == ["支部当月撤销", "支部已撤销"]


def test_the_grid_is_missing_exactly_what_the_rules_find(areas):
    """Random branches, committees, groups and meetings: within the lookback, the missing
    cells of the grids of the years it spans are the findings of both rules."""
    rng = random.Random(4)
    start = dt.date(2025, 6, 1)

    def some_day(lo: dt.date = start, days: int = 600) -> dt.date:
        return lo + dt.timedelta(days=rng.randrange(days))

    for _ in range(6):
        party_org = branch(
            areas, founded_on=rng.choice([LONG_AGO, some_day(), dt.date(2026, 1, 1)])
        )
        for _ in range(rng.randrange(5)):
            started = rng.choice([LONG_AGO, some_day()])
            ended = rng.choice([None, None, started + dt.timedelta(days=rng.randrange(1, 300))])
            factories.office(
                party_org, role=rng.choice(["secretary", "deputy", "member"]),
                started_on=started, ended_on=ended,
            )  # fmt: skip
        groups = []
        for i in range(rng.randrange(3)):
            founded = rng.choice([LONG_AGO, some_day()])
            dissolved = rng.choice([None, founded + dt.timedelta(days=rng.randrange(0, 200))])
            groups.append(group(party_org, f"第{i + 1}党小组", founded_on=founded,
                                dissolved_on=dissolved))  # fmt: skip
        seen = set()
        for _ in range(40):
            t = rng.choice(list(MeetingType))
            g = rng.choice(groups) if t == MeetingType.GROUP and groups else None
            if t == MeetingType.GROUP and g is None:
                continue
            held_on = some_day(dt.date(2025, 1, 1), 720)
            if (t, held_on, g) in seen:
                continue
            seen.add((t, held_on, g))
            meeting(party_org, t.label, held_on, party_group=g,
                    state=rng.choice([ReviewState.APPROVED] * 3 + [ReviewState.SUBMITTED]))  # fmt: skip
    for as_of in [D, dt.date(2026, 3, 31), dt.date(2026, 7, 1), dt.date(2027, 1, 1)]:
        limit = add_months(as_of, -12)
        found = {
            (f.subject.key, f.facts["type"], f.facts.get("party_group", ""), f.facts["period"])
            for f in evaluate(as_of=as_of, rules=RULES).findings
        }
        missing = {
            (row.code, label, group_name, cell.period)
            for year in (as_of.year - 1, as_of.year)
            for row in life_grid(PartyOrganization.objects.all(), year, as_of)
            for label, group_name, cells in row.lines
            for cell in cells
            if cell.state == "missing" and cell.last > limit
        }
        assert found, as_of
        assert found == missing, (as_of, found ^ missing)


# The two readings of the rules ------------------------------------------------------------------


def random_world(areas, rng: random.Random, n: int = 6) -> None:
    """Branches founded before and during the lookback, committees coming and going, Party
    groups, and meetings of every type and state (some twice in a period, some of a group
    of another type), around 2025–2026."""
    start = dt.date(2025, 6, 1)

    def some_day(lo: dt.date = start, days: int = 600) -> dt.date:
        return lo + dt.timedelta(days=rng.randrange(days))

    for _ in range(n):
        party_org = branch(
            areas, founded_on=rng.choice([LONG_AGO, some_day(), dt.date(2026, 1, 1)])
        )
        for _ in range(rng.randrange(6)):
            started = rng.choice([LONG_AGO, some_day(), dt.date(2026, 3, 1)])
            ended = rng.choice([None, None, started + dt.timedelta(days=rng.randrange(1, 300))])
            factories.office(
                party_org, role=rng.choice(["secretary", "deputy", "member"]),
                started_on=started, ended_on=ended,
            )  # fmt: skip
        groups = []
        for i in range(rng.randrange(3)):
            founded = rng.choice([LONG_AGO, some_day()])
            dissolved = rng.choice([None, founded + dt.timedelta(days=rng.randrange(0, 200))])
            groups.append(group(party_org, f"第{i + 1}党小组", founded_on=founded,
                                dissolved_on=dissolved))  # fmt: skip
        seen = set()
        for _ in range(50):
            t = rng.choice(list(MeetingType))
            g = (
                rng.choice(groups)
                if groups and (t == MeetingType.GROUP or rng.random() < 0.1)
                else None
            )
            if t == MeetingType.GROUP and g is None:
                continue
            held_on = some_day(dt.date(2025, 1, 1), 720)
            if (t, held_on, g) in seen:
                continue
            seen.add((t, held_on, g))
            meeting(party_org, t.label, held_on, party_group=g,
                    state=rng.choice([ReviewState.APPROVED] * 3 + [ReviewState.SUBMITTED]))  # fmt: skip


def test_the_periods_as_bits_find_what_the_periods_one_by_one_find(areas, monkeypatch):
    """`life_missing` reads the periods held as the bits of an integer (`held_masks`) and
    falls back on the periods one by one (`slots`) for a lookback too long for them: both
    find the same, at every date, lookback and policy start."""
    from dangjian.compliance.facts import life as life_facts

    random_world(areas, random.Random(15))

    def found(as_of: dt.date, policy: Policy) -> list[tuple]:
        return [
            (f.rule, f.subject.key, f.occurrence, f.message, f.due, f.facts)
            for f in evaluate(as_of=as_of, rules=RULES, policy=policy).findings
        ]

    policies = [
        load(),
        policy_with(life_lookback_months=4),
        policy_with(life_lookback_months=1),
        policy_with(effective_on=dt.date(2026, 2, 15)),
        policy_with(life_assembly_period=Period("month"), life_lookback_months=24),
    ]
    dates = [
        D,
        dt.date(2026, 3, 31),
        dt.date(2026, 7, 1),
        dt.date(2027, 1, 1),
        dt.date(2025, 12, 15),
    ]
    by_bits = {(d, i): found(d, p) for d in dates for i, p in enumerate(policies)}
    assert any(by_bits.values())
    monkeypatch.setattr(life_facts, "MAX_PERIODS", 0)  # every lookback is too long for bits
    for (d, i), expected in by_bits.items():
        assert found(d, policies[i]) == expected, (d, i)


def test_a_lookback_longer_than_the_bits_of_an_integer_checks_every_month(areas):
    party_org = branch(areas)
    meeting(party_org, THEME_DAY, "2021-03-15")
    policy = policy_with(life_lookback_months=72)  # 2020-11-30: 71 months, 2020-12 … 2026-10
    months = periods(party_org, THEME_DAY, policy=policy)
    assert len(months) == 70 and months[0] == "2020-12" and months[-1] == "2026-10"
    assert "2021-03" not in months


def test_a_committee_that_ended_before_the_lookback_limit_in_a_checked_month(areas):
    """On 2026-11-26 the month 2025-11 is checked (its last day is after 2025-11-26) though
    it begins before the limit: a committee held on its first day and gone on the 6th still
    asks a 支部委员会会议 of it (found on the national demo: the bit-mask reading once read
    the offices from the limit on)."""
    party_org = branch(areas)
    committee(party_org, ended_on=day("2025-11-06"))
    as_of = day("2026-11-26")
    assert periods(party_org, COMMITTEE, as_of) == ["2025-11"]
    meeting(party_org, COMMITTEE, "2025-11-03")
    assert periods(party_org, COMMITTEE, as_of) == []
