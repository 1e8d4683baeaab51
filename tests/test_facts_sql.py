"""The facts as SQL (`Facts.org_table` and the counts the reports take from it) are the facts
as Python objects (`Facts.orgs`, which the rules read), on random datasets with dates on
every side of the day asked about: the reports and `check` cannot disagree.

`members_by_township` (counted only in SQL) is held against a reference written here from
the model objects, from its definition (POLICY 3.1)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import pytest
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.compliance.facts import LEVEL_RANKS, Facts
from dangjian.orgs.models import OrgKind, OrgStatus
from dangjian.partyorgs.models import Coverage, PartyOrgForm, PartyOrgLevel, PartyOrgStatus
from dangjian.people.models import Employment, Membership
from tests import factories

pytestmark = pytest.mark.django_db

DAYS = [dt.date(2019, 6, 1), dt.date(2020, 1, 1), dt.date(2020, 6, 1), dt.date(2021, 1, 1)]
AS_OF = [dt.date(2019, 12, 31), dt.date(2020, 1, 1), dt.date(2020, 12, 31), dt.date(2021, 6, 30)]
TOWNSHIPS = ["wenyilu", "chaoyang", "pozi"]
FORMS = [
    PartyOrgForm.STANDALONE,
    PartyOrgForm.JOINT,
    PartyOrgForm.FUNCTIONAL,
    PartyOrgForm.INDUSTRY,
]

day = st.sampled_from(DAYS)
maybe_day = st.one_of(st.none(), day)


@st.composite
def worlds(draw: Any) -> dict[str, Any]:
    n_orgs = draw(st.integers(1, 5))
    n_party = draw(st.integers(0, 3))
    index = st.integers(0, n_orgs - 1)
    return {
        "orgs": [
            {
                "township": draw(st.sampled_from(TOWNSHIPS)),
                "kind": draw(st.sampled_from(list(OrgKind))),
                "registered_on": draw(st.sampled_from([dt.date(2015, 1, 1), DAYS[2]])),
                "deregistered_on": draw(maybe_day),
                "staff": draw(st.one_of(st.none(), st.integers(0, 50))),
            }
            for _ in range(n_orgs)
        ],
        "party_orgs": [
            {
                "township": draw(st.sampled_from(TOWNSHIPS)),
                "form": draw(st.sampled_from(FORMS)),
                "level": draw(st.sampled_from(list(PartyOrgLevel))),
                "founded_on": draw(st.sampled_from([dt.date(2016, 1, 1), DAYS[1]])),
                "dissolved_on": draw(st.one_of(st.none(), st.sampled_from(DAYS[2:]))),
                "covers": draw(
                    st.lists(
                        st.tuples(index, st.sampled_from(DAYS[:2]), maybe_day),
                        max_size=3,
                        unique_by=lambda c: c[0],
                    )
                ),
            }
            for _ in range(n_party)
        ],
        "people": [
            {
                "joined_on": draw(st.sampled_from(DAYS[:3])),
                "confirmed_after": draw(st.one_of(st.none(), st.integers(0, 1))),
                "relation": draw(st.one_of(st.none(), st.integers(0, max(n_party - 1, 0)))),
                # (organization, started, ended); the same organization twice is allowed
                "jobs": draw(
                    st.lists(
                        st.tuples(index, maybe_day, maybe_day),
                        max_size=2,
                        unique_by=lambda job: (job[0], job[1]),
                    )
                ),
            }
            for _ in range(draw(st.integers(0, 7)))
        ],
        "instructors": draw(
            st.lists(st.tuples(index, st.sampled_from(DAYS[:2]), maybe_day), max_size=3)
        ),
    }


def _ordered(start: dt.date | None, end: dt.date | None) -> tuple[Any, Any]:
    if start is not None and end is not None and end < start:
        return end, start
    return start, end


def build(areas: dict[str, Any], world: dict[str, Any]) -> None:
    orgs = []
    for spec in world["orgs"]:
        gone = spec["deregistered_on"]
        if gone is not None and gone < spec["registered_on"]:
            gone = spec["registered_on"]
        fields: dict[str, Any] = (
            {} if gone is None else {"status": OrgStatus.DEREGISTERED, "status_changed_on": gone}
        )
        orgs.append(
            factories.org(
                areas[spec["township"]],
                kind=spec["kind"],
                registered_on=spec["registered_on"],
                staff_count=spec["staff"],
                **fields,
            )
        )
    party_orgs = []
    for spec in world["party_orgs"]:
        gone = spec["dissolved_on"]
        fields = {} if gone is None else {"status": PartyOrgStatus.DISSOLVED, "dissolved_on": gone}
        party_org = factories.party_org(
            areas[spec["township"]],
            form=spec["form"],
            level=spec["level"],
            founded_on=spec["founded_on"],
            **fields,
        )
        for i, started, ended in spec["covers"]:
            started, ended = _ordered(started, ended)
            Coverage.objects.create(
                party_org=party_org, org=orgs[i], started_on=started, ended_on=ended
            )
        party_orgs.append(party_org)
    for spec in world["people"]:
        joined = spec["joined_on"]
        confirmed = None
        if spec["confirmed_after"] is not None:
            later = [d for d in DAYS if d >= joined]
            confirmed = later[min(spec["confirmed_after"], len(later) - 1)]
        relation = (
            party_orgs[spec["relation"]] if spec["relation"] is not None and party_orgs else None
        )
        person = factories.member(None, joined_on=joined, confirmed_on=confirmed, relation=relation)
        for i, started, ended in spec["jobs"]:
            started, ended = _ordered(started, ended)
            factories.employ(person, orgs[i], started_on=started, ended_on=ended)
    for i, started, ended in world["instructors"]:
        started, ended = _ordered(started, ended)
        factories.instructor_assignment(orgs[i], started_on=started, ended_on=ended)


def _table(facts: Facts) -> dict[int, tuple[Any, ...]]:
    try:
        sql, params = facts.org_table()
    except EmptyResultSet:  # restricted to nothing
        return {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: tuple(row) for row in cursor.fetchall()}


def _by_kind(pairs: list[tuple[str, Any]]) -> dict[str | None, int]:
    """Distinct values per kind and in all (None), from (kind, value) pairs."""
    sets: dict[str | None, set[Any]] = defaultdict(set)
    for kind, value in pairs:
        sets[kind].add(value)
        sets[None].add(value)
    return {kind: len(values) for kind, values in sets.items()}


def _nonzero(counts: dict[Any, Any]) -> dict[Any, Any]:
    return {k: v for k, v in counts.items() if v not in (0, (0, 0))}


def assert_agree(facts: Facts) -> None:
    orgs = facts.orgs
    table = _table(facts)
    assert set(table) == set(orgs)
    for pk, org in orgs.items():
        standalone = [
            LEVEL_RANKS.index(level)
            for _pk, form, level in org.covering
            if form == PartyOrgForm.STANDALONE
        ]
        assert table[pk][1:] == (
            org.township_id, org.kind, org.industry, org.uscc, org.name, org.staff_count,
            int(org.active), org.formal, org.member_count, min(standalone, default=None),
            int(bool(org.covered_by(PartyOrgForm.JOINT))), int(org.covered), int(org.instructor),
        ), org.name  # fmt: skip
    active = [o for o in orgs.values() if o.active]
    members = _by_kind([(o.kind, m.person_id) for o in active for m in o.members])
    elsewhere = _by_kind(
        [
            (o.kind, m.person_id)
            for o in active
            for m in o.members
            if m.relation_id not in {pk for pk, _form, _level in o.covering}
        ]
    )
    got = facts.members_by_kind()
    assert _nonzero({k: v[0] for k, v in got.items()}) == members
    assert _nonzero({k: v[1] for k, v in got.items()}) == elsewhere
    joint = _by_kind(
        [(o.kind, pk) for o in active for pk, form, _ in o.covering if form == PartyOrgForm.JOINT]
    )
    assert _nonzero(facts.joint_party_orgs_by_kind()) == joint
    # Profiles: each active organization once, as the Python facts describe it.
    counted: dict[tuple[Any, ...], int] = defaultdict(int)
    for o in active:
        standalone = [
            LEVEL_RANKS.index(lvl) for _pk, f, lvl in o.covering if f == PartyOrgForm.STANDALONE
        ]
        band = 0 if not o.formal else (1 if o.formal < 3 else 2)
        counted[(o.kind, band, bool(o.members), min(standalone, default=None),
                 bool(o.covered_by(PartyOrgForm.JOINT)), o.covered, o.instructor)] += 1  # fmt: skip
    profiles = {
        (kind, p.formal, p.members, p.standalone, p.joint, p.covered, p.instructor): n
        for kind, p, n, _staff in facts.profiles("kind", 3)
    }
    assert profiles == dict(counted)
    eligible = {row[0] for row in facts.eligible_for_joint(3)}
    assert eligible == {o.pk for o in active if 1 <= o.formal < 3 and not o.covered}


def reference_members_by_township(
    facts: Facts, org_pks: set[int] | None, party_pks: set[int] | None
):
    """POLICY 3.1, from the objects: each member once, in the township of the Party
    organization holding their relation, or else of their first (lowest-numbered) employer."""
    d, area = facts.as_of, facts.area

    def inside(township: Any) -> bool:
        return area is None or township.path.startswith(area.path)

    out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for m in Membership.objects.select_related("relation_party_org__township", "person"):
        if m.joined_on > d:
            continue
        formal = m.confirmed_on is not None and m.confirmed_on <= d
        held = m.relation_party_org
        if held is not None:
            if inside(held.township) and (party_pks is None or held.pk in party_pks):
                out[held.township_id][0 if formal else 1] += 1
            continue
        jobs = [e for e in Employment.objects.filter(person=m.person) if e.is_current(d)]
        if not jobs:
            continue
        first = min(jobs, key=lambda e: e.org_id).org
        if inside(first.township) and (org_pks is None or first.pk in org_pks):
            out[first.township_id][0 if formal else 1] += 1
    return dict(out)


@pytest.mark.slow
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds(), keep=st.integers(0, 2**10))
def test_the_sql_facts_are_the_python_facts(areas, world, keep):
    with transaction.atomic():
        build(areas, world)
        from dangjian.orgs.models import SocialOrganization
        from dangjian.partyorgs.models import PartyOrganization

        all_orgs = sorted(SocialOrganization.objects.values_list("pk", flat=True))
        all_party = sorted(PartyOrganization.objects.values_list("pk", flat=True))
        # a random part of them, for a jurisdiction that is not a whole area
        some_orgs = {pk for i, pk in enumerate(all_orgs) if keep >> i & 1}
        some_party = {pk for i, pk in enumerate(all_party) if keep >> (i + 5) & 1}
        for as_of in AS_OF:
            for area in (None, areas["furong"], areas["pozi"]):
                facts = Facts(as_of, area)
                assert_agree(facts)
                assert _nonzero(facts.members_by_township) == _nonzero(
                    reference_members_by_township(facts, None, None)
                )
            restricted = Facts(as_of, areas["city"])
            restricted.restrict(
                SocialOrganization.objects.filter(pk__in=some_orgs).values("pk"),
                PartyOrganization.objects.filter(pk__in=some_party).values("pk"),
            )
            assert_agree(restricted)
            assert set(restricted.orgs) <= some_orgs
            assert _nonzero(restricted.members_by_township) == _nonzero(
                reference_members_by_township(restricted, some_orgs, some_party)
            )
        nothing = Facts(AS_OF[-1])
        nothing.restrict(set(), set())
        assert nothing.orgs == {} and nothing.profiles("kind", 3) == []
        assert nothing.eligible_for_joint(3) == [] and nothing.members_by_township == {}
        transaction.set_rollback(True)
