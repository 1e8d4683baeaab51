"""三 推进社会组织党组织和党的工作全覆盖 — organization coverage, work coverage and dynamic
management."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from dangjian.compliance.facts import ADOPTING_FORMS, Facts
from dangjian.compliance.policy import Policy
from dangjian.compliance.rules.base import Finding, Subject, days, rule
from dangjian.partyorgs.models import PartyOrgForm


def _from(policy: Policy, since: dt.date | None) -> dt.date:
    """Nothing falls due before the policy took effect."""
    return max(since or policy.effective_on, policy.effective_on)


@rule(
    id="COV-STANDALONE",
    clause="三.1",
    title="3名以上正式党员的社会组织单独组建党组织",
    quote="从业人员中有3名以上正式党员的社会组织，都要单独组建党组织",
    severity="high",
    subject="social_org",
    action="单独组建党组织：正式党员3人以上成立党支部，7人以上设支部委员会",
    settings=("standalone_min_formal_members", "setup_within_days"),
)
def standalone(facts: Facts, policy: Policy) -> Iterator[Finding]:
    n = policy["standalone_min_formal_members"]
    for org in facts.orgs.values():
        if not org.active or org.formal < n or org.covered_by(PartyOrgForm.STANDALONE):
            continue
        joint = org.covered_by(PartyOrgForm.JOINT, PartyOrgForm.FUNCTIONAL)
        message = f"有{org.formal}名正式党员从业人员，尚未单独组建党组织"
        if joint:
            message += "（目前由联合或功能型党组织覆盖）"
        yield Finding(
            Subject("social_org", org.uscc, org.name, org.pk),
            org.township_code,
            message,
            days(_from(policy, org.formal_since(n)), policy["setup_within_days"]),
            {"formal_members": org.formal, "covered_by_joint": bool(joint)},
        )


@rule(
    id="COV-JOINT",
    clause="三.1",
    title="党员不足3名的社会组织建立或加入联合党组织",
    quote=(
        "党员人数不足3名的，按照地域相邻、行业相近、便于活动的原则，依托乡镇（街道）、村（社区）、"
        "行业党组织建立联合党组织。社会组织中仅有个别党员的，可纳入行业党组织管理，"
        "也可就近纳入乡镇（街道）、村（社区）党组织管理"
    ),
    severity="medium",
    subject="social_org",
    action="按地域相邻、行业相近、便于活动的原则建立或加入联合党组织；仅有1名党员的，也可将其组织关系纳入行业、乡镇(街道)或村(社区)党组织管理",
    settings=("standalone_min_formal_members", "setup_within_days"),
)
def joint(facts: Facts, policy: Policy) -> Iterator[Finding]:
    n = policy["standalone_min_formal_members"]
    for org in facts.orgs.values():
        formal = org.formal
        if not org.active or not 1 <= formal < n or org.covered:
            continue
        if formal == 1:
            member = next(m for m in org.members if m.formal)
            if member.relation_active and member.relation_form in ADOPTING_FORMS:
                continue  # 纳入管理: the lone member's relation is held nearby
        yield Finding(
            Subject("social_org", org.uscc, org.name, org.pk),
            org.township_code,
            f"有{formal}名正式党员从业人员，未被任何党组织覆盖",
            days(_from(policy, org.formal_since(1)), policy["setup_within_days"]),
            {"formal_members": formal},
        )


@rule(
    id="COV-INSTRUCTOR",
    clause="三.2",
    title="没有党员的社会组织选派党建工作指导员",
    quote=(
        "对目前没有党员的社会组织，可先由所在地党组织或主管单位党组织从各级党政机关、国有企事业单位"
        "党员干部和离退休干部、复转军人、大学生村官党员中选派党性强、作风实、熟悉党建工作的人员"
        "担任社会组织党建工作指导员"
    ),
    severity="low",
    subject="social_org",
    action="选派党建工作指导员，帮助建立工会、共青团等群众组织，培养入党积极分子",
    settings=("setup_within_days",),
)
def instructor(facts: Facts, policy: Policy) -> Iterator[Finding]:
    for org in facts.orgs.values():
        if not org.active or org.formal or org.covered or org.instructor:
            continue
        yield Finding(
            Subject("social_org", org.uscc, org.name, org.pk),
            org.township_code,
            "没有正式党员、未被党组织覆盖，也没有在派的党建工作指导员",
            days(_from(policy, org.registered_on), policy["setup_within_days"]),
            {"formal_members": 0, "members": org.member_count},
        )


def to_dissolve(facts: Facts) -> dict[int, dt.date]:
    """Active Party organizations of social organizations whose every covered organization
    is no longer active: {party org pk: the day the last of them stopped}."""
    status = facts.covered_org_status
    out: dict[int, dt.date] = {}
    for party_org in facts.party_orgs.values():
        if not party_org.active or not party_org.of_social_orgs or not party_org.covers:
            continue
        states = [status[org] for org in party_org.covers if org in status]
        if states and not any(active for active, _ in states):
            out[party_org.pk] = max(changed for _, changed in states if changed)
    return out


@rule(
    id="DYN-DISSOLVE",
    clause="三.3",
    title="社会组织注销或停止活动后及时撤销党组织",
    quote="对已建立党组织的社会组织因各种原因被注销、不再开展活动的，应按规定程序及时撤销党组织",
    severity="high",
    subject="party_org",
    action="按规定程序撤销党组织，并将党员组织关系转入其居住地或新就业单位党组织",
    settings=("dissolve_within_days",),
)
def dissolve(facts: Facts, policy: Policy) -> Iterator[Finding]:
    for pk, since in to_dissolve(facts).items():
        party_org = facts.party_orgs[pk]
        yield Finding(
            Subject("party_org", party_org.code, party_org.name, party_org.pk),
            party_org.township_code,
            f"所覆盖的社会组织已注销、撤销或停止活动（{since}），党组织尚未撤销",
            days(_from(policy, since), policy["dissolve_within_days"]),
            {"covered_orgs": len(party_org.covers), "orgs_stopped_on": since.isoformat()},
        )


@rule(
    id="DYN-TRANSFER",
    clause="三.3",
    title="撤销党组织的党员及时转接组织关系",
    quote="并将其所属党员的组织关系及时转入其居住地或新就业单位党组织进行管理",
    severity="high",
    subject="person",
    action="将党员组织关系转入其居住地或新就业单位党组织",
    settings=("dissolve_within_days", "transfer_within_days"),
)
def transfer(facts: Facts, policy: Policy) -> Iterator[Finding]:
    pending = to_dissolve(facts)
    # The day the transfer's period starts: the dissolution, or the day it fell due (never
    # before the policy took effect, as DYN-DISSOLVE's own due date).
    stranded: dict[int, dt.date] = {}
    for party_org in facts.party_orgs.values():
        if party_org.dissolved_on is not None and not party_org.active:
            stranded[party_org.pk] = _from(policy, party_org.dissolved_on)
        elif party_org.pk in pending:
            due = days(_from(policy, pending[party_org.pk]), policy["dissolve_within_days"])
            assert due is not None
            stranded[party_org.pk] = due
    for person in facts.members_of(list(stranded)):
        party_org = facts.party_orgs[person.relation_id]
        dissolved = party_org.dissolved_on is not None and not party_org.active
        state = "已撤销" if dissolved else "应撤销"
        yield Finding(
            Subject("person", person.masked, person.name, person.person_id),
            party_org.township_code,
            f"组织关系仍在{state}的党组织「{party_org.name}」",
            days(stranded[party_org.pk], policy["transfer_within_days"]),
            {"party_org": party_org.code, "party_org_dissolved": dissolved},
        )
