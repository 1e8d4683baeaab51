"""`plan joint`: proposed joint Party organizations (联合党组织) for active organizations with
1–2 formal members and no Party organization (POLICY 3.1, CONTRACT.md).

In each township the planner makes as many groups as possible — each with at least 3 formal
members and at most `joint_max_orgs` organizations. With a organizations of one formal
member and b of two, m = min(a, b), that is at most m + ⌊(a − m)/3⌋ + ⌊(b − m)/2⌋ groups (pairs
1+2, triples 1+1+1, pairs 2+2), and the planner reaches it. Among the plans that do, it
chooses the one with the most same-industry groups (行业相近): for each mix of group types
that reaches the bound, a small dynamic programme over industries finds how many groups can
be of one industry. Organizations left over join a group of their township with room,
preferring one of their own industry. A township that cannot reach 3 formal members pools
its organizations with the others of its district (flagged `cross_township`); only an
organization whose whole district cannot reach 3 stays unplaced.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from dangjian.accounts.jurisdiction import facts_for
from dangjian.accounts.models import User
from dangjian.areas.models import Area
from dangjian.compliance import policy as policy_module
from dangjian.compliance.facts import Facts

DP_LIMIT = 200_000  # states × options beyond which a township falls back to the greedy plan


@dataclass(frozen=True)
class Candidate:
    pk: int
    uscc: str
    name: str
    industry: str
    formal: int
    township: str  # code
    district: str  # code


@dataclass
class Group:
    township: str
    orgs: list[Candidate] = field(default_factory=list)
    cross_township: bool = False

    @property
    def formal_members(self) -> int:
        return sum(c.formal for c in self.orgs)

    @property
    def industry(self) -> str | None:
        industries = {c.industry for c in self.orgs}
        return industries.pop() if len(industries) == 1 else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "township": self.township,
            "industry": self.industry,
            "orgs": [c.uscc for c in self.orgs],
            "formal_members": self.formal_members,
            "cross_township": self.cross_township,
        }


def bound(ones: int, twos: int) -> int:
    m = min(ones, twos)
    return m + (ones - m) // 3 + (twos - m) // 2


def same_industry(groups: list[Group]) -> int:
    return sum(1 for g in groups if g.industry is not None)


# --- one pool of candidates (a township, or a district's leftovers) ----------------------


def _compositions(a: int, b: int) -> list[tuple[int, int, int]]:
    """Mixes (x pairs 1+2, y triples 1+1+1, z pairs 2+2) reaching the bound."""
    target = bound(a, b)
    out = []
    for x in range(min(a, b) + 1):
        for y in range((a - x) // 3 + 1):
            z = target - x - y
            if z >= 0 and x + 2 * z <= b:
                out.append((x, y, z))
    return out


def _options(a: int, b: int, cap: tuple[int, int, int]) -> list[tuple[int, int, int]]:
    out = []
    for x in range(min(a, b, cap[0]) + 1):
        for y in range(min((a - x) // 3, cap[1]) + 1):
            for z in range(min((b - x) // 2, cap[2]) + 1):
                out.append((x, y, z))
    return out


def _best_same_industry(
    by_industry: dict[str, tuple[int, int]], cap: tuple[int, int, int]
) -> dict[str, tuple[int, int, int]] | None:
    """How many same-industry groups of each type each industry gets, within `cap`,
    maximizing their number (None when the search would be too large)."""
    states: dict[tuple[int, int, int], tuple[int, dict[str, tuple[int, int, int]]]] = {
        (0, 0, 0): (0, {})
    }
    for industry in sorted(by_industry):
        a, b = by_industry[industry]
        options = _options(a, b, cap)
        if len(states) * len(options) > DP_LIMIT:
            return None
        nxt: dict[tuple[int, int, int], tuple[int, dict[str, tuple[int, int, int]]]] = {}
        for (sx, sy, sz), (value, chosen) in states.items():
            for x, y, z in options:
                state = (sx + x, sy + y, sz + z)
                if state[0] > cap[0] or state[1] > cap[1] or state[2] > cap[2]:
                    continue
                total = value + x + y + z
                if state not in nxt or total > nxt[state][0]:
                    nxt[state] = (total, {**chosen, industry: (x, y, z)} if x + y + z else chosen)
        states = nxt
    return max(states.values(), key=lambda item: item[0])[1]


def _take(pool: list[Candidate], formal: int, industry: str | None = None) -> Candidate:
    for i, c in enumerate(pool):
        if c.formal == formal and (industry is None or c.industry == industry):
            return pool.pop(i)
    raise LookupError


def _form(
    pool: list[Candidate], mix: tuple[int, int, int], industry: str | None, township: str
) -> list[Group]:
    groups = []
    x, y, z = mix
    for shape, count in (((1, 2), x), ((1, 1, 1), y), ((2, 2), z)):
        for _ in range(count):
            groups.append(Group(township, [_take(pool, f, industry) for f in shape]))
    return groups


def _preference(group: Group, c: Candidate) -> tuple[int, int]:
    rank = 0 if group.industry == c.industry else (1 if group.industry is None else 2)
    return (rank, len(group.orgs))


def _place_leftovers(
    groups: list[Group], leftovers: list[Candidate], max_orgs: int
) -> list[Candidate]:
    """Leftovers join a group with room: one of their industry first, then a mixed one, then
    any. Returns those that found no room."""
    homeless = []
    for c in leftovers:
        open_groups = [g for g in groups if len(g.orgs) < max_orgs]
        if not open_groups:
            homeless.append(c)
            continue
        best = min(open_groups, key=lambda g, c=c: _preference(g, c))  # type: ignore[misc]
        best.orgs.append(c)
    return homeless


def _free_extras(groups: list[Group]) -> list[Candidate]:
    """Take out of each group the organizations it does not need to keep 3 formal members:
    those of other townships first, then the last ones placed — never the core of a group of
    the township's own, which counts towards its bound."""
    freed = []
    for g in groups:
        home = g.township
        last_first = list(reversed(g.orgs))
        for c in sorted(last_first, key=lambda c: (c.township == home, c.formal)):
            if len(g.orgs) > 1 and g.formal_members - c.formal >= 3:
                g.orgs.remove(c)
                freed.append(c)
    return freed


def _sorted(pool: list[Candidate]) -> list[Candidate]:
    return sorted(pool, key=lambda c: (c.industry, c.uscc))


def plan_pool(
    pool: list[Candidate], township: str, max_orgs: int
) -> tuple[list[Group], list[Candidate]]:
    """Groups for one pool reaching the bound, with the most same-industry groups; and the
    organizations left over (placed into the groups where there is room)."""
    a = sum(1 for c in pool if c.formal == 1)
    b = sum(1 for c in pool if c.formal == 2)
    if bound(a, b) == 0:
        return [], list(pool)
    by_industry: dict[str, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for c in pool:
        ones, twos = by_industry[c.industry]
        by_industry[c.industry] = (ones + (c.formal == 1), twos + (c.formal == 2))
    best: tuple[int, list[Group], list[Candidate]] | None = None
    for mix in _compositions(a, b):
        plans = [_plan_mix(pool, mix, dict(by_industry), township, max_orgs, exact=True)]
        plans.append(_plan_mix(pool, mix, dict(by_industry), township, max_orgs, exact=False))
        for plan in plans:
            if plan is None:
                continue
            groups, homeless = plan
            score = same_industry(groups)
            if best is None or score > best[0]:
                best = (score, groups, homeless)
    greedy = greedy_pool(pool, township, max_orgs)
    if same_industry(greedy[0]) > (best[0] if best else -1) and len(greedy[0]) == bound(a, b):
        best = (same_industry(greedy[0]), *greedy)
    assert best is not None
    return best[1], best[2]


def _plan_mix(
    pool: list[Candidate],
    mix: tuple[int, int, int],
    by_industry: dict[str, tuple[int, int]],
    township: str,
    max_orgs: int,
    *,
    exact: bool,
) -> tuple[list[Group], list[Candidate]] | None:
    if exact:
        chosen = _best_same_industry(by_industry, mix)
        if chosen is None:
            return None
    else:  # greedy: each industry in turn takes what it can of the mix
        chosen = {}
        left = list(mix)
        for industry in sorted(by_industry, key=lambda i: (-sum(by_industry[i]), i)):
            a, b = by_industry[industry]
            x = min(a, b, left[0])
            y = min((a - x) // 3, left[1])
            z = min((b - x) // 2, left[2])
            if x + y + z:
                chosen[industry] = (x, y, z)
                left = [left[0] - x, left[1] - y, left[2] - z]
    remaining = _sorted(pool)
    groups: list[Group] = []
    used = [0, 0, 0]
    for industry in sorted(chosen):
        part = chosen[industry]
        groups.extend(_form(remaining, part, industry, township))
        used = [used[i] + part[i] for i in range(3)]
    groups.extend(
        _form(remaining, (mix[0] - used[0], mix[1] - used[1], mix[2] - used[2]), None, township)
    )
    homeless = _place_leftovers(groups, remaining, max_orgs)
    return groups, homeless


def greedy_pool(
    pool: list[Candidate], township: str, max_orgs: int
) -> tuple[list[Group], list[Candidate]]:
    """The simple plan: organizations sorted by industry, each group filled in order until it
    has 3 formal members."""
    groups: list[Group] = []
    current = Group(township)
    for c in _sorted(pool):
        current.orgs.append(c)
        if current.formal_members >= 3:
            groups.append(current)
            current = Group(township)
    homeless = _place_leftovers(groups, current.orgs, max_orgs)
    return groups, homeless


# --- the whole jurisdiction --------------------------------------------------------------


@dataclass
class TownshipPlan:
    code: str
    name: str
    district: str
    ones: int
    twos: int
    groups: list[Group] = field(default_factory=list)
    leftovers: list[tuple[str, str]] = field(default_factory=list)  # (USCC, why)

    @property
    def bound(self) -> int:
        return bound(self.ones, self.twos)


@dataclass
class JointPlan:
    as_of: dt.date
    policy_version: str
    townships: list[TownshipPlan]
    groups: list[Group]
    unplaced: list[tuple[Candidate, str]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "policy_version": self.policy_version,
            "groups": [g.as_dict() for g in self.groups],
            "unplaced": [c.uscc for c, _why in self.unplaced],
            "townships": [
                {
                    "township": t.code,
                    "name": t.name,
                    "eligible_one": t.ones,
                    "eligible_two": t.twos,
                    "bound": t.bound,
                    "groups": len(t.groups),
                    "same_industry": same_industry(t.groups),
                    "leftovers": [{"uscc": u, "why": why} for u, why in t.leftovers],
                }
                for t in self.townships
            ],
        }


def eligible(facts: Facts, threshold: int) -> tuple[list[Candidate], dict[str, str]]:
    """The candidates (active, 1 to threshold − 1 formal members, covered by no Party
    organization), and the names of their townships by code."""
    rows = facts.eligible_for_joint(threshold)
    areas = Area.objects.filter(pk__in=facts.org_base().values("township_id"))
    townships = {
        pk: (code, name, district)
        for pk, code, name, district in areas.values_list("pk", "code", "name", "parent__code")
    }
    candidates = []
    for pk, uscc, name, industry, formal, township in rows:
        code, _name, district = townships[township]
        candidates.append(Candidate(pk, uscc, name, industry, formal, code, district))
    candidates.sort(key=lambda c: c.uscc)
    return candidates, {code: name for code, name, _district in townships.values()}


def plan_joint(
    *,
    as_of: dt.date,
    area: Area | None = None,
    facts: Facts | None = None,
    user: User | None = None,
) -> JointPlan:
    policy = policy_module.in_force(as_of)
    max_orgs = policy["joint_max_orgs"]
    facts = facts or facts_for(as_of, area, user)
    candidates, names = eligible(facts, policy["standalone_min_formal_members"])
    by_township: dict[str, list[Candidate]] = defaultdict(list)
    for c in candidates:
        by_township[c.township].append(c)
    townships: list[TownshipPlan] = []
    pools: dict[str, list[Candidate]] = defaultdict(list)
    for code in sorted(by_township):
        pool = by_township[code]
        plan = TownshipPlan(
            code, names.get(code, code), pool[0].district,
            sum(1 for c in pool if c.formal == 1), sum(1 for c in pool if c.formal == 2),
        )  # fmt: skip
        plan.groups, homeless = plan_pool(pool, code, max_orgs)
        if not plan.groups:
            pools[plan.district].extend(homeless)
            plan.leftovers = [
                (c.uscc, "本乡镇(街道)正式党员合计不足3名，与同区县其他社会组织联合")
                for c in homeless
            ]
        else:
            plan.leftovers = [(c.uscc, "本乡镇(街道)联合党组织已满") for c in homeless]
            pools[plan.district].extend(homeless)
        townships.append(plan)
    unplaced: list[tuple[Candidate, str]] = []
    cross: list[Group] = []
    # Per district, once (not a pass over every candidate and township per district).
    formal_in: dict[str, int] = defaultdict(int)
    for c in candidates:
        formal_in[c.district] += c.formal
    groups_in: dict[str, list[Group]] = defaultdict(list)
    for t in townships:
        groups_in[t.district].extend(t.groups)
    for district in sorted(pools):
        pool = pools[district]
        if not pool:
            continue
        groups, homeless = plan_pool(pool, pool[0].township, max_orgs)
        for g in groups:
            g.township = min(g.orgs, key=lambda c: c.uscc).township
        cross.extend(groups)
        district_groups = groups_in[district]
        homeless = _place_leftovers([*groups, *district_groups], homeless, max_orgs)
        total = formal_in[district]
        if homeless and total >= 3:
            # The district can reach 3, but every group with room is full: take back the
            # organizations that groups hold beyond their 3 formal members, and plan them
            # with the homeless ones (across townships) — nobody whose district can reach 3
            # stays unplaced.
            extras = _free_extras([*groups, *district_groups])
            more, homeless = plan_pool([*homeless, *extras], homeless[0].township, max_orgs)
            for g in more:
                g.township = min(g.orgs, key=lambda c: c.uscc).township
            groups.extend(more)
            cross.extend(more)
            homeless = _place_leftovers([*groups, *district_groups], homeless, max_orgs)
        for g in [*groups, *district_groups]:
            g.cross_township = len({c.township for c in g.orgs}) > 1
        for c in homeless:
            why = (
                "所在区县符合条件的社会组织正式党员合计不足3名"
                if total < 3
                else "所在区县的联合党组织均已达到5个社会组织的上限"
            )
            unplaced.append((c, why))
    all_groups = [g for t in townships for g in t.groups] + cross
    all_groups.sort(key=lambda g: (g.township, g.orgs[0].uscc))
    return JointPlan(as_of, policy.version, townships, all_groups, unplaced)
