"""Reading dissolution cases (docs/dissolutions.md): those of the Party organizations a user
sees; who may propose one and who may decide it. A case outside the jurisdiction answers as
one that does not exist."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from dangjian.accounts.jurisdiction import AREA_ROLES, Jurisdiction
from dangjian.accounts.models import Role, User
from dangjian.dissolutions.models import Dissolution
from dangjian.imports.writers import may_write
from dangjian.partyorgs.models import PartyOrganization
from dangjian.people.models import Person
from dangjian.tasks.models import user_label


def visible(gate: Jurisdiction) -> QuerySet[Dissolution]:
    qs = Dissolution.objects.select_related(
        "party_org", "party_org__township", "proposed_by", "decided_by"
    )
    if gate.everything:
        return qs
    return qs.filter(party_org__in=gate.party_orgs().values("pk"))


def find(gate: Jurisdiction, pk: int) -> Dissolution | None:
    return visible(gate).filter(pk=pk).first()


def held_members(party_org: PartyOrganization) -> list[Person]:
    """The people whose organizational relation the Party organization holds today."""
    return list(
        Person.objects.filter(membership__relation_party_org=party_org).order_by("name", "pk")
    )


def _sees(user: User, party_org: PartyOrganization) -> bool:
    gate = Jurisdiction(user)
    return gate.everything or gate.party_orgs().filter(pk=party_org.pk).exists()


def _officer(user: Any) -> bool:
    """An area officer with an area, or the system operator."""
    if user.is_superuser and not user.role:
        return True
    return user.role in AREA_ROLES and user.area_id is not None


def may_propose(user: Any, party_org: PartyOrganization) -> bool:
    """The Party organization's own secretary, or an area officer whose area holds it."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if not may_write(user, "transfers") or not _sees(user, party_org):
        return False
    return _officer(user) or (user.role == Role.ORG and user.party_org_id == party_org.pk)


def may_decide(user: Any, case: Dissolution) -> bool:
    """The level above: the parent Party organization's secretary, or an area officer whose
    area holds it (the township, district or city) — never the one who proposed it, nor the
    Party organization's own secretary."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if case.proposed_by_id == user.pk:
        return False
    party_org = case.party_org
    if not _sees(user, party_org):
        return False
    if _officer(user):
        return True
    return (
        user.role == Role.ORG
        and party_org.parent_id is not None
        and user.party_org_id == party_org.parent_id
    )


HEADER = ["党组织", "党组织编码", "所在区划", "撤销日期", "撤销原因", "状态", "提请人", "提请时间",
          "审批人", "审批时间", "审批意见"]  # fmt: skip


def _at(moment: Any) -> Any:
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def cells(case: Dissolution) -> list[Any]:
    po = case.party_org
    return [
        po.name, po.code, po.township.name if po.township_id else "", case.dissolved_on,
        case.reason, case.get_state_display(), user_label(case.proposed_by) if case.proposed_by else "",
        _at(case.proposed_at), user_label(case.decided_by) if case.decided_by else "",
        _at(case.decided_at),
        case.opinion,
    ]  # fmt: skip
