"""The joint planner (`plan joint`, POLICY 3.1, CONTRACT.md): hand cases, properties over
random datasets, and turning a saved proposal into a real joint Party organization."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from dangjian.accounts.models import Role
from dangjian.compliance.engine import evaluate
from dangjian.orgs.models import OrgStatus, SocialOrganization
from dangjian.partyorgs.models import (
    Coverage,
    PartyOrganization,
    PartyOrgForm,
    PartyOrgLevel,
    PartyOrgStatus,
)
from dangjian.reports.coverage import coverage_report
from dangjian.reports.models import JointProposal
from dangjian.reports.planner import (
    Candidate,
    bound,
    greedy_pool,
    plan_joint,
    plan_pool,
    same_industry,
)
from dangjian.reports.services import proposal_apply, proposal_save
from tests import factories

AS_OF = dt.date(2026, 6, 30)
MAX_ORGS = 5  # joint_max_orgs (policy.toml)
DISTRICT = {"wenyilu": "430102", "chaoyang": "430102", "pozi": "430103"}


def candidate(n: int, formal: int, industry: str = "culture", township: str = "T") -> Candidate:
    return Candidate(n, f"U{n:03d}", f"组织{n}", industry, formal, township, "D")


def pool_of(ones: int, twos: int, industry: str = "culture") -> list[Candidate]:
    return [candidate(i, 1, industry) for i in range(ones)] + [
        candidate(100 + i, 2, industry) for i in range(twos)
    ]


def shapes(groups: list[Any]) -> list[tuple[int, ...]]:
    return sorted(tuple(sorted(c.formal for c in g.orgs)) for g in groups)


# --- the bound and one pool, by hand ---------------------------------------------------


@pytest.mark.parametrize(
    ("ones", "twos", "expected"),
    [
        (0, 0, 0),
        (1, 0, 0),
        (2, 0, 0),
        (0, 1, 0),
        (1, 1, 1),  # m = 1: one pair 1+2
        (3, 0, 1),  # one triple
        (0, 2, 1),  # one pair 2+2
        (4, 1, 2),  # m = 1, then ⌊3/3⌋ = 1
        (0, 3, 1),  # ⌊3/2⌋ = 1
        (2, 2, 2),  # m = 2
        (7, 1, 3),  # 1 + ⌊6/3⌋
        (1, 4, 2),  # 1 + ⌊3/2⌋
        (5, 5, 5),
        (10, 3, 3 + 2),  # 3 + ⌊7/3⌋
    ],
)
def test_it_bounds_the_number_of_groups(ones, twos, expected):
    assert bound(ones, twos) == expected


def test_it_plans_small_pools_by_hand():
    # a = 4, b = 1: a pair 1+2 and a triple 1+1+1
    groups, left = plan_pool(pool_of(4, 1), "T", MAX_ORGS)
    assert (shapes(groups), left) == ([(1, 1, 1), (1, 2)], [])
    # a = 0, b = 3: one pair 2+2, the third joins it
    groups, left = plan_pool(pool_of(0, 3), "T", MAX_ORGS)
    assert (shapes(groups), left) == ([(2, 2, 2)], [])
    # a = 2, b = 2: two pairs 1+2 (better than 2+2 with the ones left over)
    groups, left = plan_pool(pool_of(2, 2), "T", MAX_ORGS)
    assert (shapes(groups), left) == ([(1, 2), (1, 2)], [])
    # a = 1, b = 0: nothing to form, the one left over
    groups, left = plan_pool(pool_of(1, 0), "T", MAX_ORGS)
    assert groups == [] and [c.uscc for c in left] == ["U000"]
    # every group is of the pool's township
    assert {g.township for g in plan_pool(pool_of(4, 4), "430102001", MAX_ORGS)[0]} == {"430102001"}


def test_it_places_leftovers_within_the_limit_of_organizations():
    # a = 5: one triple, the two left over join it — 5 organizations, the limit
    groups, left = plan_pool(pool_of(5, 0), "T", MAX_ORGS)
    assert (shapes(groups), left) == ([(1, 1, 1, 1, 1)], [])
    # with a limit of 3, they find no room and are returned
    groups, left = plan_pool(pool_of(5, 0), "T", 3)
    assert shapes(groups) == [(1, 1, 1)] and len(left) == 2


def test_it_prefers_groups_of_one_industry():
    # culture 2, 2, 2 and education 2, 2: two pairs 2+2 and one left over
    pool = [candidate(i, 2, "culture") for i in range(3)]
    pool += [candidate(10 + i, 2, "education") for i in range(2)]
    groups, _left = plan_pool(pool, "T", MAX_ORGS)
    assert sorted(tuple(c.industry for c in g.orgs) for g in groups) == [
        ("culture", "culture", "culture"),
        ("education", "education"),
    ]
    assert same_industry(groups) == 2
    # the simple plan, filling groups in industry order, mixes the second group
    simple, _ = greedy_pool(pool, "T", MAX_ORGS)
    assert len(simple) == 2 and same_industry(simple) == 1


def partitions(items: list[Candidate]) -> Iterator[list[list[Candidate]]]:
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for partition in partitions(rest):
        for i in range(len(partition)):
            yield [*partition[:i], [first, *partition[i]], *partition[i + 1 :]]
        yield [[first], *partition]


def best_same_industry(pool: list[Candidate], groups: int) -> int:
    """By brute force: the most same-industry groups of any split of the whole pool into
    `groups` groups of ≥ 3 formal members and ≤ MAX_ORGS organizations."""
    best = -1
    for partition in partitions(pool):
        if len(partition) == groups and all(
            sum(c.formal for c in part) >= 3 and len(part) <= MAX_ORGS for part in partition
        ):
            best = max(best, sum(1 for part in partition if len({c.industry for c in part}) == 1))
    return best


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([1, 2]), st.sampled_from(["culture", "education", "sports"])),
        max_size=7,
    )
)
def test_it_plans_a_pool_as_well_as_brute_force(spec):
    pool = [candidate(i, formal, industry) for i, (formal, industry) in enumerate(spec)]
    ones = sum(1 for c in pool if c.formal == 1)
    groups, left = plan_pool(pool, "T", MAX_ORGS)
    placed = [c.uscc for g in groups for c in g.orgs] + [c.uscc for c in left]
    assert sorted(placed) == sorted(c.uscc for c in pool)  # each exactly once
    assert len(groups) == bound(ones, len(pool) - ones)
    assert all(g.formal_members >= 3 and len(g.orgs) <= MAX_ORGS for g in groups)
    if groups:
        assert left == []  # the leftovers always find room
        assert same_industry(groups) == best_same_industry(pool, len(groups))


# --- the whole city, on random datasets ------------------------------------------------

TOWNSHIP_NAMES = ["wenyilu", "wenyilu", "chaoyang", "pozi"]  # more in 文艺路街道
INDUSTRIES = ["culture", "education", "sports"]


@st.composite
def datasets(draw: Any) -> list[dict[str, Any]]:
    return [
        {
            "township": draw(st.sampled_from(TOWNSHIP_NAMES)),
            "formal": draw(st.sampled_from([1, 1, 1, 2, 2, 3])),
            "probationary": draw(st.sampled_from([0, 0, 1])),
            "industry": draw(st.sampled_from(INDUSTRIES)),
            "cover": draw(st.sampled_from([None] * 6 + ["joint", "functional"])),
            "active": draw(st.sampled_from([True] * 7 + [False])),
        }
        for _ in range(draw(st.integers(0, 16) | st.integers(6, 16)))
    ]


def build(areas: dict[str, Any], spec: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The organizations, by USCC: their spec plus the township and district codes."""
    party_orgs: dict[tuple[str, str], Any] = {}
    out = {}
    for s in spec:
        township = areas[s["township"]]
        inactive: dict[str, Any] = {} if s["active"] else {
            "status": OrgStatus.DEREGISTERED, "status_changed_on": dt.date(2021, 1, 1),
        }  # fmt: skip
        org = factories.org_with_members(
            township, s["formal"], s["probationary"], industry=s["industry"], **inactive
        )
        if s["cover"]:
            key = (s["township"], s["cover"])
            if key not in party_orgs:
                party_orgs[key] = factories.party_org(township, form=s["cover"])
            factories.cover(party_orgs[key], org)
        out[org.uscc] = {**s, "code": township.code, "district": DISTRICT[s["township"]]}
    return out


def baseline(pool: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The simple plan to beat: sorted by industry, each group filled until it has 3 formal
    members; the organizations left over join a group with room, of their industry if any."""
    groups: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    for org in sorted(pool, key=lambda o: (o["industry"], o["uscc"])):
        current.append(org)
        if sum(o["formal"] for o in current) >= 3:
            groups.append(current)
            current = []
    for org in current:
        room = [g for g in groups if len(g) < MAX_ORGS]
        same = [g for g in room if {o["industry"] for o in g} == {org["industry"]}]
        if room:
            (same or room)[0].append(org)
    return groups


def of_one_industry(groups: list[list[dict[str, Any]]]) -> int:
    return sum(1 for g in groups if len({o["industry"] for o in g}) == 1)


def check_plan(plan: Any, orgs: dict[str, dict[str, Any]]) -> None:
    eligible = {
        uscc: o for uscc, o in orgs.items() if o["active"] and o["formal"] < 3 and not o["cover"]
    }
    groups = [[{**eligible[c.uscc], "uscc": c.uscc} for c in g.orgs] for g in plan.groups]
    unplaced = [c.uscc for c, _why in plan.unplaced]
    # Every eligible organization exactly once.
    assert sorted([o["uscc"] for g in groups for o in g] + unplaced) == sorted(eligible)
    formal_by = defaultdict(int)  # eligible formal members by township code, by district
    ones_twos: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for o in eligible.values():
        formal_by[o["code"]] += o["formal"]
        formal_by[o["district"]] += o["formal"]
        ones_twos[o["code"]][o["formal"] - 1] += 1
    for group, orgs_ in zip(plan.groups, groups, strict=True):
        townships = {o["code"] for o in orgs_}
        assert group.formal_members == sum(o["formal"] for o in orgs_) >= 3
        assert 1 <= len(orgs_) <= MAX_ORGS
        assert len({o["district"] for o in orgs_}) == 1  # never across districts
        assert group.township in townships
        assert group.cross_township == (len(townships) > 1)
        # Across townships only with organizations of townships that cannot reach 3
        # themselves (at most one township of the group can: the one it was formed in).
        assert sum(1 for t in townships if formal_by[t] >= 3) <= 1
    # The bound, in every township: the groups formed there, from its own organizations.
    for code, (ones, twos) in ones_twos.items():
        own = [g for g in groups if sum(o["formal"] for o in g if o["code"] == code) >= 3]
        assert len(own) == bound(ones, twos), code
        # Counted by the flag: the township's groups not flagged cross_township are those of
        # its own groups that no organization of another township joined (one that did is
        # flagged, as it must be; see test_it_counts_a_townships_own_group_that_took_in_…).
        whole = [g for g in own if {o["code"] for o in g} == {code}]
        flagged = [g for g in plan.groups if g.township == code and not g.cross_township]
        assert len(flagged) == len(whole), code
        if len(whole) < len(own):
            event("a township's own group took in an organization of another township")
        # never fewer groups of one industry than the simple plan, where that one also
        # reaches the bound (the planner's own greedy candidate likewise)
        pool = [{**o, "uscc": u} for u, o in eligible.items() if o["code"] == code]
        mine = [[o for o in g if o["code"] == code] for g in own]
        simple = baseline(pool)
        if len(simple) == len(own):
            assert of_one_industry(mine) >= of_one_industry(simple), code
        candidates = [c for g in plan.groups for c in g.orgs if c.township == code]
        candidates += [c for c, _ in plan.unplaced if c.township == code]
        greedy, _ = greedy_pool(sorted(candidates, key=lambda c: c.uscc), code, MAX_ORGS)
        if len(greedy) == len(own):
            assert of_one_industry(mine) >= same_industry(greedy), code
    # Unplaced only where the district cannot reach 3 formal members.
    for uscc in unplaced:
        district = eligible[uscc]["district"]
        if formal_by[district] >= 3:
            # Known bug (test_it_places_an_organization_when_its_district_can_reach_3): the
            # district's groups were all full. Anything else is a new failure.
            assert all(len(g) == MAX_ORGS for g in groups if g[0]["district"] == district), uscc
            event("known bug: unplaced although the district reaches 3")
    event(f"groups: {min(len(groups), 4)}{'+' if len(groups) >= 4 else ''}")
    if any(g.cross_township for g in plan.groups):
        event("some group across townships")
    if unplaced:
        event("some organization unplaced")
    # The township summaries count the eligible organizations and the bound.
    summary = {t["township"]: t for t in plan.as_dict()["townships"]}
    assert set(summary) == set(ones_twos)
    for code, (ones, twos) in ones_twos.items():
        t = summary[code]
        assert (t["eligible_one"], t["eligible_two"], t["bound"]) == (ones, twos, bound(ones, twos))


@pytest.mark.django_db
@pytest.mark.slow
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=datasets())
def test_it_keeps_the_planner_invariants_on_random_datasets(areas, spec):
    with transaction.atomic():
        orgs = build(areas, spec)
        plan = plan_joint(as_of=AS_OF)
        check_plan(plan, orgs)
        as_json = plan.as_dict()
        assert as_json["unplaced"] == [c.uscc for c, _ in plan.unplaced]
        assert [g["orgs"] for g in as_json["groups"]] == [
            [c.uscc for c in g.orgs] for g in plan.groups
        ]
        # a district's plan is the city plan's groups of that district
        furong = plan_joint(as_of=AS_OF, area=areas["furong"])
        assert [g.as_dict() for g in furong.groups] == [
            g for g in as_json["groups"] if g["township"].startswith("430102")
        ]
        transaction.set_rollback(True)


# --- hand cases of the whole plan ------------------------------------------------------


@pytest.mark.django_db
def test_it_groups_across_townships_only_within_a_district(areas):
    one = factories.org_with_members(areas["wenyilu"], 1, industry="culture")
    two = [factories.org_with_members(areas["chaoyang"], 1, industry="culture") for _ in range(2)]
    alone = factories.org_with_members(areas["pozi"], 2, industry="culture")
    # not eligible: 3 formal; covered; no formal member; inactive
    factories.org_with_members(areas["pozi"], 3)
    covered = factories.org_with_members(areas["pozi"], 1)
    factories.party_org(areas["pozi"], form=PartyOrgForm.JOINT, covers=[covered])
    factories.org_with_members(areas["pozi"], 0, 2)
    factories.org_with_members(
        areas["pozi"], 1, status=OrgStatus.INACTIVE, status_changed_on=dt.date(2025, 1, 1)
    )
    plan = plan_joint(as_of=AS_OF).as_dict()
    # 文艺路街道 1 + 朝阳街街道 2 = 3 formal members in 芙蓉区: one cross-township group,
    # named after the township of its first organization (lowest USCC)
    assert plan["groups"] == [
        {
            "township": min([one, *two], key=lambda o: o.uscc).township.code,
            "industry": "culture",
            "orgs": sorted(o.uscc for o in [one, *two]),
            "formal_members": 3,
            "cross_township": True,
        }
    ]
    # 天心区 has 2 formal members to offer: unplaced
    assert plan["unplaced"] == [alone.uscc]
    text = plan_joint(as_of=AS_OF).unplaced[0][1]
    assert text == "所在区县符合条件的社会组织正式党员合计不足3名"
    summary = {t["township"]: t for t in plan["townships"]}
    assert [summary[c]["bound"] for c in ("430102001", "430102002", "430103001")] == [0, 0, 0]


@pytest.mark.django_db
def test_it_places_an_organization_when_its_district_can_reach_3(areas):
    five = [factories.org_with_members(areas["wenyilu"], 1) for _ in range(5)]
    lone = factories.org_with_members(areas["chaoyang"], 1)
    plan = plan_joint(as_of=AS_OF)  # 6 formal members in 芙蓉区: two groups possible
    assert plan.unplaced == [], [(c.uscc, why) for c, why in plan.unplaced]
    assert sorted(g.formal_members for g in plan.groups) == [3, 3]
    placed = {c.uscc for g in plan.groups for c in g.orgs}
    assert placed == {o.uscc for o in [*five, lone]}
    assert [g.cross_township for g in plan.groups].count(True) == 1


@pytest.mark.django_db
def test_it_counts_a_townships_own_group_that_took_in_a_neighbour(areas):
    for _ in range(3):
        factories.org_with_members(areas["wenyilu"], 1)
    factories.org_with_members(areas["chaoyang"], 1)
    plan = plan_joint(as_of=AS_OF)
    assert [len(g.orgs) for g in plan.groups] == [4]  # holds: 文艺路's 3 and 朝阳街's 1
    summary = {t["township"]: t for t in plan.as_dict()["townships"]}["430102001"]
    assert summary["same_industry"] <= summary["groups"] == summary["bound"] == 1  # groups: 0


@pytest.mark.django_db
def test_a_townships_own_group_keeps_its_core_when_the_district_needs_room(areas):
    """Found on random data: 文艺路 has four organizations of one formal member, 朝阳街 two.
    Making room for 朝阳街 must not break 文艺路's own group (its bound is 1)."""
    own = [factories.org_with_members(areas["wenyilu"], 1) for _ in range(4)]
    for _ in range(2):
        factories.org_with_members(areas["chaoyang"], 1)
    plan = plan_joint(as_of=AS_OF)
    assert plan.unplaced == []
    own_usccs = {o.uscc for o in own}
    cores = [g for g in plan.groups if sum(c.uscc in own_usccs for c in g.orgs) >= 3]
    assert len(cores) == 1 and not cores[0].cross_township
    assert sorted(g.formal_members for g in plan.groups) == [3, 3]


# --- from a saved proposal to a joint Party organization -------------------------------


def fingerprint() -> tuple[int, ...]:
    return (
        PartyOrganization.objects.count(),
        Coverage.objects.count(),
        PartyOrganization.history.count(),
        Coverage.history.count(),
    )


@pytest.fixture
def proposal(areas) -> JointProposal:
    """文艺路街道: three culture organizations with one formal member each: one group."""
    for _ in range(3):
        factories.org_with_members(areas["wenyilu"], 1, industry="culture")
    officer = factories.user("wenyilu", role=Role.TOWNSHIP, area=areas["wenyilu"])
    plan = plan_joint(as_of=AS_OF, user=officer)
    saved = proposal_save(plan=plan, area=areas["wenyilu"], user=officer)
    return JointProposal.objects.get(pk=saved.pk)  # as stored: JSON


@pytest.mark.django_db
def test_it_founds_the_joint_party_org_of_a_saved_group(proposal, areas):
    assert (proposal.as_of, proposal.area, proposal.user.username) == (
        AS_OF,
        "430102001",
        "wenyilu",
    )
    spec = proposal.plan["groups"][0]
    founded = dt.date(2026, 7, 1)
    party_org = proposal_apply(
        proposal=proposal,
        group=1,
        code="LH-430102001-01",
        name="文艺路街道文化类社会组织联合党支部",
        founded_on=founded,
        user=proposal.user,
    )
    party_org.refresh_from_db()
    assert (party_org.form, party_org.level, party_org.township.code) == (
        PartyOrgForm.JOINT,
        PartyOrgLevel.BRANCH,
        "430102001",
    )
    assert (party_org.founded_on, party_org.term_started_on) == (founded, founded)
    coverages = party_org.coverages.order_by("org__uscc")
    assert [c.org.uscc for c in coverages] == sorted(spec["orgs"])
    assert {(c.started_on, c.ended_on) for c in coverages} == {(founded, None)}
    reason = f"按联合党组织组建方案#{proposal.pk}第1组组建"
    history = party_org.history.get()
    assert (history.history_type, history.history_user, history.history_change_reason) == (
        "+",
        proposal.user,
        reason,
    )
    assert [h.history_change_reason for h in Coverage.history.all()] == [reason] * 3
    # From the founding day the three are covered: nothing left to plan or to find.
    after = dt.date(2026, 7, 2)
    assert plan_joint(as_of=after).as_dict()["groups"] == []
    assert not evaluate(as_of=after, rules=["COV-JOINT"]).findings
    row = coverage_report(as_of=after, area=areas["wenyilu"])["rows"][0]
    assert (row["orgs_joint"], row["org_coverage_rate"], row["party_orgs"]) == (3, 1.0, 1)


@pytest.mark.django_db
def test_it_refuses_a_group_whose_organization_got_covered_meanwhile(proposal, areas):
    first, second, third = sorted(proposal.plan["groups"][0]["orgs"])
    org = SocialOrganization.objects.get(uscc=second)
    factories.party_org(areas["wenyilu"], covers=[org], founded_on=dt.date(2026, 6, 1))
    before = fingerprint()
    with pytest.raises(ValidationError) as refused:
        proposal_apply(proposal=proposal, group=1, code="LH-1", name="联合党支部", founded_on=AS_OF)
    assert refused.value.message_dict == {"orgs": [f"这些社会组织已被党组织覆盖：{second}"]}
    assert fingerprint() == before
    # a coverage that ended before the founding day does not stand in the way
    Coverage.objects.filter(org=org).update(ended_on=dt.date(2026, 6, 15))
    party_org = proposal_apply(
        proposal=proposal, group=1, code="LH-1", name="联合党支部", founded_on=AS_OF
    )
    assert party_org.coverages.count() == 3
    assert {first, third} < {c.org.uscc for c in party_org.coverages.all()}


@pytest.mark.django_db
def test_it_refuses_an_existing_code_or_an_unknown_group(proposal, areas):
    factories.party_org(
        areas["pozi"],
        code="LH-1",
        status=PartyOrgStatus.DISSOLVED,
        dissolved_on=dt.date(2020, 1, 1),
    )
    before = fingerprint()
    with pytest.raises(ValidationError) as refused:
        proposal_apply(proposal=proposal, group=1, code="LH-1", name="联合党支部", founded_on=AS_OF)
    assert refused.value.message_dict == {"code": ["党组织编码「LH-1」已存在"]}
    for group in (0, 2):
        with pytest.raises(ValidationError) as refused:
            proposal_apply(
                proposal=proposal, group=group, code="LH-2", name="联合党支部", founded_on=AS_OF
            )
        assert list(refused.value.message_dict) == ["group"]
    assert fingerprint() == before
