"""Saving a joint plan, and turning one of its groups into a real joint Party organization."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from dangjian.accounts.models import User
from dangjian.areas.models import Area, AreaLevel
from dangjian.orgs.models import SocialOrganization
from dangjian.partyorgs.models import (
    COVERING_FORMS,
    Coverage,
    PartyOrganization,
    PartyOrgForm,
    PartyOrgLevel,
)
from dangjian.reports.models import JointProposal
from dangjian.reports.planner import JointPlan


def proposal_save(*, plan: JointPlan, area: Area | None, user: User | None) -> JointProposal:
    return JointProposal.objects.create(
        user=user,
        as_of=plan.as_of,
        area=area.code if area is not None else "",
        policy_version=plan.policy_version,
        plan=plan.as_dict(),
    )


@transaction.atomic
def proposal_apply(
    *,
    proposal: JointProposal,
    group: int,
    code: str,
    name: str,
    founded_on: dt.date,
    user: User | None = None,
) -> PartyOrganization:
    """Found the joint Party organization of group number `group` (1-based) and record that
    it covers the group's organizations. Refused (with nothing written) when an organization
    of the group has meanwhile been covered by another Party organization."""
    groups = proposal.plan.get("groups", [])
    if not 1 <= group <= len(groups):
        raise ValidationError({"group": f"方案#{proposal.pk} 没有第{group}组（共{len(groups)}组）"})
    spec = groups[group - 1]
    if PartyOrganization.objects.filter(code=code).exists():
        raise ValidationError({"code": f"党组织编码「{code}」已存在"})
    orgs = list(SocialOrganization.objects.filter(uscc__in=spec["orgs"]).order_by("uscc"))
    missing = sorted(set(spec["orgs"]) - {o.uscc for o in orgs})
    if missing:
        raise ValidationError({"orgs": f"这些社会组织已不在名录中：{'、'.join(missing)}"})
    covered = sorted(
        Coverage.objects.current_on(founded_on)
        .filter(org__in=orgs, party_org__form__in=COVERING_FORMS)
        .values_list("org__uscc", flat=True)
    )
    if covered:
        raise ValidationError({"orgs": f"这些社会组织已被党组织覆盖：{'、'.join(covered)}"})
    township = Area.objects.get(code=spec["township"], level=AreaLevel.TOWNSHIP)
    party_org = PartyOrganization(
        code=code,
        name=name,
        level=PartyOrgLevel.BRANCH,
        form=PartyOrgForm.JOINT,
        township=township,
        founded_on=founded_on,
        term_started_on=founded_on,
    )
    party_org._history_user = user  # type: ignore[attr-defined]
    party_org._change_reason = f"按联合党组织组建方案#{proposal.pk}第{group}组组建"  # type: ignore[attr-defined]
    party_org.full_clean()
    party_org.save()
    for org in orgs:
        coverage = Coverage(party_org=party_org, org=org, started_on=founded_on)
        coverage._history_user = user  # type: ignore[attr-defined]
        coverage._change_reason = party_org._change_reason  # type: ignore[attr-defined]
        coverage.full_clean()
        coverage.save()
    return party_org
