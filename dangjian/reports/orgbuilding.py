"""`report org-building`: the Party-statistics table 社会组织法人单位建立党的基层组织情况
(CONTRACT.md), counted from the same facts as the rules.

The buckets partition the active organizations (units = standalone_* + joint +
uncovered_3plus + uncovered_few + uncovered_none): "covered" here means by a standalone or
joint Party organization, as the statistical table has no row for functional ones — an
organization covered only by a functional Party organization is counted by its members.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dangjian.accounts.jurisdiction import Jurisdiction, facts_for
from dangjian.accounts.models import User
from dangjian.areas.models import Area
from dangjian.compliance import policy as policy_module
from dangjian.compliance.facts import Facts
from dangjian.lib.dated import holds_on_q
from dangjian.orgs.models import OrgKind
from dangjian.partyorgs.models import InstructorAssignment, PartyOrgForm, PartyOrgLevel

COLUMNS = ["total", "association", "foundation", "service_agency"]
COLUMN_LABELS = ["总数", "社会团体", "基金会", "民办非企业单位(社会服务机构)"]
KIND_COLUMN = {OrgKind.ASSOCIATION: 1, OrgKind.FOUNDATION: 2, OrgKind.SERVICE_AGENCY: 3}

# (key, label, indent): the rows of the paper form, in its order.
ROWS = [
    ("units", "单位数", 0),
    ("standalone_committee", "已单独建立党组织 — 建立党委的", 1),
    ("standalone_general_branch", "已单独建立党组织 — 建立总支部的", 1),
    ("standalone_branch", "已单独建立党组织 — 建立支部的", 1),
    ("joint", "已建立联合党支部的", 1),
    ("joint_3plus", "其中：具有3名以上正式党员的", 2),
    ("joint_party_orgs", "联合党支部数", 2),
    ("uncovered_3plus", "未建立党组织 — 应建尚未建立党组织的", 1),
    ("uncovered_few", "未建立党组织 — 仅有个别党员的", 1),
    ("uncovered_none", "未建立党组织 — 没有党员的", 1),
    ("uncovered_with_instructor", "未建立党组织 — 已派党建工作指导员的", 2),
    ("staff", "补充情况 — 从业人员", 1),
    ("members", "补充情况 — 党员", 1),
    ("members_relation_elsewhere", "其中：未转入组织关系的", 2),
    ("instructors", "补充情况 — 党建工作指导员", 1),
]
LEVEL_ROW = {
    PartyOrgLevel.COMMITTEE: "standalone_committee",
    PartyOrgLevel.GENERAL_BRANCH: "standalone_general_branch",
    PartyOrgLevel.BRANCH: "standalone_branch",
}
LEVEL_RANK: dict[str, int] = {"committee": 0, "general_branch": 1, "branch": 2}
PARTS = [
    "standalone_committee",
    "standalone_general_branch",
    "standalone_branch",
    "joint",
    "uncovered_3plus",
    "uncovered_few",
    "uncovered_none",
]


class InvariantBroken(AssertionError):
    pass


def org_building_report(
    *,
    as_of: dt.date,
    area: Area | None = None,
    facts: Facts | None = None,
    user: User | None = None,
) -> dict[str, Any]:
    if area is None and user is not None:
        area = Jurisdiction(user).facts_area()
    facts = facts or facts_for(as_of, area, user)
    threshold = policy_module.load()["standalone_min_formal_members"]
    rows = {key: [0, 0, 0, 0] for key, _label, _indent in ROWS}
    joint_orgs: list[set[int]] = [set(), set(), set(), set()]
    members: list[set[int]] = [set(), set(), set(), set()]
    elsewhere: list[set[int]] = [set(), set(), set(), set()]
    active_orgs = {pk: org for pk, org in facts.orgs.items() if org.active}

    def add(key: str, column: int, n: int = 1) -> None:
        rows[key][0] += n
        rows[key][column] += n

    for org in active_orgs.values():
        column = KIND_COLUMN[OrgKind(org.kind)]
        formal = org.formal
        add("units", column)
        add("staff", column, org.staff_count or 0)
        covering = {pk for pk, _form, _level in org.covering}
        for m in org.members:  # each person once, though employed by two organizations
            members[0].add(m.person_id)
            members[column].add(m.person_id)
            if m.relation_id not in covering:
                elsewhere[0].add(m.person_id)
                elsewhere[column].add(m.person_id)
        standalone = org.covered_by(PartyOrgForm.STANDALONE)
        joint = org.covered_by(PartyOrgForm.JOINT)
        if standalone:
            level = min((lvl for _pk, _form, lvl in standalone), key=lambda lvl: LEVEL_RANK[lvl])
            add(LEVEL_ROW[PartyOrgLevel(level)], column)
        elif joint:
            add("joint", column)
            if formal >= threshold:
                add("joint_3plus", column)
        elif formal >= threshold:
            add("uncovered_3plus", column)
        elif org.member_count:
            add("uncovered_few", column)
        else:
            add("uncovered_none", column)
        if not standalone and not joint and org.instructor:
            add("uncovered_with_instructor", column)
        for pk, _form, _level in joint:
            joint_orgs[0].add(pk)
            joint_orgs[column].add(pk)
    for column in range(4):
        rows["joint_party_orgs"][column] = len(joint_orgs[column])
        rows["members"][column] = len(members[column])
        rows["members_relation_elsewhere"][column] = len(elsewhere[column])
    instructors: list[set[int]] = [set(), set(), set(), set()]
    for person, org_pk in _instructors(facts, as_of):
        assigned = active_orgs.get(org_pk)
        if assigned is not None:
            instructors[0].add(person)
            instructors[KIND_COLUMN[OrgKind(assigned.kind)]].add(person)
    rows["instructors"] = [len(s) for s in instructors]
    check_invariant(rows)
    return {
        "as_of": as_of.isoformat(),
        "area": area.code if area is not None else None,
        "area_name": area.name if area is not None else "全部",
        "policy_version": policy_module.load().version,
        "columns": COLUMNS,
        "rows": rows,
    }


def _instructors(facts: Facts, as_of: dt.date) -> list[tuple[int, int]]:
    qs = InstructorAssignment.objects.filter(holds_on_q(as_of, start_required=True))
    if facts.area is not None:
        qs = qs.filter(org__township__path__startswith=facts.area.path)
    return list(qs.values_list("instructor__person_id", "org_id"))


def check_invariant(rows: dict[str, list[int]]) -> None:
    """The parts add up to the units, in every column."""
    for column in range(4):
        parts = sum(rows[key][column] for key in PARTS)
        if parts != rows["units"][column]:
            raise InvariantBroken(
                f"{COLUMNS[column]}: units {rows['units'][column]} != parts {parts}"
            )
