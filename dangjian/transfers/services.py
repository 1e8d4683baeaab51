"""Writing transfers (docs/transfers.md): each is a one-row import of the `transfers` kind
(`dangjian.imports.records.record_save`), so a page, the API and a file share the checks,
the Chinese messages, the change history — and the move of the member's relation when a
transfer is received (`dangjian.imports.kinds.transfers.move_relations`). The live
re-evaluation follows every committed write (rule DYN-TRANSFER's task closes itself once
the member's relation has left the dissolved Party organization).

Each returns the `Saved` of the import: `ok`, or the errors by column key."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.imports.records import Saved, record_save
from dangjian.partyorgs.models import PartyOrganization
from dangjian.people.models import Person
from dangjian.transfers.models import Transfer, TransferStatus


def _text(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _values(transfer: Transfer, **changes: str) -> dict[str, str]:
    """The transfer's row of the `transfers` kind, with `changes` (column key: text)."""
    values = {
        "id_number": transfer.person.id_number,
        "from_party_org": transfer.from_party_org.code,
        "to_party_org": transfer.to_party_org.code if transfer.to_party_org is not None else "",
        "to_name": transfer.to_name,
        "letter_no": transfer.letter_no,
        "issued_on": _text(transfer.issued_on),
        "status": TransferStatus(transfer.status).label,
        "received_on": _text(transfer.received_on),
    }
    values.update(changes)
    return values


def transfer_issue(
    *,
    user: User | None,
    person: Person,
    issued_on: dt.date,
    to_party_org: PartyOrganization | None = None,
    to_name: str = "",
    letter_no: str = "",
    from_party_org: PartyOrganization | None = None,
) -> Saved:
    """开出: a transfer of `person`'s relation, from the Party organization holding it
    (`from_party_org`, by default the one stored today) to a known Party organization or to
    one outside the system (`to_name`)."""
    if from_party_org is None:
        membership = getattr(person, "membership", None)
        from_party_org = membership.relation_party_org if membership is not None else None
    values = {
        "id_number": person.id_number,
        "from_party_org": from_party_org.code if from_party_org is not None else "",
        "to_party_org": to_party_org.code if to_party_org is not None else "",
        "to_name": to_name,
        "letter_no": letter_no,
        "issued_on": _text(issued_on),
        "status": TransferStatus.OPEN.label,
        "received_on": "",
    }
    return record_save(kind="transfers", values=values, user=user, reason="开出组织关系介绍信",
                       new=True)  # fmt: skip


def transfer_accept(
    *, user: User | None, transfer: Transfer, received_on: dt.date | None = None
) -> Saved:
    """接收: the receiving Party organization accepts the member on `received_on` (today by
    default); their relation moves there that day."""
    day = received_on or timezone.localdate()
    values = _values(transfer, status=TransferStatus.RECEIVED.label, received_on=_text(day))
    return record_save(kind="transfers", values=values, user=user, reason="接收组织关系")


def transfer_return(
    *, user: User | None, transfer: Transfer, reason: str, returned_on: dt.date | None = None
) -> Saved:
    """退回, with its reason (required): the relation stays where it was; a new transfer
    may be issued afterwards."""
    reason = (reason or "").strip()
    if not reason:
        return Saved(None, {"return_reason": ["退回时须填写退回原因"]})
    with transaction.atomic():
        saved = record_save(
            kind="transfers",
            values=_values(transfer, status=TransferStatus.RETURNED.label),
            user=user,
            reason="退回组织关系",
        )
        if saved.ok:
            stored = Transfer.objects.select_for_update().get(pk=transfer.pk)
            stored.return_reason = reason[:500]
            if returned_on is not None:
                stored.returned_on = returned_on
            stored.full_clean()
            stored._change_reason = f"退回原因：{stored.return_reason}"  # type: ignore[attr-defined]
            stored.save(update_fields=["return_reason", "returned_on"])
    return saved
