"""The dated-fact logic at every boundary, in Python and in SQL, and that the two agree."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db.models import CheckConstraint

from dangjian.lib.dated import holds_on
from dangjian.lib.models import DatedQuerySet, DatedRelation
from dangjian.orgs.models import OrgStatus, SocialOrganization
from dangjian.partyorgs.models import (
    CommitteeMembership,
    Coverage,
    InstructorAssignment,
    PartyOrganization,
    PartyOrgStatus,
)
from dangjian.people.models import Employment, Membership
from tests import factories

D = dt.date(2026, 6, 15)
BEFORE, AFTER = D - dt.timedelta(days=1), D + dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (None, None, True),
        (BEFORE, None, True),
        (D, None, True),  # starting on D counts on D
        (AFTER, None, False),
        (BEFORE, D, False),  # ending on D no longer holds on D
        (BEFORE, AFTER, True),
        (D, D, False),
        (None, BEFORE, False),
    ],
)
def test_it_decides_whether_a_fact_holds_on_a_day(start, end, expected):
    assert holds_on(start, end, D) is expected


DATES = [None, BEFORE, D, AFTER]


def _pairs():
    for start, end in itertools.product(DATES, DATES):
        if start and end and end < start:
            continue
        yield start, end


def test_it_counts_employment_in_sql_exactly_as_in_python(areas):
    org = factories.org(areas["wenyilu"], registered_on=dt.date(2000, 1, 1))
    for start, end in _pairs():
        person = factories.person()
        Employment.objects.create(person=person, org=org, started_on=start, ended_on=end)
    for day in (BEFORE, D, AFTER):
        in_sql = set(Employment.objects.current_on(day).values_list("pk", flat=True))
        in_python = {e.pk for e in Employment.objects.all() if e.is_current(day)}
        assert in_sql == in_python
    assert Employment.objects.current_on(D).count() == sum(holds_on(s, e, D) for s, e in _pairs())


def test_it_makes_a_member_formal_on_the_day_of_confirmation(areas):
    p = factories.member(None, joined_on=BEFORE - dt.timedelta(days=365), confirmed_on=D)
    m = p.membership
    assert not m.is_formal(BEFORE)
    assert m.is_formal(D)
    assert m.is_member(BEFORE)
    assert not Membership.objects.formal_on(BEFORE).filter(pk=m.pk).exists()
    assert Membership.objects.formal_on(D).filter(pk=m.pk).exists()


def test_it_keeps_a_probationary_member_probationary_until_confirmed(areas):
    p = factories.member(None, joined_on=D, confirmed_on=None)
    m = p.membership
    assert not m.is_member(BEFORE)
    assert m.is_member(D)
    assert not m.is_formal(AFTER)
    assert set(Membership.objects.member_on(D)) == {m}
    assert not Membership.objects.formal_on(AFTER).exists()


def test_it_makes_an_organization_inactive_on_the_day_its_status_changes(areas):
    org = factories.org(
        areas["wenyilu"],
        registered_on=dt.date(2010, 1, 1),
        status=OrgStatus.DEREGISTERED,
        status_changed_on=D,
    )
    assert org.is_active(BEFORE)
    assert not org.is_active(D)
    assert list(SocialOrganization.objects.active_on(BEFORE)) == [org]
    assert not SocialOrganization.objects.active_on(D).exists()


def test_it_makes_an_organization_active_from_its_registration_day(areas):
    org = factories.org(areas["wenyilu"], registered_on=D)
    assert not org.is_active(BEFORE)
    assert org.is_active(D)
    assert not SocialOrganization.objects.active_on(BEFORE).exists()
    assert SocialOrganization.objects.active_on(D).get() == org


def test_it_ends_coverage_on_the_day_the_party_organization_is_dissolved(areas):
    org = factories.org(areas["wenyilu"], registered_on=dt.date(2010, 1, 1))
    po = factories.party_org(
        areas["wenyilu"],
        covers=[org],
        founded_on=dt.date(2016, 1, 1),
        status=PartyOrgStatus.DISSOLVED,
        dissolved_on=D,
    )
    coverage = po.coverages.get()
    assert po.is_active(BEFORE) and not po.is_active(D)
    assert coverage.is_current(BEFORE) and not coverage.is_current(D)
    assert Coverage.objects.current_on(BEFORE).count() == 1
    assert Coverage.objects.current_on(D).count() == 0
    assert PartyOrganization.objects.active_on(BEFORE).count() == 1
    assert PartyOrganization.objects.active_on(D).count() == 0
    assert PartyOrganization.objects.active_on(dt.date(2015, 12, 31)).count() == 0


# The dated relation (lib/models.py): every dated relation takes its fields, constraint,
# `current_on` and `is_current` from one abstract model.

DATED_RELATIONS = (Coverage, CommitteeMembership, InstructorAssignment, Employment)
REQUIRED_DATES = [(s, e) for s, e in _pairs() if s is not None]


def test_every_dated_relation_is_built_on_the_one_abstract_model():
    for model in DATED_RELATIONS:
        assert issubclass(model, DatedRelation)
        assert isinstance(model.objects.all(), DatedQuerySet)
        fields = {f.name: f.column for f in model._meta.fields}
        assert fields["started_on"] == "started_on" and fields["ended_on"] == "ended_on"
    assert Employment._meta.get_field("started_on").null
    assert not Coverage._meta.get_field("started_on").null


def _office_builder(areas):
    po = factories.party_org(areas["wenyilu"], founded_on=dt.date(2000, 1, 1))
    return lambda start, end: factories.office(po, started_on=start, ended_on=end)


def _assignment_builder(areas):
    org = factories.org(areas["wenyilu"], registered_on=dt.date(2000, 1, 1))
    return lambda start, end: factories.instructor_assignment(org, started_on=start, ended_on=end)


def _coverage_builder(areas):
    po = factories.party_org(areas["wenyilu"], founded_on=dt.date(2000, 1, 1))

    def build(start, end):
        org = factories.org(areas["wenyilu"], registered_on=dt.date(2000, 1, 1))
        return factories.cover(po, org, started_on=start, ended_on=end)

    return build


@pytest.mark.parametrize(
    ("model", "builder"),
    [
        (CommitteeMembership, _office_builder),
        (InstructorAssignment, _assignment_builder),
        (Coverage, _coverage_builder),
    ],
)
def test_a_dated_relation_is_current_in_sql_exactly_as_in_python(areas, model, builder):
    build = builder(areas)
    for start, end in REQUIRED_DATES:
        build(start, end)
    for day in (BEFORE, D, AFTER):
        in_sql = set(model.objects.current_on(day).values_list("pk", flat=True))
        in_python = {r.pk for r in model.objects.all() if r.is_current(day)}
        assert in_sql == in_python
        assert len(in_sql) == sum(holds_on(s, e, day) for s, e in REQUIRED_DATES)


@pytest.mark.parametrize("model", DATED_RELATIONS)
def test_the_database_refuses_a_dated_relation_ending_before_it_starts(db, model):
    constraint = next(
        c
        for c in model._meta.constraints
        if isinstance(c, CheckConstraint) and c.name.endswith("ends_after_start")
    )
    with pytest.raises(ValidationError):
        constraint.validate(model, model(started_on=D, ended_on=BEFORE))
    constraint.validate(model, model(started_on=D, ended_on=D))
    constraint.validate(model, model(started_on=D, ended_on=None))


def test_an_organization_is_active_by_one_definition(areas):
    """`active_on_q` (SQL) and `active` (Python) agree on every status, change date and
    registration day; a status other than 正常 with no change date (which the database
    refuses) counts as no end."""
    expected = {}
    for registered, status, changed in itertools.product(
        (BEFORE, D, AFTER), OrgStatus.values, (None, BEFORE, D, AFTER)
    ):
        org = SocialOrganization(registered_on=registered, status=status, status_changed_on=changed)
        for day in (BEFORE, D, AFTER):
            assert org.is_active(day) is SocialOrganization.active(registered, status, changed, day)
            assert org.is_active(day) == (
                registered <= day and (status == OrgStatus.ACTIVE or not changed or changed > day)
            )
        storable = (status == OrgStatus.ACTIVE) == (changed is None)
        if storable and (changed is None or changed >= registered):
            org = factories.org(
                areas["wenyilu"], registered_on=registered, status=status, status_changed_on=changed
            )
            expected[org.pk] = org
    for day in (BEFORE, D, AFTER):
        in_sql = set(SocialOrganization.objects.active_on(day).values_list("pk", flat=True))
        assert in_sql == {pk for pk, org in expected.items() if org.is_active(day)}
        assert in_sql  # the boundaries are not all on one side
