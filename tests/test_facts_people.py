"""Facts per person (`Facts.people`, `Facts.per_person`): the members of a jurisdiction on a
date, and what each of them has, each one query whatever the number of people."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.compliance.facts import Facts, PersonFacts
from dangjian.people.models import Membership
from tests import factories

pytestmark = pytest.mark.django_db

D = dt.date(2024, 6, 15)


def a_world(areas, n: int) -> dict[str, list[int]]:
    """In 文艺路: members held by its Party organization, members employed by its
    organization with no relation; a member of 坡子街 (another district), a former member
    and a member admitted after D. Each holds an office where they are held."""
    here = areas["wenyilu"]
    po = factories.party_org(here)
    org = factories.org(here)
    other_po = factories.party_org(areas["pozi"])
    held = [factories.member(None, relation=po).pk for _ in range(n)]
    employed = [factories.member(org, confirmed_on=None, joined_on=D).pk for _ in range(n)]
    elsewhere = [factories.member(None, relation=other_po).pk for _ in range(n)]
    later = factories.member(org, joined_on=D + dt.timedelta(days=1), confirmed_on=None)
    for pk in held:
        factories.office(po, Membership.objects.get(person_id=pk).person, role="member")
    factories.office(po, Membership.objects.get(person_id=held[0]).person, ended_on=D)
    return {"held": held, "employed": employed, "elsewhere": elsewhere, "later": [later.pk]}


def test_it_gives_the_members_of_a_jurisdiction_by_person(areas):
    world = a_world(areas, 2)
    people = Facts(D, areas["wenyilu"]).people
    assert set(people) == {*world["held"], *world["employed"]}
    first = people[world["held"][0]]
    assert isinstance(first, PersonFacts)
    assert first.formal and first.relation_id is not None and first.masked.count("*") == 8
    assert not people[world["employed"][0]].formal
    assert people[world["employed"][0]].relation_id is None
    assert set(Facts(D).people) == {*world["held"], *world["employed"], *world["elsewhere"]}


def test_a_per_person_fact_groups_one_query_by_person(areas):
    world = a_world(areas, 2)
    facts = Facts(D, areas["wenyilu"])
    offices = facts.offices_by_person
    assert set(offices) == set(world["held"])  # the ended office is not held on D
    assert all([role for _po, role in held] == ["member"] for held in offices.values())


@pytest.mark.parametrize("fact", ["people", "offices_by_person"])
def test_a_per_person_fact_is_one_query_whatever_the_number_of_people(
    areas, django_assert_num_queries, fact
):
    a_world(areas, 1)
    with django_assert_num_queries(1):
        getattr(Facts(D, areas["wenyilu"]), fact)
    a_world(areas, 4)
    with django_assert_num_queries(1):
        getattr(Facts(D, areas["wenyilu"]), fact)
