"""The organizational relation over time: `Membership.relation_party_org` is the relation
today; a member's received transfers date it (docs/transfers.md). Who held a member's
relation on a day: the destination of the last transfer received on or before that day,
else the source of the first one received, else the relation stored today."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from dangjian.transfers.models import Transfer, TransferStatus

# (received_on, issued_on, from_party_org_id, to_party_org_id), in the order received
Received = tuple[dt.date, dt.date, int, int | None]


def received_transfers(people: Iterable[int]) -> dict[int, list[Received]]:
    """The received transfers of `people` (only those that have one), in order."""
    wanted = sorted(set(people))
    out: dict[int, list[Received]] = {}
    for start in range(0, len(wanted), 900):
        for person, received, issued, source, target in Transfer.objects.filter(
            person_id__in=wanted[start : start + 900], status=TransferStatus.RECEIVED
        ).values_list("person_id", "received_on", "issued_on", "from_party_org_id",
                      "to_party_org_id"):  # fmt: skip
            assert received is not None  # a constraint: 已接收 has its 接收日期
            out.setdefault(person, []).append((received, issued, source, target))
    for items in out.values():
        items.sort()
    return out


def held_on(received: list[Received], current: int | None, day: dt.date) -> int | None:
    """The Party organization holding the relation on `day` (None: none in the system)."""
    before = [t for t in received if t[0] <= day]
    if before:
        return before[-1][3]
    if received:
        return received[0][2]
    return current
