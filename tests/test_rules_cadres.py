"""Rules of 五.3 (training of the backbone): CAD-SECRETARY-TRAINING, CAD-NEW-SECRETARY and
CAD-WORKER-TRAINING at every boundary of CONTRACT.md ("The rules of Party work, exactly"):
the office held on 12-31 of the last closed year and started on or before its 06-30, the
trainings that ended in that year (集中培训 and 任职培训 count, 其他 does not), the days
against `secretary_training_min_days`, the six months of a new secretary (month-end
arithmetic, `effective_on`, an office that went on), the Party organizations the rules
check — and the live re-evaluation after a training is recorded."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from django.utils import timezone

from dangjian.cadres.models import Training, TrainingKind
from dangjian.compliance import live
from dangjian.compliance.engine import evaluate, record
from dangjian.compliance.models import FindingRecord
from dangjian.compliance.policy import Policy, Setting, load
from dangjian.compliance.rules.base import Finding
from dangjian.partyorgs.models import PartyOrganization
from tests import factories

pytestmark = pytest.mark.django_db

D = dt.date(2026, 11, 30)  # the last closed year: 2025
LONG_AGO = dt.date(2016, 1, 1)
SECRETARY, NEW, WORKER = "CAD-SECRETARY-TRAINING", "CAD-NEW-SECRETARY", "CAD-WORKER-TRAINING"


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def branch(areas, **fields) -> PartyOrganization:
    fields.setdefault("founded_on", LONG_AGO)
    return factories.party_org(areas["wenyilu"], **fields)


def train(person, ended: str, days: str = "5", kind: str = TrainingKind.CENTRALIZED,
          started: str | None = None, name: str | None = None) -> Training:  # fmt: skip
    end = day(ended)
    start = day(started) if started else end - dt.timedelta(days=int(Decimal(days) + 1) - 1)
    return Training.objects.create(
        person=person, name=name or f"培训班{ended}{kind}", kind=kind, organizer="长沙市委党校",
        started_on=start, ended_on=end, days=Decimal(days),
    )  # fmt: skip


def found(rule: str, as_of: dt.date = D, policy: Policy | None = None) -> list[Finding]:
    return list(evaluate(as_of=as_of, rules=[rule], policy=policy).findings)


def keys(rule: str, as_of: dt.date = D, policy: Policy | None = None) -> list[tuple]:
    return [(f.subject.name, f.facts.get("party_org")) for f in found(rule, as_of, policy)]


def policy_with(**values) -> Policy:
    base = load()
    effective_on = values.pop("effective_on", base.effective_on)
    changed = {name: Setting(name, value, "测试") for name, value in values.items()}
    return replace(base, effective_on=effective_on, settings={**base.settings, **changed})


# CAD-SECRETARY-TRAINING -------------------------------------------------------------------------


def test_a_secretary_with_no_training_in_the_last_closed_year_is_found(areas):
    po = branch(areas, code="P-1")
    office = factories.office(po, started_on=LONG_AGO)
    [f] = found(SECRETARY)
    assert f.subject.type == "person" and f.subject.key == office.person.id_masked
    assert f.subject.name == office.person.name and f.area == po.township.code
    assert f.due == day("2025-12-31")
    assert f.facts == {"year": 2025, "trainings": 0, "days": 0, "party_org": "P-1"}
    assert "2025年度未参加集中培训或任职培训" in f.message


@pytest.mark.parametrize(
    ("ended", "counted"),
    [("2024-12-31", False), ("2025-01-01", True), ("2025-12-31", True), ("2026-01-01", False)],
)
def test_only_trainings_that_ended_in_the_year_count(areas, ended, counted):
    office = factories.office(branch(areas))
    train(office.person, ended, "5", started="2024-12-20")
    assert (found(SECRETARY) == []) is counted


@pytest.mark.parametrize(("days", "fires"), [("4.5", True), ("5", False), ("5.5", False)])
def test_the_days_are_summed_against_the_setting(areas, days, fires):
    office = factories.office(branch(areas, code="P-D"))
    train(office.person, "2025-03-10", "2", kind=TrainingKind.INDUCTION)
    train(office.person, "2025-09-10", str(Decimal(days) - 2))
    result = found(SECRETARY)
    assert bool(result) is fires
    if fires:
        assert result[0].facts == {"year": 2025, "trainings": 2, "days": 4.5, "party_org": "P-D"}
        assert "2次共4.5天，少于5天" in result[0].message


def test_other_trainings_do_not_count_and_the_setting_is_read(areas):
    office = factories.office(branch(areas))
    train(office.person, "2025-05-10", "6", kind=TrainingKind.OTHER)
    assert len(found(SECRETARY)) == 1
    train(office.person, "2025-06-10", "3")
    assert len(found(SECRETARY)) == 1  # 3 days < 5
    assert found(SECRETARY, policy=policy_with(secretary_training_min_days=3)) == []


@pytest.mark.parametrize(
    ("started", "ended", "fires"),
    [
        ("2025-06-30", None, True),  # started on the year's 06-30: a whole year's duty
        ("2025-07-01", None, False),  # after it
        ("2016-01-01", "2025-12-31", False),  # no longer held on 12-31
        ("2016-01-01", "2026-01-01", True),  # left on the next day: held on 12-31
    ],
)
def test_the_office_held_on_12_31_started_by_06_30(areas, started, ended, fires):
    factories.office(branch(areas), started_on=day(started), ended_on=day(ended) if ended else None)
    assert bool(found(SECRETARY)) is fires


def test_only_the_party_organizations_the_rules_check(areas):
    dissolved = branch(areas, dissolved_on=day("2026-06-01"), status="dissolved")
    territorial = branch(areas, form="township")
    founded_late = branch(areas, founded_on=day("2025-07-01"))
    for po in (dissolved, territorial, founded_late):
        factories.office(po, started_on=LONG_AGO if po is not founded_late else po.founded_on)
    joint = branch(areas, form="joint", code="P-J")
    factories.office(joint)
    assert [k[1] for k in keys(SECRETARY)] == ["P-J"]


def test_a_secretary_of_two_party_organizations_is_found_for_each(areas):
    person = factories.person("两个支部的书记")
    for code in ("P-A", "P-B"):
        factories.office(branch(areas, code=code), person)
    result = found(SECRETARY)
    assert [f.facts["party_org"] for f in result] == ["P-A", "P-B"]
    assert len({f.subject.key for f in result}) == 1
    train(person, "2025-10-01", "5")
    assert found(SECRETARY) == []


# CAD-NEW-SECRETARY ------------------------------------------------------------------------------


def test_a_new_secretary_without_induction_training_within_six_months(areas):
    po = branch(areas, code="P-N")
    office = factories.office(po, started_on=day("2026-03-31"))
    [f] = found(NEW)
    assert f.due == day("2026-09-30")  # 03-31 + 6 months: September has no 31st
    assert f.facts == {"appointed_on": "2026-03-31", "party_org": "P-N"}
    assert f.subject.key == office.person.id_masked
    assert "至2026-09-30" in f.message


@pytest.mark.parametrize(
    ("ended", "kind", "satisfied"),
    [
        ("2026-03-30", TrainingKind.INDUCTION, False),  # before the appointment
        ("2026-03-31", TrainingKind.INDUCTION, True),  # on the appointment day
        ("2026-09-30", TrainingKind.INDUCTION, True),  # on the deadline
        ("2026-10-01", TrainingKind.INDUCTION, False),  # after it
        ("2026-06-01", TrainingKind.CENTRALIZED, False),  # not 任职培训
    ],
)
def test_the_induction_training_between_appointment_and_deadline(areas, ended, kind, satisfied):
    office = factories.office(branch(areas), started_on=day("2026-03-31"))
    train(office.person, ended, "1", kind=kind)
    assert (found(NEW) == []) is satisfied


@pytest.mark.parametrize(("as_of", "fires"), [("2026-09-30", False), ("2026-10-01", True)])
def test_the_deadline_must_be_before_the_date(areas, as_of, fires):
    factories.office(branch(areas), started_on=day("2026-03-31"))
    assert bool(found(NEW, day(as_of))) is fires


@pytest.mark.parametrize(
    ("ended", "fires"), [("2026-09-30", False), ("2026-10-01", True), (None, True)]
)
def test_the_office_must_still_be_held_on_the_deadline(areas, ended, fires):
    factories.office(
        branch(areas), started_on=day("2026-03-31"), ended_on=day(ended) if ended else None
    )
    assert bool(found(NEW)) is fires


def test_an_office_that_went_on_is_not_a_new_secretary(areas):
    po = branch(areas)
    person = factories.person("连任书记")
    factories.office(po, person, started_on=day("2023-01-01"), ended_on=day("2026-01-05"))
    factories.office(po, person, started_on=day("2026-01-05"))
    assert [f.facts["appointed_on"] for f in found(NEW)] == ["2023-01-01"]
    # the same person elsewhere, or after a gap, is a new secretary
    other = branch(areas)
    factories.office(other, person, started_on=day("2026-01-05"))
    assert sorted(f.facts["appointed_on"] for f in found(NEW)) == ["2023-01-01", "2026-01-05"]


@pytest.mark.parametrize(("effective_on", "fires"), [("2026-03-31", True), ("2026-04-01", False)])
def test_appointments_before_effective_on_are_not_checked(areas, effective_on, fires):
    factories.office(branch(areas), started_on=day("2026-03-31"))
    policy = policy_with(effective_on=day(effective_on))
    assert bool(found(NEW, policy=policy)) is fires


def test_the_months_are_a_setting(areas):
    factories.office(branch(areas), started_on=day("2026-01-31"))
    assert [f.due for f in found(NEW)] == [day("2026-07-31")]
    three = policy_with(new_secretary_training_months=3)
    assert [f.due for f in found(NEW, policy=three)] == [day("2026-04-30")]


# CAD-WORKER-TRAINING ----------------------------------------------------------------------------


def test_deputies_members_and_full_time_workers_train_each_year(areas):
    po = branch(areas, code="P-W")
    deputy = factories.office(po, role="deputy")
    member = factories.office(po, role="member", full_time=True)
    factories.office(po, role="secretary")
    result = {f.subject.key: f for f in found(WORKER)}
    assert set(result) == {deputy.person.id_masked, member.person.id_masked}
    f = result[member.person.id_masked]
    assert f.facts == {"year": 2025, "party_org": "P-W"} and f.due == day("2025-12-31")
    assert "专职党务工作者2025年度未参加集中培训" in f.message
    train(deputy.person, "2025-12-31", "1")  # one training of either kind, ended in the year
    train(member.person, "2025-01-01", "0.5", kind=TrainingKind.INDUCTION)
    assert found(WORKER) == []


def test_a_worker_who_is_also_the_secretary_there_is_left_to_the_secretary_rule(areas):
    po = branch(areas)
    person = factories.person("委员兼书记")
    factories.office(po, person, role="member")
    factories.office(po, person, role="secretary", started_on=day("2025-12-31"))
    assert found(WORKER) == []
    # a secretary office ended on 12-31 is not held that day
    po2 = branch(areas)
    other = factories.person("卸任书记的委员")
    factories.office(po2, other, role="member")
    factories.office(po2, other, role="secretary", ended_on=day("2025-12-31"))
    assert [f.subject.name for f in found(WORKER)] == ["卸任书记的委员"]


@pytest.mark.parametrize(("started", "fires"), [("2025-06-30", True), ("2025-07-01", False)])
def test_a_worker_started_by_06_30(areas, started, fires):
    factories.office(branch(areas), role="deputy", started_on=day(started))
    assert bool(found(WORKER)) is fires


# Live: recording the training closes the finding ----------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_recording_a_training_closes_the_findings_at_once(areas):
    """A secretary of two Party organizations: the training closes both findings, though
    the write touched neither Party organization; an office written in one leaves the
    other's finding alone."""
    person = factories.person("两个支部的书记")
    a, b = branch(areas, code="P-LA"), branch(areas, code="P-LB")
    factories.office(a, person)
    factories.office(b, person)
    today = timezone.localdate()
    record(evaluate(as_of=today))

    def still_open() -> list[str]:
        return sorted(
            FindingRecord.objects.filter(
                rule=SECRETARY, subject_pk=person.pk, resolved_on__isnull=True
            ).values_list("occurrence", flat=True)
        )

    year = today.year - 1
    assert still_open() == [f"{year} P-LA", f"{year} P-LB"]
    factories.office(a, role="member")  # another office in one of them
    assert still_open() == [f"{year} P-LA", f"{year} P-LB"]
    training = train(person, f"{year}-06-10", "5")
    assert still_open() == []
    pk = training.pk
    training.delete()
    assert still_open() == [f"{year} P-LA", f"{year} P-LB"]
    assert live.scope_of({Training: {pk}}).people == {person.pk}
