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
from dangjian.compliance.facts import LEVEL_RANKS, Facts
from dangjian.orgs.models import OrgKind
from dangjian.partyorgs.models import PartyOrgLevel

TITLE = "社会组织法人单位建立党的基层组织情况"
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
# Rows counting Party organizations or people: one touching organizations of two kinds is
# counted once in the total and once in each of those kinds' columns.
OVERCOUNT_NOTE = (
    "“联合党支部数”按党组织计，“党员”“党建工作指导员”等按人计，总数栏中每个只计一次；"
    "一个联合党支部（或一人）涉及不同类型的社会组织时，在每个类型栏各计一次，"
    "故这几行的三个类型栏之和可能大于总数"
)
LEVEL_ROW = {
    PartyOrgLevel.COMMITTEE: "standalone_committee",
    PartyOrgLevel.GENERAL_BRANCH: "standalone_general_branch",
    PartyOrgLevel.BRANCH: "standalone_branch",
}
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
    gate = Jurisdiction(user)
    scope = gate.scope(area)
    if area is None and user is not None:
        area = gate.facts_area()
    facts = facts or facts_for(as_of, area, user)
    threshold = policy_module.in_force(as_of)["standalone_min_formal_members"]
    rows = {key: [0, 0, 0, 0] for key, _label, _indent in ROWS}

    def add(key: str, column: int, n: int = 1) -> None:
        rows[key][0] += n
        rows[key][column] += n

    for kind, profile, n, staff in facts.profiles("kind", threshold):
        column = KIND_COLUMN[OrgKind(kind)]
        add("units", column, n)
        add("staff", column, staff)
        if profile.standalone is not None:
            add(LEVEL_ROW[LEVEL_RANKS[profile.standalone]], column, n)
        elif profile.joint:
            add("joint", column, n)
            if profile.formal == 2:
                add("joint_3plus", column, n)
        elif profile.formal == 2:
            add("uncovered_3plus", column, n)
        elif profile.members:
            add("uncovered_few", column, n)
        else:
            add("uncovered_none", column, n)
        if profile.standalone is None and not profile.joint and profile.instructor:
            add("uncovered_with_instructor", column, n)
    # People and Party organizations, each once in a column and once in the total (one
    # may belong to organizations of two kinds).
    for kind, (members, elsewhere) in facts.members_by_kind().items():
        column = 0 if kind is None else KIND_COLUMN[OrgKind(kind)]
        rows["members"][column] = members
        rows["members_relation_elsewhere"][column] = elsewhere
    for kind, n in facts.joint_party_orgs_by_kind().items():
        rows["joint_party_orgs"][0 if kind is None else KIND_COLUMN[OrgKind(kind)]] = n
    for kind, n in facts.instructors_by_kind().items():
        rows["instructors"][0 if kind is None else KIND_COLUMN[OrgKind(kind)]] = n
    check_invariant(rows)
    return {
        "as_of": as_of.isoformat(),
        "area": area.code if area is not None else None,
        # Whose figures these are (长沙市, 长沙市教育局主管的社会组织): the titles say it.
        "area_name": scope.name,
        "scope": scope.line,
        "title": scope.title(TITLE),
        "policy_version": policy_module.in_force(as_of).version,
        "columns": COLUMNS,
        "rows": rows,
    }


def check_invariant(rows: dict[str, list[int]]) -> None:
    """The parts add up to the units, in every column."""
    for column in range(4):
        parts = sum(rows[key][column] for key in PARTS)
        if parts != rows["units"][column]:
            raise InvariantBroken(
                f"{COLUMNS[column]}: units {rows['units'][column]} != parts {parts}"
            )
