"""Reading transfers (docs/transfers.md, "Pages"): those a user sees — issued by a Party
organization in their jurisdiction (outgoing) or to one (incoming). A transfer outside both
answers as one that does not exist."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.transfers.models import Transfer

DIRECTIONS = {"out": "转出", "in": "转入"}


def visible(gate: Jurisdiction, direction: str = "") -> QuerySet[Transfer]:
    qs = Transfer.objects.select_related("person", "from_party_org", "to_party_org")
    if gate.everything:
        return qs.filter(**({"to_party_org__isnull": False} if direction == "in" else {}))
    seen = gate.party_orgs().values("pk")
    if direction == "out":
        return qs.filter(from_party_org__in=seen)
    if direction == "in":
        return qs.filter(to_party_org__in=seen)
    return qs.filter(Q(from_party_org__in=seen) | Q(to_party_org__in=seen))


def find(gate: Jurisdiction, pk: int) -> Transfer | None:
    return visible(gate).filter(pk=pk).first()


def receiving(gate: Jurisdiction, transfer: Transfer) -> bool:
    """The user is on the receiving side: they see the receiving Party organization."""
    if transfer.to_party_org_id is None:
        return False
    return gate.everything or gate.party_orgs().filter(pk=transfer.to_party_org_id).exists()


def issuing(gate: Jurisdiction, transfer: Transfer) -> bool:
    return gate.everything or gate.party_orgs().filter(pk=transfer.from_party_org_id).exists()


HEADER = ["党员", "公民身份号码", "转出党组织", "转入党组织", "介绍信编号", "开出日期", "状态",
          "接收日期", "退回日期", "退回原因"]  # fmt: skip


def cells(t: Transfer) -> list[Any]:
    return [
        t.person.name, t.person.id_masked, t.from_party_org.name, t.destination, t.letter_no,
        t.issued_on, t.get_status_display(), t.received_on, t.returned_on, t.return_reason,
    ]  # fmt: skip
