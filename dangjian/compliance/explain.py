"""`check --explain`: every rule that applies to one organization or Party organization,
the facts it saw, and whether it holds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.accounts.models import User
from dangjian.areas.models import Area
from dangjian.compliance import policy as policy_module
from dangjian.compliance.facts import Facts
from dangjian.compliance.managing import ManagingBody
from dangjian.compliance.rules.base import RULES, Finding, Rule
from dangjian.compliance.rules.management import org_managing_body
from dangjian.lib.codes import normalize_uscc
from dangjian.orgs.models import OrgStatus
from dangjian.partyorgs.models import PartyOrganization, PartyOrgForm, PartyOrgLevel


@dataclass
class Verdict:
    rule: Rule
    holds: bool
    findings: list[Finding]
    settings: dict[str, Any]  # the settings it reads, as JSON shows them


@dataclass
class Explanation:
    subject_type: str
    key: str
    name: str
    as_of: dt.date
    policy_version: str
    facts: dict[str, Any] = field(default_factory=dict)
    verdicts: list[Verdict] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "policy_version": self.policy_version,
            "subject": {"type": self.subject_type, "key": self.key, "name": self.name},
            "facts": self.facts,
            "rules": [
                {
                    "rule": v.rule.id,
                    "clause": v.rule.clause,
                    "title": v.rule.title,
                    "holds": v.holds,
                    "settings": v.settings,
                    "findings": [f.message for f in v.findings],
                }
                for v in self.verdicts
            ],
        }


class SubjectNotFound(Exception):
    pass


def explain(
    key: str, *, as_of: dt.date, area: Area | None = None, user: User | None = None
) -> Explanation:
    """Explain the rules for the organization with USCC `key`, or the Party organization
    with code `key`; `area` is the caller's jurisdiction (outside it: not found)."""
    policy = policy_module.in_force(as_of)
    gate = Jurisdiction(user)
    orgs = gate.orgs().filter(uscc=normalize_uscc(key))
    party_orgs = gate.party_orgs().filter(code=key)
    if area is not None:
        orgs, party_orgs = orgs.within(area), party_orgs.within(area)
    org = orgs.select_related("township").first()
    if org is not None:
        facts = Facts(as_of, org.township)
        explanation = Explanation("social_org", org.uscc, org.name, as_of, policy.version)
        found = facts.orgs.get(org.pk)
        if found is not None:
            explanation.facts = _org_facts(facts, org.pk)
        subject_type = "social_org"
    else:
        party_org = party_orgs.select_related("township").first()
        if party_org is None:
            raise SubjectNotFound(key)
        facts = Facts(as_of, party_org.township)
        explanation = Explanation(
            "party_org", party_org.code, party_org.name, as_of, policy.version
        )
        if party_org.pk in facts.party_orgs:
            explanation.facts = _party_org_facts(facts, party_org.pk)
        subject_type = "party_org"
    for rule in RULES.values():
        if rule.subject != subject_type:
            continue
        mine = [f for f in rule.evaluate(facts, policy) if f.subject.key == explanation.key]
        explanation.verdicts.append(
            Verdict(rule, not mine, mine, {n: policy.settings[n].shown for n in rule.settings})
        )
    return explanation


def _org_facts(facts: Facts, pk: int) -> dict[str, Any]:
    org = facts.orgs[pk]
    body = org_managing_body(facts, pk)
    codes = dict(
        PartyOrganization.objects.filter(pk__in=[c[0] for c in org.covering]).values_list(
            "pk", "code"
        )
    )
    return {
        "登记状态": OrgStatus(org.status).label
        + ("" if org.active else f"（{org.status_changed_on}起）"),
        "在该日是否正常": org.active,
        "在职正式党员": org.formal,
        "在职党员（含预备党员）": org.member_count,
        "覆盖党组织": [
            f"{codes[party_org]}（{PartyOrgForm(form).label}·{PartyOrgLevel(level).label}）"
            for party_org, form, level in org.covering
        ],
        "在派党建工作指导员": org.instructor,
        "党建工作管理主体": body.label
        if isinstance(body, ManagingBody)
        else f"无法确定：{body.reason}",
    }


def _party_org_facts(facts: Facts, pk: int) -> dict[str, Any]:
    p = facts.party_orgs[pk]
    status = facts.covered_org_status
    stopped = [org for org in p.covers if org in status and not status[org][0]]
    return {
        "组建方式": PartyOrgForm(p.form).label,
        "类别": PartyOrgLevel(p.level).label,
        "在该日是否正常": p.active,
        "组织关系在本组织的正式党员": p.formal_members,
        "组织关系在本组织的党员（含预备党员）": p.members,
        "在任班子成员": p.office_holders,
        "专职党务工作者": p.full_time_workers,
        "本届任期开始": (p.term_started_on or p.founded_on).isoformat(),
        "覆盖社会组织": len(p.covers),
        "其中已注销或停止活动": len(stopped),
    }
