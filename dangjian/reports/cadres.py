"""书记与党务干部: per area, the secretaries who lead the organization their Party
organization covers (负责人兼任书记, POLICY 五.1) and the Party organizations with an office
holder in a covered organization's management (双向进入、交叉任职) — docs/cadres.md,
"Reports: secretaries and cross-appointment".

Set-based: one grouped query over the Party organizations and one over the secretaries'
offices, by township, rolled up to the district and city in Python (`reports.scope`): the
number of queries does not grow with the areas or the rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.accounts.models import User
from dangjian.areas.models import Area, AreaLevel
from dangjian.partyorgs.models import (
    COVERING_FORMS,
    CommitteeMembership,
    CommitteeRole,
    Coverage,
    PartyOrgForm,
    SecretarySource,
)
from dangjian.people.models import Employment, Position
from dangjian.reports.scope import AreaTree

# The figures of a row, in the table's order; `party_orgs` / `cross` count Party
# organizations, the others secretaries' offices.
FIGURES = ["party_orgs", "secretaries", "leader", "source", "cross"]
FIGURE_LABELS = {
    "party_orgs": "党组织数",
    "secretaries": "在任书记数",
    "leader": "负责人兼任书记",
    "source": "书记来源为社会组织负责人兼任",
    "cross": "双向进入、交叉任职党组织",
}
SECRETARY_FIGURES = ("secretaries", "leader", "source")
CHILD_LEVEL = {AreaLevel.CITY: AreaLevel.DISTRICT, AreaLevel.DISTRICT: AreaLevel.TOWNSHIP}
CROSS_POSITIONS = (Position.LEADER, Position.MANAGER)


def rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def counted_party_orgs(*, user: User | None, area: Area | None, as_of: dt.date) -> QuerySet[Any]:
    """The Party organizations counted: seen by the user, in `area`, active on D, of a
    covering form (单独组建 / 联合组建 / 功能型)."""
    qs = Jurisdiction(user).party_orgs().active_on(as_of).filter(form__in=COVERING_FORMS)
    if area is not None:
        qs = qs.within(area)
    return qs


def _employed_in_covered(
    as_of: dt.date, positions: tuple[str, ...], *, person: Any, party_org: Any
) -> Exists:
    """An employment holding on D, of one of `positions`, by an organization that
    `party_org` covers on D (one coverage row: one `filter()` call)."""
    return Exists(
        Employment.objects.filter(
            Employment.current_on_q(as_of),
            Coverage.current_on_q(as_of, prefix="org__coverages__"),
            person=person,
            position__in=positions,
            org__coverages__party_org=party_org,
        )
    )


def leader_q(as_of: dt.date) -> Exists:
    """Over offices: the holder leads (负责人) an organization its Party organization covers."""
    return _employed_in_covered(
        as_of, (Position.LEADER,), person=OuterRef("person"), party_org=OuterRef("party_org")
    )


def cross_q(as_of: dt.date) -> Exists:
    """Over Party organizations: one of its office holders on D is 负责人 or 管理层 of an
    organization it covers on D."""
    return Exists(
        CommitteeMembership.objects.filter(
            CommitteeMembership.current_on_q(as_of),
            _employed_in_covered(
                as_of,
                CROSS_POSITIONS,
                person=OuterRef("person"),
                party_org=OuterRef("party_org"),
            ),
            party_org=OuterRef("pk"),
        )
    )


def secretary_offices(party_orgs: QuerySet[Any], as_of: dt.date) -> QuerySet[Any]:
    """The 书记 offices held on D in `party_orgs` (one per office: a person who is the
    secretary of two Party organizations counts in each)."""
    return CommitteeMembership.objects.filter(
        CommitteeMembership.current_on_q(as_of),
        role=CommitteeRole.SECRETARY,
        party_org__in=party_orgs.values("pk"),
    )


def figure_filter(figure: str, as_of: dt.date) -> Q | Exists | None:
    """What a figure adds to the rows it is counted from (none: all of them)."""
    if figure == "leader":
        return leader_q(as_of)
    if figure == "source":
        return Q(source=SecretarySource.LEADER)
    if figure == "cross":
        return cross_q(as_of)
    return None


def cadres_report(*, user: User | None, area: Area | None, as_of: dt.date) -> dict[str, Any]:
    """The rows: one per child area of `area` (the cities for none), then the total."""
    gate = Jurisdiction(user)
    scope = gate.scope(area)
    tree = AreaTree(area)
    party_orgs = counted_party_orgs(user=user, area=area, as_of=as_of)

    by_township: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    for row in party_orgs.values("township_id").annotate(
        n=Count("pk"), cross=Count("pk", filter=Q(cross_q(as_of)))
    ):
        c = by_township[row["township_id"]]
        c["party_orgs"] += row["n"]
        c["cross"] += row["cross"]
    for row in (
        secretary_offices(party_orgs, as_of)
        .values("party_org__township_id")
        .annotate(
            n=Count("pk"),
            leader=Count("pk", filter=Q(leader_q(as_of))),
            source=Count("pk", filter=Q(source=SecretarySource.LEADER)),
        )
    ):
        c = by_township[row["party_org__township_id"]]
        c["secretaries"] += row["n"]
        c["leader"] += row["leader"]
        c["source"] += row["source"]

    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    total = dict.fromkeys(FIGURES, 0)
    for township, c in by_township.items():
        for key, n in c.items():
            total[key] += n
        for node_id in tree.ancestors(township):
            for key, n in c.items():
                counts[node_id][key] += n

    if area is None:
        children = tree.by_level[AreaLevel.CITY]
    else:
        level = CHILD_LEVEL.get(AreaLevel(area.level))
        children = (
            [n for n in tree.by_level.get(level, []) if n.parent_id == area.id] if level else []
        )

    def line(code: str, name: str, c: dict[str, int]) -> dict[str, Any]:
        return {
            "area": code,
            "name": name,
            **c,
            "leader_rate": rate(c["leader"], c["secretaries"]),
            "cross_rate": rate(c["cross"], c["party_orgs"]),
        }

    return {
        "as_of": as_of.isoformat(),
        "area": area.code if area is not None else "",
        "area_name": scope.name,
        "title": scope.title("书记与党务干部情况"),
        "rows": [line(n.code, n.name, counts[n.id]) for n in children],
        "total": line(area.code if area is not None else "", "合计", total),
    }


# --- the rows behind a figure ------------------------------------------------------------


def figure_rows(
    *, user: User | None, area: Area | None, as_of: dt.date, figure: str
) -> list[dict[str, Any]]:
    """The rows a figure counts: secretaries' offices (`secretaries`, `leader`, `source`) or
    Party organizations (`party_orgs`, `cross`). Three queries whatever the rows."""
    party_orgs = counted_party_orgs(user=user, area=area, as_of=as_of)
    extra = figure_filter(figure, as_of)
    if figure in SECRETARY_FIGURES:
        offices = secretary_offices(party_orgs, as_of)
        if extra is not None:
            offices = offices.filter(extra)
        found = list(
            offices.order_by("party_org__code", "person__name", "pk").values(
                "person_id",
                "person__name",
                "person__id_masked",
                "party_org_id",
                "party_org__code",
                "party_org__name",
                "role",
                "source",
            )
        )
        jobs = _jobs(as_of, {(r["person_id"], r["party_org_id"]) for r in found})
        return [
            {
                "name": r["person__name"],
                "id_masked": r["person__id_masked"],
                "party_org_code": r["party_org__code"],
                "party_org_name": r["party_org__name"],
                "orgs": "、".join(jobs.get((r["person_id"], r["party_org_id"]), [])) or "—",
                "role": CommitteeRole(r["role"]).label,
                "source": SecretarySource(r["source"]).label if r["source"] else "",
            }
            for r in found
        ]
    qs = party_orgs if extra is None else party_orgs.filter(extra)
    found = list(qs.order_by("code").values("pk", "code", "name", "form", "township__name"))
    holders = _cross_holders(as_of, {r["pk"] for r in found}) if figure == "cross" else {}
    return [
        {
            "party_org_code": r["code"],
            "party_org_name": r["name"],
            "form": PartyOrgForm(r["form"]).label,
            "township": r["township__name"],
            "holders": "；".join(holders.get(r["pk"], [])),
        }
        for r in found
    ]


def _jobs(as_of: dt.date, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], list[str]]:
    """(person, Party organization) → 「社会组织（职务类别）」 of the person's employments on D
    in organizations the Party organization covers on D (one query)."""
    if not pairs:
        return {}
    out: dict[tuple[int, int], list[str]] = defaultdict(list)
    rows = (
        Employment.objects.filter(
            Employment.current_on_q(as_of),
            Coverage.current_on_q(as_of, prefix="org__coverages__"),
            person_id__in={p for p, _ in pairs},
            org__coverages__party_org_id__in={o for _, o in pairs},
        )
        .order_by("org__name", "pk")
        .values_list("person_id", "org__coverages__party_org_id", "org__name", "position")
        .distinct()
    )
    for person, party_org, org_name, position in rows:
        if (person, party_org) in pairs:
            label = Position(position).label if position else "未填职务类别"
            out[(person, party_org)].append(f"{org_name}（{label}）")
    return out


def _cross_holders(as_of: dt.date, party_org_ids: set[int]) -> dict[int, list[str]]:
    """Party organization → 「姓名（党内职务，社会组织职务类别）」 of its cross-appointed
    office holders on D (one query)."""
    if not party_org_ids:
        return {}
    rows = (
        CommitteeMembership.objects.filter(
            CommitteeMembership.current_on_q(as_of),
            Employment.current_on_q(as_of, prefix="person__employments__"),
            Coverage.current_on_q(as_of, prefix="person__employments__org__coverages__"),
            party_org_id__in=party_org_ids,
            person__employments__position__in=CROSS_POSITIONS,
            person__employments__org__coverages__party_org=F("party_org"),
        )
        .order_by("role", "person__name", "person__employments__org__name")
        .values_list(
            "party_org_id",
            "person__name",
            "role",
            "person__employments__org__name",
            "person__employments__position",
        )
        .distinct()
    )
    out: dict[int, list[str]] = defaultdict(list)
    for party_org, name, role, org_name, position in rows:
        out[party_org].append(
            f"{name}（{CommitteeRole(role).label}，{org_name}{Position(position).label}）"
        )
    return out
