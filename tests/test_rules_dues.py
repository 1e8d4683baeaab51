"""MEM-DUES-LAPSE and FUN-DUES-RETURN exactly as CONTRACT.md's rules of Party work say, at
every boundary: the `dues_lapse_months` months before D's month (D on a month's first and
last day), 实缴金额 0 against 0.01, a member since the window's first day against the day
before, formal and probationary, the relation held by a Party organization the rules check
or not; a return one fen short against one in full, D's year against the year before, a
dissolved Party organization and a township's; one grouped pass, and the live re-evaluation
after an import."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.compliance.engine import evaluate, record
from dangjian.compliance.facts.dues import lapse_window
from dangjian.compliance.models import FindingRecord
from dangjian.dues.models import DuesPayment, DuesReturn
from dangjian.imports.service import import_file
from dangjian.partyorgs.models import PartyOrgForm, PartyOrgLevel, PartyOrgStatus
from tests import factories
from tests.importing import write_csv

pytestmark = pytest.mark.django_db

RULES = ["MEM-DUES-LAPSE", "FUN-DUES-RETURN"]
D = dt.date(2026, 11, 30)  # CONTRACT's example: the window is 2026-05 … 2026-10


@pytest.fixture
def branch(areas):
    return factories.party_org(areas["wenyilu"], covers=[factories.org(areas["wenyilu"])])


def member(branch, joined_on=dt.date(2020, 7, 1), confirmed_on=dt.date(2021, 7, 1)):
    return factories.member(None, relation=branch, joined_on=joined_on, confirmed_on=confirmed_on)


def pay(person, month: str, paid: str = "10.00") -> DuesPayment:
    day = dt.date.fromisoformat(f"{month}-01")
    return DuesPayment.objects.create(
        person=person, month=day, category="employed", base=Decimal("2000"), paid=Decimal(paid),
        paid_on=day + dt.timedelta(days=9) if Decimal(paid) > 0 else None,
    )  # fmt: skip


def found(on: dt.date, rule: str) -> list:
    return [f for f in evaluate(as_of=on, rules=RULES).findings if f.rule == rule]


# MEM-DUES-LAPSE ------------------------------------------------------------------------------


def test_the_window_is_the_months_before_the_date_s_month():
    assert lapse_window(D, 6) == (dt.date(2026, 5, 1), dt.date(2026, 10, 1))
    assert lapse_window(dt.date(2026, 11, 1), 6) == (dt.date(2026, 5, 1), dt.date(2026, 10, 1))
    assert lapse_window(dt.date(2026, 2, 28), 6) == (dt.date(2025, 8, 1), dt.date(2026, 1, 1))


def test_a_member_who_paid_nothing_in_the_six_months_is_found(branch):
    person = member(branch)
    pay(person, "2026-03")
    pay(person, "2026-04", "0")  # before the window: 0 does not count as paid either
    for month in ("2026-05", "2026-06", "2026-10"):
        pay(person, month, "0")  # rows of 0 are nothing paid
    (finding,) = found(D, "MEM-DUES-LAPSE")
    assert finding.subject.pk == person.pk and finding.subject.key == person.id_masked
    assert finding.due == D
    assert finding.facts == {"months": 6, "last_paid": "2026-03"}
    assert finding.area == branch.township.code


def test_last_paid_is_null_without_any_payment_before(branch):
    member(branch)
    (finding,) = found(D, "MEM-DUES-LAPSE")
    assert finding.facts == {"months": 6, "last_paid": None}


@pytest.mark.parametrize(
    ("month", "paid", "fires"),
    [
        ("2026-05", "0.01", False),  # the window's first month, one fen
        ("2026-10", "0.01", False),  # its last month
        ("2026-05", "0", True),
        ("2026-04", "10.00", True),  # the month before the window: it is last_paid
        ("2026-11", "10.00", True),  # D's own month is not in the window
        ("2026-12", "10.00", True),  # paid in advance for later months: not in the window
    ],
)
def test_a_payment_counts_only_inside_the_window_and_above_zero(branch, month, paid, fires):
    person = member(branch)
    pay(person, month, paid)
    assert bool(found(D, "MEM-DUES-LAPSE")) is fires


@pytest.mark.parametrize(
    ("on", "window_paid", "fires"),
    [
        (dt.date(2026, 11, 1), "2026-05", False),  # D on its month's first day: same window
        (dt.date(2026, 11, 30), "2026-05", False),
        (dt.date(2026, 12, 1), "2026-05", True),  # the window moved on: 2026-06 … 2026-11
    ],
)
def test_d_on_a_month_s_first_and_last_day(branch, on, window_paid, fires):
    person = member(branch)
    pay(person, window_paid)
    assert bool(found(on, "MEM-DUES-LAPSE")) is fires


@pytest.mark.parametrize(
    ("joined_on", "fires"),
    [
        (dt.date(2026, 4, 30), True),  # member since before the window's first day
        (dt.date(2026, 5, 1), False),  # admitted on its first day: not since before it
        (dt.date(2026, 5, 2), False),
    ],
)
def test_a_member_since_before_the_first_month(branch, joined_on, fires):
    member(branch, joined_on=joined_on, confirmed_on=None)  # probationary on D
    assert bool(found(D, "MEM-DUES-LAPSE")) is fires


def test_formal_and_probationary_members_both_pay(branch):
    formal = member(branch)
    probationary = member(branch, joined_on=dt.date(2026, 1, 10), confirmed_on=None)
    assert {f.subject.pk for f in found(D, "MEM-DUES-LAPSE")} == {formal.pk, probationary.pk}
    # not yet a member on D: no finding
    member(branch, joined_on=D + dt.timedelta(days=1), confirmed_on=None)
    assert len(found(D, "MEM-DUES-LAPSE")) == 2


def test_only_members_whose_relation_a_checked_party_organization_holds(areas, branch):
    township = factories.party_org(areas["wenyilu"], code="P-TOWN", form=PartyOrgForm.TOWNSHIP,
                                   level=PartyOrgLevel.COMMITTEE)  # fmt: skip
    industry = factories.party_org(areas["wenyilu"], code="P-IND", form=PartyOrgForm.INDUSTRY,
                                   level=PartyOrgLevel.COMMITTEE)  # fmt: skip
    dissolved = factories.party_org(areas["wenyilu"], code="P-OLD", founded_on=dt.date(2016, 1, 1))
    dissolved.status, dissolved.dissolved_on = PartyOrgStatus.DISSOLVED, dt.date(2026, 6, 30)
    dissolved.save()
    member(township)
    member(industry)  # CONTRACT: a 行业党委 only where a rule says so
    member(dissolved)
    factories.member(None, joined_on=dt.date(2020, 1, 1), confirmed_on=dt.date(2021, 1, 1))
    mine = member(branch)
    assert [f.subject.pk for f in found(D, "MEM-DUES-LAPSE")] == [mine.pk]


def test_one_grouped_pass_whatever_the_number_of_members(branch):
    for _ in range(3):
        member(branch)
    with CaptureQueriesContext(connection) as three:
        assert len(found(D, "MEM-DUES-LAPSE")) == 3
    for _ in range(12):
        pay(member(branch), "2026-01")
    with CaptureQueriesContext(connection) as fifteen:
        assert len(found(D, "MEM-DUES-LAPSE")) == 15
    assert len(fifteen.captured_queries) == len(three.captured_queries)


# FUN-DUES-RETURN -----------------------------------------------------------------------------


def ret(party_org, year: int, paid_up: str, returned: str) -> DuesReturn:
    return DuesReturn.objects.create(
        party_org=party_org, year=year, paid_up=Decimal(paid_up), returned=Decimal(returned),
        returned_on=dt.date(year + 1, 2, 1) if Decimal(returned) > 0 else None,
    )  # fmt: skip


def test_a_return_one_fen_short_is_found_one_in_full_is_not(branch, areas):
    ret(branch, 2025, "1200.00", "1199.99")
    full = factories.party_org(areas["wenyilu"], code="P-FULL")
    ret(full, 2025, "1200.00", "1200.00")
    more = factories.party_org(areas["wenyilu"], code="P-MORE")
    ret(more, 2025, "1200.00", "1300.00")
    (finding,) = found(D, "FUN-DUES-RETURN")
    assert finding.subject.pk == branch.pk and finding.subject.key == branch.code
    assert finding.due == dt.date(2026, 3, 31)
    assert finding.facts == {"year": 2025, "paid_up": 1200, "returned": 1199.99}


def test_only_years_before_d_s_year_and_one_finding_per_year(branch):
    ret(branch, 2026, "100", "0")  # D's own year: not yet closed
    ret(branch, 2024, "100", "50")
    ret(branch, 2025, "100.50", "0")
    findings = found(D, "FUN-DUES-RETURN")
    assert [f.facts["year"] for f in findings] == [2024, 2025]  # sorted by facts.year
    assert findings[1].facts == {"year": 2025, "paid_up": 100.5, "returned": 0}
    assert [f.facts["year"] for f in found(dt.date(2027, 1, 1), "FUN-DUES-RETURN")] == [
        2024, 2025, 2026,
    ]  # fmt: skip
    assert found(dt.date(2025, 12, 31), "FUN-DUES-RETURN")[0].facts["year"] == 2024


def test_any_party_organization_of_a_social_organization_whatever_its_state(areas, branch):
    dissolved = factories.party_org(areas["wenyilu"], code="P-OLD")
    dissolved.status, dissolved.dissolved_on = PartyOrgStatus.DISSOLVED, dt.date(2025, 6, 30)
    dissolved.save()
    ret(dissolved, 2025, "100", "0")
    industry = factories.party_org(areas["wenyilu"], code="P-IND", form=PartyOrgForm.INDUSTRY,
                                   level=PartyOrgLevel.COMMITTEE)  # fmt: skip
    ret(industry, 2025, "100", "0")
    township = factories.party_org(areas["wenyilu"], code="P-TOWN", form=PartyOrgForm.TOWNSHIP,
                                   level=PartyOrgLevel.COMMITTEE)  # fmt: skip
    ret(township, 2025, "100", "0")  # stored by hand: not a social organization's
    assert {f.subject.key for f in found(D, "FUN-DUES-RETURN")} == {"P-OLD", "P-IND"}


# The live re-evaluation ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_import_of_dues_re_evaluates_the_member(tmp_path, branch):
    """A committed import of a month paid in the window resolves the member's finding at
    once (compliance/live.py: a dues row's subject is its member)."""
    person = member(branch)
    record(evaluate(as_of=dt.date.today()))
    stored = FindingRecord.objects.filter(rule="MEM-DUES-LAPSE", subject_pk=person.pk)
    assert stored.filter(resolved_on__isnull=True).exists()
    today = dt.date.today()
    last = lapse_window(today, 6)[1]
    path = write_csv(tmp_path / "dues.csv", [[person.id_number, f"{last:%Y-%m}", "在职", "3000",
                                              "15.00", today.isoformat(), ""]], kind="dues")  # fmt: skip
    assert import_file("dues", path).ok
    assert not stored.filter(resolved_on__isnull=True).exists()
