"""The rows behind each figure (UX.md: numbers lead to rows).

Every count of a dashboard or a report links to a list filtered by the parameters below;
each filter is built from the same definitions the figure counts (`Facts`: `org_base`,
`coverings`, `member_employments`, `instructed`, `party_org_base`, `held_members` …) for the
same date, area and jurisdiction (`facts_for`), never a second definition — so the list
shows exactly as many rows as the figure says (tests/test_links.py follows every link).

Lists take, besides their own filters:
- `as_of`: the date the figure is of (the list then holds what was registered, or founded,
  by that date; "正常" means active on it);
- organizations: `coverage` (standalone / joint / functional / uncovered / unbuilt /
  uncovered_formal / none), `level` (of a standalone one), `members` (formal / 3plus / few /
  none), `instructor=1` — each counting only organizations active on the date;
- Party organizations: `covers=active` (covering an active organization on the date) with
  `org_kind`;
- people: `member=formal|probationary` (counted once, by organizational relation),
  `working=1` (members employed by active organizations) with `elsewhere=1` and `kind`,
  `instructor=1` with `kind`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.jurisdiction import Jurisdiction, NotFound, facts_for
from dangjian.areas.models import Area
from dangjian.compliance import policy as policy_module
from dangjian.compliance.facts import Facts
from dangjian.orgs.models import OrgKind, SocialOrganization
from dangjian.partyorgs.models import PartyOrganization, PartyOrgForm, PartyOrgLevel
from dangjian.web import stats
from dangjian.web.dates import as_of_param

COVERAGE_STATES = [
    ("standalone", "单独组建覆盖"),
    ("joint", "联合组建覆盖"),
    ("functional", "功能型覆盖"),
    ("uncovered", "未覆盖"),
    ("unbuilt", "未建立党组织（无单独、联合组建）"),
    ("uncovered_formal", "有正式党员未覆盖"),
    ("none", "无覆盖（无党组织、无指导员）"),
]
MEMBER_BANDS = [
    ("formal", "有正式党员"),
    ("3plus", "3名以上正式党员"),
    ("few", "有党员但正式党员不足3名"),
    ("none", "没有党员"),
]
LEVELS = dict(PartyOrgLevel.choices)
KINDS = dict(OrgKind.choices)


def as_of_given(request: HttpRequest) -> dt.date | None:
    """The date of `?as_of=` when one is given (and sensible), else None (a date that cannot
    be used is said so on the page: `dates.as_of_param`)."""
    return as_of_param(request)


def facts_for_list(as_of: dt.date, area: Area | None, gate: Jurisdiction) -> Facts:
    """The facts a figure of `area` (None: the user's whole jurisdiction) on `as_of` was
    counted from (`facts_for`), for the list of its rows; the jurisdiction's area is looked
    up once per data version (`facts_area`: two queries for a user who has no area)."""
    return facts_for(as_of, area if area is not None else facts_area(gate), gate.user)


def facts_area(gate: Jurisdiction) -> Area | None:
    if gate.user is None or gate.area is not None or gate.everything:
        return gate.facts_area()
    return stats.per_version("facts_area", gate.user, gate.facts_area)


def area(request: HttpRequest, gate: Jurisdiction) -> Area | None:
    """The area of `?area=` for a list: one of the user's (404 outside, `area_from`) — or,
    for a user whose jurisdiction is no area (a registry, a secretary …), any area of the
    one their reports cover (`facts_area`), whose rows their reports show: the list stays
    cut to their own organizations by the gate."""
    code = request.GET.get("area", "").strip()
    if not code:
        return None
    try:
        return gate.access_area(code)
    except NotFound:
        top = facts_area(gate) if gate.area is None and not gate.everything else None
        found = (
            Area.objects.filter(code=code, path__startswith=top.path).first()
            if top is not None
            else None
        )
        if found is None:
            raise
        return found


def link(name: str, as_of: dt.date | str, area: str | None, **params: Any) -> str:
    """The URL of list `name` (web:orgs, web:party_orgs, web:people, web:findings) filtered
    by `params` for `as_of` (left out when it is today: the lists' default) and the area
    code `area` (None: the user's whole jurisdiction)."""
    today = str(timezone.localdate())
    query = {"as_of": "" if str(as_of) == today else str(as_of), "area": area or "", **params}
    return f"{reverse(name)}?" + urlencode({k: v for k, v in query.items() if v not in (None, "")})


# --- organizations ------------------------------------------------------------------------


def _threshold() -> int:
    return int(policy_module.in_force()["standalone_min_formal_members"])


def org_rows(
    facts: Facts,
    *,
    active: bool = False,
    coverage: str = "",
    level: str = "",
    members: str = "",
    instructor: bool = False,
) -> QuerySet[SocialOrganization]:
    """The organizations of `facts` (registered by its date, of its area and jurisdiction)
    with these properties on its date; coverage, members and instructor count only active
    organizations, as every figure of the reports does."""
    qs = facts.org_base()
    if active or coverage or members or instructor:
        qs = qs.filter(facts.active_q())
    coverings = facts.coverings()
    standalone = coverings.filter(party_org__form=PartyOrgForm.STANDALONE)
    joint = coverings.filter(party_org__form=PartyOrgForm.JOINT)

    def having(found: QuerySet[Any]) -> Q:
        return Q(pk__in=found.values("org_id"))

    if coverage == "standalone":
        qs = qs.filter(having(standalone))
        # By the level of its highest standalone Party organization (LEVEL_RANKS: a level
        # other than 党委 or 党总支 counts as 党支部).
        committee = having(standalone.filter(party_org__level=PartyOrgLevel.COMMITTEE))
        general = having(standalone.filter(party_org__level=PartyOrgLevel.GENERAL_BRANCH))
        if level == PartyOrgLevel.COMMITTEE:
            qs = qs.filter(committee)
        elif level == PartyOrgLevel.GENERAL_BRANCH:
            qs = qs.filter(general).exclude(committee)
        elif level == PartyOrgLevel.BRANCH:
            qs = qs.exclude(committee).exclude(general)
    elif coverage == "joint":
        qs = qs.filter(having(joint)).exclude(having(standalone))
    elif coverage == "functional":
        qs = qs.filter(having(coverings)).exclude(having(standalone)).exclude(having(joint))
    elif coverage == "unbuilt":
        qs = qs.exclude(having(standalone)).exclude(having(joint))
    elif coverage in ("uncovered", "uncovered_formal", "none"):
        qs = qs.exclude(having(coverings))
        if coverage == "uncovered_formal":
            qs = qs.filter(having(facts.member_employments().filter(facts.formal_q())))
        elif coverage == "none":
            qs = qs.exclude(having(facts.instructed()))
    employed = facts.member_employments()
    enough = (
        employed.filter(facts.formal_q())
        .values("org_id")
        .annotate(n=Count("person_id", distinct=True))
        .filter(n__gte=_threshold())
    )
    if members == "formal":
        qs = qs.filter(having(employed.filter(facts.formal_q())))
    elif members == "3plus":
        qs = qs.filter(having(enough))
    elif members == "few":
        qs = qs.filter(having(employed)).exclude(having(enough))
    elif members == "none":
        qs = qs.exclude(having(employed))
    if instructor:
        qs = qs.filter(having(facts.instructed()))
    return qs


def org_words(
    *, active: bool, coverage: str, level: str, members: str, instructor: bool
) -> list[str]:
    """What an organization filter keeps, in words (the list's filter line)."""
    words = []
    if coverage == "standalone" and level in LEVELS:
        words.append(f"单独建立{LEVELS[level]}的")
    elif coverage:
        words.append(dict(COVERAGE_STATES)[coverage])
    if members:
        words.append(dict(MEMBER_BANDS)[members])
    if instructor:
        words.append("有党建工作指导员")
    if active or words:
        words.insert(0, "正常登记")
    return words


# --- Party organizations ------------------------------------------------------------------


def party_org_rows(
    facts: Facts, *, active: bool = False, covers: bool = False, org_kind: str = ""
) -> QuerySet[PartyOrganization]:
    """The Party organizations of `facts`: founded by its date in its area (`party_org_base`),
    active on it with `active`; with `covers`, those covering an active organization of the
    area on the date (of kind `org_kind`), as the joint Party organizations are counted."""
    if covers:
        found = facts.coverings().filter(facts.active_q("org__"))
        if org_kind:
            found = found.filter(org__kind=org_kind)
        return PartyOrganization.objects.filter(pk__in=found.values("party_org_id"))
    qs = facts.party_org_base()
    if active:
        qs = qs.filter(PartyOrganization.active_on_q(facts.as_of))
    return qs


# --- people -------------------------------------------------------------------------------


def people_q(
    facts: Facts,
    *,
    member: str = "",
    working: bool = False,
    elsewhere: bool = False,
    instructor: bool = False,
    kind: str = "",
) -> Q:
    """People behind a figure: `member` (formal / probationary / all), counted once by
    organizational relation (the coverage report); `working`: members employed on the date
    by an active organization (of `kind`), with `elsewhere` those whose relation no Party
    organization covering that organization holds (the org-building table); `instructor`:
    people with an instructor assignment to an active organization (of `kind`)."""
    q = Q()
    if member:
        q &= facts.counted_members({"formal": True, "probationary": False}.get(member))
    if working:
        employed = facts._active_member_employments()
        if kind:
            employed = employed.filter(org__kind=kind)
        if elsewhere:
            held = facts.coverings().filter(
                org_id=OuterRef("org_id"),
                party_org_id=OuterRef("person__membership__relation_party_org_id"),
            )
            employed = employed.filter(~Exists(held))
        q &= Q(pk__in=employed.values("person_id"))
    if instructor:
        assigned = facts.instructed().filter(facts.active_q("org__"))
        if kind:
            assigned = assigned.filter(org__kind=kind)
        q &= Q(pk__in=assigned.values("instructor__person_id"))
    return q


def people_words(
    *, member: str, working: bool, elsewhere: bool, instructor: bool, kind: str
) -> list[str]:
    words = []
    if member:
        words.append(
            {"formal": "正式党员", "probationary": "预备党员"}.get(member, "党员")
            + "（按组织关系所在地统计，每人计一次）"
        )
    if working:
        words.append(
            ("在" + KINDS[kind] if kind in KINDS else "在正常登记的社会组织")
            + "从业的党员"
            + ("，组织关系未转入所在社会组织党组织" if elsewhere else "")
        )
    if instructor:
        words.append(
            "党建工作指导员" + (f"（{KINDS[kind]}）" if kind in KINDS and not working else "")
        )
    return words
