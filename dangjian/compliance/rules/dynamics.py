"""三.3 Dynamic management (DYN-INSPECTION, DYN-WEAK-OVERDUE) and 六.2 venues (VEN-SIX) —
exactly as CONTRACT.md's rules of Party work say, over the facts of
`dangjian/compliance/facts/dynamics.py`.

- DYN-INSPECTION: one finding per organization, its occurrence the inspected year (a later
  inspection of a year with the section is another finding, or none).
- DYN-WEAK-OVERDUE: one per rectification, its occurrence the day it was identified.
- VEN-SIX: one per Party organization (occurrence ""): the six it lacks, in the policy's
  order; with no check at all every one of the six, and `"recorded": false`."""

from __future__ import annotations

from collections.abc import Iterator

from dangjian.compliance.facts import Facts
from dangjian.compliance.policy import Policy
from dangjian.compliance.rules.base import Finding, Subject, days, rule
from dangjian.venues.models import SIX_LABELS


@rule(
    id="DYN-INSPECTION",
    clause="三.3",
    title="年检年报同步填报党建情况",
    quote="依托社会组织登记机关“登记申报、年检年报”制度，实行社会组织党建工作与业务工作"
    "“同登记、同年检、同评估”",
    severity="medium",
    subject="social_org",
    action="登记管理机关督促社会组织补报年检（年报）中的党建工作情况，乡镇(街道)跟进核实",
    settings=("fix_within_days",),
)
def inspection(facts: Facts, policy: Policy) -> Iterator[Finding]:
    for i in facts.inspections_without_party:
        yield Finding(
            Subject("social_org", i.uscc, i.name, i.org),
            i.township_code,
            f"{i.year}年度年检（{i.inspected_on}）未填报党建工作情况",
            days(i.inspected_on, policy["fix_within_days"]),
            {"year": i.year},
            occurrence=str(i.year),
        )


@rule(
    id="DYN-WEAK-OVERDUE",
    clause="三.3",
    title="软弱涣散党组织按期整顿",
    quote="对已建立党组织的，要不断巩固提高，发挥作用，对软弱涣散党组织要认真整顿",
    severity="high",
    subject="party_org",
    action="上级党组织督促整顿，核查整顿措施落实情况；完成后报上级验收",
    settings=(),
)
def weak_overdue(facts: Facts, policy: Policy) -> Iterator[Finding]:
    for w in facts.weak_overdue:
        yield Finding(
            Subject("party_org", w.code, w.name, w.party_org),
            w.township_code,
            f"{w.identified_on}认定为软弱涣散党组织，整顿期限{w.deadline}已过，尚未完成整顿",
            w.deadline,
            {"identified_on": w.identified_on.isoformat(), "deadline": w.deadline.isoformat()},
            occurrence=w.identified_on.isoformat(),
        )


@rule(
    id="VEN-SIX",
    clause="六.2",
    title="党组织活动场所达到“六有”标准",
    quote="按照有场所、有设施、有标志、有党旗、有书报、有制度的“六有”标准，推进社会组织党组织"
    "活动场所规范化建设",
    severity="low",
    subject="party_org",
    action="落实活动场所（可使用党群服务中心），补齐所缺项目后重新核查并上传照片",
    settings=("fix_within_days",),
)
def venue_six(facts: Facts, policy: Policy) -> Iterator[Finding]:
    for v in facts.venue_checks:
        missing = [label for label, has in zip(SIX_LABELS, v.flags, strict=True) if not has]
        if v.checked_on is None:
            yield Finding(
                Subject("party_org", v.code, v.name, v.party_org),
                v.township_code,
                "没有活动场所核查记录",
                facts.as_of,
                {"missing": missing, "recorded": False},
            )
        elif missing:
            yield Finding(
                Subject("party_org", v.code, v.name, v.party_org),
                v.township_code,
                f"{v.checked_on}核查，活动场所缺少：{'、'.join(missing)}",
                days(v.checked_on, policy["fix_within_days"]),
                {"missing": missing},
            )
