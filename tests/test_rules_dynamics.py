"""DYN-INSPECTION, DYN-WEAK-OVERDUE and VEN-SIX exactly as CONTRACT.md's rules of Party work
say, at every boundary: an inspection on D and the day after, the latest by 年检年度 (not by
date), an organization deregistered on D and the day after; a deadline on D and the day
before, resolved on D and the day after, any form of Party organization, two at once; a
venue check on D and the day after, the latest check, none at all, the forms the rule
checks; and the live re-evaluation after an import."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.compliance.engine import evaluate, record
from dangjian.compliance.models import FindingRecord
from dangjian.imports.service import import_file
from dangjian.inspections.models import AnnualInspection
from dangjian.orgs.models import OrgStatus
from dangjian.partyorgs.models import PartyOrgForm, PartyOrgLevel
from dangjian.rectifications.models import Rectification
from dangjian.venues.models import SIX_FIELDS, SIX_LABELS, Venue
from tests import factories
from tests.importing import write_csv

pytestmark = pytest.mark.django_db

RULES = ["DYN-INSPECTION", "DYN-WEAK-OVERDUE", "VEN-SIX"]
DAY = dt.timedelta(days=1)


def found(on: dt.date, rule: str) -> list:
    return [f for f in evaluate(as_of=on, rules=RULES).findings if f.rule == rule]


def inspect(org, year: int, on: dt.date, party: bool) -> AnnualInspection:
    return AnnualInspection.objects.create(
        org=org, year=year, result="qualified", party_section=party, inspected_on=on
    )


def venue(party_org, on: dt.date, lacks: tuple[str, ...] = ()) -> Venue:
    flags = {f: f not in lacks for f in SIX_FIELDS}
    return Venue.objects.create(party_org=party_org, checked_on=on, name="党员活动室", **flags)


def weak(party_org, identified: dt.date, deadline: dt.date, resolved: dt.date | None = None):
    return Rectification.objects.create(
        party_org=party_org, identified_on=identified, problem="组织生活不正常",
        deadline=deadline, resolved_on=resolved,
    )  # fmt: skip


# DYN-INSPECTION --------------------------------------------------------------------------------


def test_an_inspection_without_the_party_section_counts_from_its_day(areas):
    org = factories.org(areas["wenyilu"])
    on = dt.date(2026, 5, 10)
    inspect(org, 2025, on, party=False)
    assert found(on - DAY, "DYN-INSPECTION") == []
    (finding,) = found(on, "DYN-INSPECTION")
    assert (finding.subject.type, finding.subject.key, finding.subject.pk) == (
        "social_org", org.uscc, org.pk,
    )  # fmt: skip
    assert finding.due == on + dt.timedelta(days=30)  # fix_within_days
    assert finding.facts == {"year": 2025}
    assert finding.area == areas["wenyilu"].code


def test_with_the_section_there_is_nothing_to_find(areas):
    org = factories.org(areas["wenyilu"])
    inspect(org, 2025, dt.date(2026, 5, 10), party=True)
    assert found(dt.date(2026, 12, 1), "DYN-INSPECTION") == []


def test_the_latest_inspection_by_year_decides(areas):
    org = factories.org(areas["wenyilu"])
    inspect(org, 2024, dt.date(2025, 4, 1), party=False)
    inspect(org, 2025, dt.date(2026, 4, 1), party=True)
    (finding,) = found(dt.date(2026, 3, 31), "DYN-INSPECTION")
    assert finding.facts == {"year": 2024} and finding.due == dt.date(2025, 5, 1)
    assert found(dt.date(2026, 4, 1), "DYN-INSPECTION") == []


def test_the_latest_by_year_not_by_inspection_date(areas):
    """A late inspection of an earlier year does not replace the later year's."""
    org = factories.org(areas["wenyilu"])
    inspect(org, 2025, dt.date(2026, 3, 1), party=True)
    inspect(org, 2024, dt.date(2026, 6, 1), party=False)  # 2024 inspected late
    assert found(dt.date(2026, 6, 1), "DYN-INSPECTION") == []
    other = factories.org(areas["wenyilu"])
    inspect(other, 2025, dt.date(2026, 3, 1), party=False)
    inspect(other, 2024, dt.date(2026, 6, 1), party=True)
    (finding,) = found(dt.date(2026, 6, 1), "DYN-INSPECTION")
    assert finding.subject.pk == other.pk and finding.facts == {"year": 2025}


def test_only_organizations_active_on_the_day(areas):
    on = dt.date(2026, 6, 1)
    gone = factories.org(areas["wenyilu"], status=OrgStatus.DEREGISTERED, status_changed_on=on)
    leaving = factories.org(
        areas["wenyilu"], status=OrgStatus.DEREGISTERED, status_changed_on=on + DAY
    )
    for org in (gone, leaving):
        inspect(org, 2025, dt.date(2026, 4, 1), party=False)
    assert [f.subject.pk for f in found(on, "DYN-INSPECTION")] == [leaving.pk]


# DYN-WEAK-OVERDUE ------------------------------------------------------------------------------


def test_a_rectification_is_overdue_the_day_after_its_deadline(areas):
    po = factories.party_org(areas["wenyilu"])
    deadline = dt.date(2026, 6, 30)
    weak(po, dt.date(2026, 1, 10), deadline)
    assert found(deadline, "DYN-WEAK-OVERDUE") == []
    (finding,) = found(deadline + DAY, "DYN-WEAK-OVERDUE")
    assert (finding.subject.type, finding.subject.key) == ("party_org", po.code)
    assert finding.due == deadline
    assert finding.facts == {"identified_on": "2026-01-10", "deadline": "2026-06-30"}


def test_resolved_on_the_day_it_is_no_longer_found(areas):
    po = factories.party_org(areas["wenyilu"])
    resolved = dt.date(2026, 7, 5)
    weak(po, dt.date(2026, 1, 10), dt.date(2026, 6, 30), resolved)
    assert len(found(resolved - DAY, "DYN-WEAK-OVERDUE")) == 1
    assert found(resolved, "DYN-WEAK-OVERDUE") == []


def test_any_form_of_party_organization_active_on_the_day(areas):
    township = factories.party_org(
        areas["wenyilu"], form=PartyOrgForm.TOWNSHIP, level=PartyOrgLevel.COMMITTEE
    )
    on = dt.date(2026, 8, 1)
    dissolved = factories.party_org(areas["wenyilu"], dissolved_on=on, status="dissolved")
    dissolving = factories.party_org(areas["wenyilu"], dissolved_on=on + DAY, status="dissolved")
    for po in (township, dissolved, dissolving):
        weak(po, dt.date(2026, 1, 10), dt.date(2026, 6, 30))
    assert {f.subject.pk for f in found(on, "DYN-WEAK-OVERDUE")} == {township.pk, dissolving.pk}


def test_two_rectifications_of_one_party_organization_are_two_findings(areas):
    po = factories.party_org(areas["wenyilu"])
    weak(po, dt.date(2025, 3, 1), dt.date(2025, 9, 1))
    weak(po, dt.date(2024, 3, 1), dt.date(2024, 9, 1))
    findings = found(dt.date(2026, 1, 1), "DYN-WEAK-OVERDUE")
    assert [f.facts["identified_on"] for f in findings] == ["2024-03-01", "2025-03-01"]


# VEN-SIX ---------------------------------------------------------------------------------------


def test_no_venue_record_is_found_due_on_the_day(areas):
    po = factories.party_org(areas["wenyilu"])
    on = dt.date(2026, 6, 1)
    (finding,) = found(on, "VEN-SIX")
    assert finding.subject.pk == po.pk and finding.due == on
    assert finding.facts == {"missing": list(SIX_LABELS), "recorded": False}


def test_a_check_lacking_items_names_them_in_the_policy_s_order(areas):
    po = factories.party_org(areas["wenyilu"])
    on = dt.date(2026, 6, 1)
    venue(po, on, lacks=("has_rules", "has_flag"))
    (before,) = found(on - DAY, "VEN-SIX")  # checked after the day: as no record
    assert before.facts["recorded"] is False
    (finding,) = found(on, "VEN-SIX")
    assert finding.facts == {"missing": ["有党旗", "有制度"]}
    assert finding.due == on + dt.timedelta(days=30)


def test_the_latest_check_decides(areas):
    po = factories.party_org(areas["wenyilu"])
    venue(po, dt.date(2025, 6, 1), lacks=("has_reading",))
    venue(po, dt.date(2026, 6, 1))
    assert len(found(dt.date(2026, 5, 31), "VEN-SIX")) == 1
    assert found(dt.date(2026, 6, 1), "VEN-SIX") == []
    venue(po, dt.date(2026, 9, 1), lacks=("has_place",))
    (finding,) = found(dt.date(2026, 9, 1), "VEN-SIX")
    assert finding.facts == {"missing": ["有场所"]}


def test_only_the_party_organizations_the_rules_check(areas):
    on = dt.date(2026, 6, 1)
    checked = [
        factories.party_org(areas["wenyilu"], form=form)
        for form in (PartyOrgForm.STANDALONE, PartyOrgForm.JOINT, PartyOrgForm.FUNCTIONAL)
    ]
    factories.party_org(areas["wenyilu"], form=PartyOrgForm.INDUSTRY)
    factories.party_org(areas["wenyilu"], form=PartyOrgForm.TOWNSHIP,
                        level=PartyOrgLevel.COMMITTEE)  # fmt: skip
    factories.party_org(areas["wenyilu"], dissolved_on=on, status="dissolved")
    factories.party_org(areas["wenyilu"], founded_on=on + DAY)
    assert {f.subject.pk for f in found(on, "VEN-SIX")} == {p.pk for p in checked}


# The live re-evaluation ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_imports_re_evaluate_what_they_touch(tmp_path, areas):
    """A committed venue check with all six resolves VEN-SIX at once; an inspection without
    the section opens DYN-INSPECTION; with it, closes it (compliance/live.py)."""
    po = factories.party_org(areas["wenyilu"], covers=[org := factories.org(areas["wenyilu"])])
    today = dt.date.today()
    record(evaluate(as_of=today))
    open_ = FindingRecord.objects.filter(resolved_on__isnull=True)
    assert open_.filter(rule="VEN-SIX", subject_pk=po.pk).exists()
    path = write_csv(tmp_path / "venues.csv",
                     [[po.code, "党员活动室", *["是"] * 6, today.isoformat()]], kind="venues")  # fmt: skip
    assert import_file("venues", path).ok
    assert not open_.filter(rule="VEN-SIX", subject_pk=po.pk).exists()
    year = today.year - 1
    path = write_csv(tmp_path / "inspections.csv",
                     [[org.uscc, str(year), "合格", "否", today.isoformat()]], kind="inspections")  # fmt: skip
    assert import_file("inspections", path).ok
    assert open_.filter(rule="DYN-INSPECTION", subject_pk=org.pk).exists()
    path = write_csv(tmp_path / "inspections.csv",
                     [[org.uscc, str(year), "合格", "是", today.isoformat()]], kind="inspections")  # fmt: skip
    assert import_file("inspections", path).ok
    assert not open_.filter(rule="DYN-INSPECTION", subject_pk=org.pk).exists()
