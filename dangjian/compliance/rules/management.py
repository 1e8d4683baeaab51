"""二 健全社会组织党建工作管理体制 — the management system."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from dangjian.compliance.facts import Facts
from dangjian.compliance.managing import ManagingBody, Unmanageable, managing_body
from dangjian.compliance.policy import Policy
from dangjian.compliance.rules.base import Finding, Subject, rule


def org_managing_body(facts: Facts, org_pk: int) -> ManagingBody | Unmanageable:
    """The 管理主体 of one organization of `facts` (shown on its page too)."""
    org = facts.orgs[org_pk]
    units = facts.units
    registry = units.get(org.registry_id)
    supervisor = units.get(org.supervisor_id) if org.supervisor_id else None
    return managing_body(
        registration_mode=org.registration_mode,
        party_management=org.party_management,
        registry=(registry[0], registry[1]) if registry else None,
        supervisor=(supervisor[0], supervisor[1]) if supervisor else None,
        township=(org.township_code, org.township_name),
        community=(org.community_code, org.community_name) if org.community_code else None,
    )


@rule(
    id="MGT-ASSIGNED",
    clause="二.2",
    title="党建工作管理主体明确",
    quote=(
        "由民政部门直接登记的社会组织的党建工作，由民政部门负责管理。"
        "需业务主管单位进行前置许可或审查的社会组织的党建工作，由业务主管单位负责管理"
    ),
    severity="high",
    subject="social_org",
    action="核实登记信息（登记方式、业务主管单位、党建管理方式、所在村(社区)），明确唯一的党建工作管理主体",
    settings=("fix_within_days",),
)
def managing_body_assigned(facts: Facts, policy: Policy) -> Iterator[Finding]:
    for org in facts.orgs.values():
        if not org.active:
            continue
        body = org_managing_body(facts, org.pk)
        if isinstance(body, Unmanageable):
            yield Finding(
                Subject("social_org", org.uscc, org.name, org.pk),
                org.township_code,
                f"无法确定党建工作管理主体：{body.reason}",
                None,
                {
                    "registration_mode": org.registration_mode,
                    "party_management": org.party_management,
                },
            )


@rule(
    id="MGT-INDUSTRY",
    clause="二.1",
    title="业务主管单位成立行业党委",
    quote="主管社会组织党组织数量较多的业务主管单位，应成立社会组织行业党委（党总支），并配备专职党务工作人员",
    severity="medium",
    subject="unit",
    action="成立社会组织行业党委（党总支），并配备至少1名专职党务工作人员",
    settings=("industry_committee_min_party_orgs", "fix_within_days"),
)
def industry_committee(facts: Facts, policy: Policy) -> Iterator[Finding]:
    threshold = policy["industry_committee_min_party_orgs"]
    for unit, count in sorted(facts.party_orgs_managed_by_unit.items()):
        if count < threshold or unit not in facts.supervisory_units:
            continue
        name, area = facts.supervisory_units[unit]
        committees = facts.industry_committees.get(unit, [])
        staffed = [code for code, workers in committees if workers > 0]
        if staffed:
            continue
        if committees:
            message = f"主管{count}个社会组织党组织，行业党委（党总支）尚未配备专职党务工作人员"
        else:
            message = f"主管{count}个社会组织党组织，尚未成立社会组织行业党委（党总支）"
        yield Finding(
            Subject("unit", name, name, unit),
            area,
            message,
            None,
            {"party_orgs": count, "industry_committees": [code for code, _ in committees]},
        )


@rule(
    id="MGT-STUDY",
    clause="二.3",
    title="每年专题研究社会组织党建工作",
    quote="每年至少专题研究一次社会组织党建工作",
    severity="medium",
    subject="area",
    also=("unit",),
    action="区县(市)委、业务主管单位党组织每年至少专题研究1次社会组织党建工作，并录入研究记录",
)
def topic_study(facts: Facts, policy: Policy) -> Iterator[Finding]:
    """Each district of the jurisdiction (subject `area`) and each supervisory unit that
    supervises an active organization on the date (subject `unit`) with no 专题研究 in the
    last closed year."""
    y = facts.as_of.year - 1
    areas, units = facts.studied_in(y)
    due = dt.date(y, 12, 31)
    message = f"{y}年度未专题研究社会组织党建工作"
    for pk, (code, name) in sorted(facts.districts.items(), key=lambda item: item[1][0]):
        if pk not in areas:
            yield Finding(
                Subject("area", code, name, pk), code, message, due, {"year": y},
                occurrence=str(y),
            )  # fmt: skip
    for pk, (name, area) in facts.supervising_units.items():
        if pk not in units:
            yield Finding(
                Subject("unit", name, name, pk), area, message, due, {"year": y},
                occurrence=str(y),
            )  # fmt: skip
