"""DEV-TALK, DEV-ACTIVIST-TIME, DEV-PROBATION-OVERDUE exactly as CONTRACT.md's rules of Party
work say, at every date boundary: "X + n months" on month ends, the due day itself and the
day after, 培养中 through a 状态变更日期 after D, `activist_min_months` exactly, the end of a
probation + 3 months exactly, an extended probation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.compliance.engine import evaluate
from dangjian.development.models import Applicant, ApplicantStatus
from dangjian.partyorgs.models import PartyOrgStatus
from dangjian.people.models import Membership
from tests import factories

pytestmark = pytest.mark.django_db

DEV = ["DEV-TALK", "DEV-ACTIVIST-TIME", "DEV-PROBATION-OVERDUE"]


@pytest.fixture
def branch(areas):
    return factories.party_org(areas["wenyilu"], covers=[factories.org(areas["wenyilu"])])


def applicant(branch, **fields) -> Applicant:
    return Applicant.objects.create(person=factories.person("申请人"), party_org=branch, **fields)


def found(on: dt.date, rule: str) -> list:
    return [f for f in evaluate(as_of=on, rules=DEV).findings if f.rule == rule]


# DEV-TALK ------------------------------------------------------------------------------------


def test_talk_is_due_a_month_after_the_application_at_a_month_end(branch):
    a = applicant(branch, applied_on=dt.date(2026, 1, 31))
    assert found(dt.date(2026, 2, 28), "DEV-TALK") == []  # the due day itself: not yet
    (finding,) = found(dt.date(2026, 3, 1), "DEV-TALK")
    assert finding.due == dt.date(2026, 2, 28)
    assert finding.facts == {"applied_on": "2026-01-31", "party_org": branch.code}
    assert finding.subject.type == "person" and finding.subject.pk == a.person_id
    assert finding.subject.key == a.person.id_masked
    assert finding.area == branch.township.code


def test_a_talk_on_the_due_day_answers_the_application_one_day_later_does_not(branch):
    on_time = applicant(branch, applied_on=dt.date(2026, 3, 15), talked_on=dt.date(2026, 4, 15))
    late = applicant(branch, applied_on=dt.date(2026, 3, 15), talked_on=dt.date(2026, 4, 16))
    findings = found(dt.date(2026, 6, 1), "DEV-TALK")
    assert [f.subject.pk for f in findings] == [late.person_id]
    assert on_time.person_id not in {f.subject.pk for f in findings}


def test_a_talk_before_the_date_but_after_the_due_still_counts_as_missed(branch):
    applicant(branch, applied_on=dt.date(2026, 3, 15), talked_on=dt.date(2026, 5, 1))
    assert len(found(dt.date(2026, 5, 2), "DEV-TALK")) == 1


@pytest.mark.parametrize(
    ("status", "changed", "on", "fires"),
    [
        (ApplicantStatus.STOPPED, dt.date(2026, 4, 1), dt.date(2026, 3, 31), True),  # after D
        (ApplicantStatus.STOPPED, dt.date(2026, 4, 1), dt.date(2026, 4, 1), False),  # on D
        (ApplicantStatus.ADMITTED, dt.date(2026, 4, 1), dt.date(2026, 3, 31), True),
        (ApplicantStatus.ADMITTED, dt.date(2026, 4, 1), dt.date(2026, 4, 2), False),
        (ApplicantStatus.DEVELOPING, None, dt.date(2026, 4, 2), True),
    ],
)
def test_developing_on_the_date_through_the_status_change_day(branch, status, changed, on, fires):
    applicant(branch, applied_on=dt.date(2026, 1, 31), status=status, status_changed_on=changed)
    assert bool(found(on, "DEV-TALK")) is fires


def test_an_applicant_of_a_party_organization_the_rules_do_not_check_is_not_found(areas, branch):
    dissolved = factories.party_org(areas["wenyilu"], status=PartyOrgStatus.DISSOLVED,
                                    dissolved_on=dt.date(2026, 2, 1))  # fmt: skip
    industry = factories.party_org(areas["wenyilu"], form="industry")
    applicant(dissolved, applied_on=dt.date(2026, 1, 5))
    applicant(industry, applied_on=dt.date(2026, 1, 5))
    assert found(dt.date(2026, 6, 1), "DEV-TALK") == []


# DEV-ACTIVIST-TIME ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("activist", "candidate", "fires"),
    [
        (dt.date(2025, 1, 31), dt.date(2026, 1, 30), True),
        (dt.date(2025, 1, 31), dt.date(2026, 1, 31), False),  # exactly 12 months
        (dt.date(2024, 2, 29), dt.date(2025, 2, 27), True),
        (dt.date(2024, 2, 29), dt.date(2025, 2, 28), False),  # 29 Feb + 12 months = 28 Feb
    ],
)
def test_a_candidate_is_designated_activist_min_months_after_the_activist(
    branch, activist, candidate, fires
):
    applicant(branch, applied_on=activist, talked_on=activist, activist_on=activist,
              candidate_on=candidate)  # fmt: skip
    findings = found(dt.date(2026, 6, 1), "DEV-ACTIVIST-TIME")
    assert bool(findings) is fires
    if fires:
        assert findings[0].due is None
        assert findings[0].facts == {
            "activist_on": activist.isoformat(),
            "candidate_on": candidate.isoformat(),
        }


def test_activist_time_is_found_however_the_applicant_stands(branch):
    applicant(branch, applied_on=dt.date(2025, 1, 1), talked_on=dt.date(2025, 1, 2),
              activist_on=dt.date(2025, 2, 1), candidate_on=dt.date(2025, 3, 1),
              status=ApplicantStatus.ADMITTED, status_changed_on=dt.date(2025, 9, 1))  # fmt: skip
    assert len(found(dt.date(2026, 6, 1), "DEV-ACTIVIST-TIME")) == 1
    assert found(dt.date(2026, 6, 1), "DEV-TALK") == []  # no longer 培养中


# DEV-PROBATION-OVERDUE -----------------------------------------------------------------------


def probationary(branch, joined: dt.date, **fields) -> Membership:
    person = factories.member(None, relation=branch, joined_on=joined, confirmed_on=None)
    Membership.objects.filter(person=person).update(**fields)
    return Membership.objects.get(person=person)


def test_probation_overdue_three_months_after_a_year_at_a_month_end(branch):
    m = probationary(branch, dt.date(2024, 11, 30))  # ends 2025-11-30, due 2026-02-28
    assert found(dt.date(2026, 2, 28), "DEV-PROBATION-OVERDUE") == []
    (finding,) = found(dt.date(2026, 3, 1), "DEV-PROBATION-OVERDUE")
    assert finding.due == dt.date(2026, 2, 28)
    assert finding.facts == {"joined_on": "2024-11-30", "probation_ends": "2025-11-30"}
    assert finding.subject.pk == m.person_id


def test_a_probation_from_29_february_ends_on_28_february(branch):
    probationary(branch, dt.date(2024, 2, 29))  # ends 2025-02-28, due 2025-05-28
    assert found(dt.date(2025, 5, 28), "DEV-PROBATION-OVERDUE") == []
    (finding,) = found(dt.date(2025, 5, 29), "DEV-PROBATION-OVERDUE")
    assert finding.facts["probation_ends"] == "2025-02-28"


def test_an_extended_probation_is_due_three_months_after_its_end(branch):
    probationary(branch, dt.date(2025, 1, 10), probation_extended_to=dt.date(2026, 6, 30))
    assert found(dt.date(2026, 9, 30), "DEV-PROBATION-OVERDUE") == []  # normal end long past
    (finding,) = found(dt.date(2026, 10, 1), "DEV-PROBATION-OVERDUE")
    assert finding.due == dt.date(2026, 9, 30)
    assert finding.facts == {"joined_on": "2025-01-10", "probation_ends": "2026-06-30"}


def test_a_member_confirmed_on_or_before_the_date_is_not_probationary(branch):
    m = probationary(branch, dt.date(2024, 1, 10), confirmed_on=dt.date(2026, 1, 5))
    assert found(dt.date(2026, 1, 5), "DEV-PROBATION-OVERDUE") == []  # confirmed on D
    (finding,) = found(dt.date(2026, 1, 4), "DEV-PROBATION-OVERDUE")  # confirmed after D
    assert finding.subject.pk == m.person_id
    assert found(dt.date(2024, 1, 9), "DEV-PROBATION-OVERDUE") == []  # not yet admitted


def test_a_member_held_by_a_party_organization_the_rules_do_not_check_is_not_found(areas):
    dissolved = factories.party_org(areas["wenyilu"], status=PartyOrgStatus.DISSOLVED,
                                    dissolved_on=dt.date(2026, 2, 1))  # fmt: skip
    probationary(dissolved, dt.date(2024, 1, 10))
    factories.member(None, joined_on=dt.date(2024, 1, 10), confirmed_on=None)  # no relation
    assert found(dt.date(2026, 6, 1), "DEV-PROBATION-OVERDUE") == []
    assert len(found(dt.date(2026, 1, 31), "DEV-PROBATION-OVERDUE")) == 1  # still active


# Set-based, and the jurisdiction ---------------------------------------------------------


def test_the_rules_read_a_fixed_number_of_queries(branch):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            evaluate(as_of=dt.date(2026, 6, 1), rules=DEV)
        return len(ctx.captured_queries)

    applicant(branch, applied_on=dt.date(2025, 1, 5))
    probationary(branch, dt.date(2024, 1, 10))
    few = queries()
    for _ in range(5):
        applicant(branch, applied_on=dt.date(2025, 1, 5), activist_on=dt.date(2025, 2, 1),
                  candidate_on=dt.date(2025, 3, 1))  # fmt: skip
        probationary(branch, dt.date(2024, 1, 10))
    assert queries() == few
    assert len(found(dt.date(2026, 6, 1), "DEV-TALK")) == 6


def test_an_area_sees_its_own_party_organizations_applicants_only(areas, branch):
    elsewhere = factories.party_org(areas["pozi"])
    applicant(branch, applied_on=dt.date(2025, 1, 5))
    applicant(elsewhere, applied_on=dt.date(2025, 1, 5))
    result = evaluate(as_of=dt.date(2026, 6, 1), rules=DEV, area=areas["wenyilu"])
    assert [f.area for f in result.findings] == [areas["wenyilu"].code]
