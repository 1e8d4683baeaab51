"""`report coverage`: coverage statistics per area, city → district → township (CONTRACT.md).

- an organization is covered when an active Party organization (单独组建, 联合组建 or 功能型)
  covers it on the date;
- org_coverage_rate = covered active organizations with at least one formal member ÷ active
  organizations with at least one formal member (so that the rate stays within [0, 1]);
- work_coverage_rate = active organizations that are covered or have an active instructor ÷
  all active organizations;
- members are counted once, in the area of the Party organization holding their relation,
  or, with none, in their employer's township.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from dangjian.accounts.jurisdiction import Jurisdiction, facts_for
from dangjian.accounts.models import User
from dangjian.areas.models import Area
from dangjian.compliance import policy as policy_module
from dangjian.compliance.facts import Facts
from dangjian.reports.scope import AreaTree

COUNTS = [
    "orgs_active",
    "orgs_with_formal_members",
    "orgs_3plus",
    "orgs_standalone",
    "orgs_joint",
    "orgs_instructor",
    "party_orgs",
    "members_formal",
    "members_probationary",
]
# Kept for the rates, not shown.
_HIDDEN = ["covered_with_formal", "covered_or_instructor"]

LABELS = {
    "area": "区划代码",
    "name": "区划",
    "level": "层级",
    "orgs_active": "正常社会组织",
    "orgs_with_formal_members": "有正式党员的",
    "orgs_3plus": "3名以上正式党员的",
    "orgs_standalone": "单独组建覆盖",
    "orgs_joint": "联合组建覆盖",
    "orgs_instructor": "有党建工作指导员",
    "org_coverage_rate": "组织覆盖率",
    "work_coverage_rate": "工作覆盖率",
    "party_orgs": "党组织数",
    "members_formal": "正式党员",
    "members_probationary": "预备党员",
}


def rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def coverage_report(
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
    tree = AreaTree(area)
    threshold = policy_module.in_force(as_of)["standalone_min_formal_members"]

    # Counted by township first, then rolled up to the district and city once per township
    # (not once per organization: a country has millions of them and some forty thousand
    # townships).
    def zero() -> dict[str, int]:
        return dict.fromkeys(COUNTS + _HIDDEN, 0)

    by_township: dict[int, dict[str, int]] = defaultdict(zero)
    for township, profile, n, _staff in facts.profiles("township_id", threshold):
        c = by_township[township]
        c["orgs_active"] += n
        if profile.formal:
            c["orgs_with_formal_members"] += n
            if profile.covered:
                c["covered_with_formal"] += n
        if profile.formal == 2:
            c["orgs_3plus"] += n
        if profile.standalone is not None:
            c["orgs_standalone"] += n
        elif profile.joint:
            c["orgs_joint"] += n
        if profile.instructor:
            c["orgs_instructor"] += n
        if profile.covered or profile.instructor:
            c["covered_or_instructor"] += n
    in_tree = {n.id for n in tree.by_level["township"]}
    for township, n in facts.active_party_orgs_by_township().items():
        if township in in_tree:
            by_township[township]["party_orgs"] += n
    for township, (formal, probationary) in facts.members_by_township.items():
        c = by_township[township]
        c["members_formal"] += formal
        c["members_probationary"] += probationary
    counts: dict[int, dict[str, int]] = defaultdict(zero)
    for township, c in by_township.items():
        for node_id in tree.ancestors(township):
            total = counts[node_id]
            for key, n in c.items():
                total[key] += n

    rows = []
    for node in tree.rows():
        c = counts[node.id]
        row: dict[str, Any] = {"area": node.code, "name": node.name, "level": node.level}
        row.update({key: c[key] for key in COUNTS[:6]})
        row["org_coverage_rate"] = rate(c["covered_with_formal"], c["orgs_with_formal_members"])
        row["work_coverage_rate"] = rate(c["covered_or_instructor"], c["orgs_active"])
        row.update({key: c[key] for key in COUNTS[6:]})
        rows.append(row)
    return {
        "as_of": as_of.isoformat(),
        # Whose figures these are (长沙市, 长沙市教育局主管的社会组织): the titles say it.
        "area_name": scope.name,
        "title": scope.title("社会组织党建覆盖情况"),
        "policy_version": policy_module.in_force(as_of).version,
        "rows": rows,
    }
