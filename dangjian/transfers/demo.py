"""The demo's transfers of organizational relations (docs/demo-data.md, "Development and
transfers"; issue 17 item 5), in every state, agreeing with where the relations sit
(`dangjian.partyorgs.demo_members.relations` put them there; nothing here moves them):

- the members of a stopped organization's Party organization whose relation has since
  moved (to the township's, a community's or another Party organization): a transfer
  received there, issued after the organization stopped;
- those still waiting in it (rule DYN-TRANSFER): about half have a transfer 办理中 to the
  township's Party organization, issued in the last weeks; a few had one returned (退回,
  with its reason), and some of those a new one issued since;
- members who left an active organization: those whose relation has left the system got a
  transfer received outside it (their residence's or new employer's Party organization);
  about half of those still held there have one 办理中 to outside, a few one returned.

Drawn after every earlier table, from the city's random sequence."""

from __future__ import annotations

import datetime as dt

from dangjian.demo.base import DEMO_TODAY, date_between, share
from dangjian.demo.context import CityContext, Member, Org
from dangjian.partyorgs.models import PartyOrganization
from dangjian.transfers.models import Transfer, TransferStatus

RETURN_REASONS = (
    "介绍信抬头与接收党组织名称不符",
    "党员本人未到接收党组织报到",
    "缺少党费缴纳证明",
    "接收党组织不是党员居住地党组织",
)
OUTSIDE = ("社区党委", "街道机关党委", "有限公司党支部", "学校党委")


def transfers(
    ctx: CityContext, orgs: list[Org], township_pos: dict[int, PartyOrganization]
) -> None:
    rng, today = ctx.rng, DEMO_TODAY
    yesterday = today - dt.timedelta(days=1)
    made = ctx.rows.transfers
    serial = 0

    def letter(day: dt.date) -> str:
        nonlocal serial
        serial += 1
        return f"{day.year}-{serial:05d}"

    def outside(org: Org) -> str:
        return (
            org.township.name + rng.choice(("某某", "新建", "东风", "红星")) + rng.choice(OUTSIDE)
        )

    for org in orgs:
        own = org.party_org
        if own is None:
            continue
        township = township_pos[org.township.pk]
        people: list[Member] = org.formal + org.probationary + org.departed
        for m in people:
            relation = m.membership.relation_party_org
            joined = m.membership.joined_on
            if joined is None:
                continue
            earliest = max(joined, own.founded_on)
            if org.ended is not None:
                start = max(org.ended, earliest)
                if start >= yesterday:
                    continue
                if relation is own:  # still waiting
                    r = rng.random()
                    if r < 0.12:  # returned once
                        issued = date_between(rng, start, max(start, today - dt.timedelta(days=40)))
                        returned = min(issued + dt.timedelta(days=rng.randint(3, 20)), yesterday)
                        made.append(Transfer(person=m.person, from_party_org=own, to_party_org=township,
                                             letter_no=letter(issued), issued_on=issued,
                                             status=TransferStatus.RETURNED, returned_on=returned,
                                             return_reason=rng.choice(RETURN_REASONS)))  # fmt: skip
                        if returned < yesterday and share(rng, 0.6):
                            again = date_between(rng, returned + dt.timedelta(days=1), yesterday)
                            made.append(Transfer(person=m.person, from_party_org=own,
                                                 to_party_org=township, letter_no=letter(again),
                                                 issued_on=again))  # fmt: skip
                    elif r < 0.55:
                        issued = date_between(
                            rng, max(start, today - dt.timedelta(days=45)), yesterday
                        )
                        made.append(Transfer(person=m.person, from_party_org=own,
                                             to_party_org=township, letter_no=letter(issued),
                                             issued_on=issued))  # fmt: skip
                elif relation is not None and m not in org.departed:  # moved since it stopped
                    end = min(start + dt.timedelta(days=120), yesterday)
                    issued = date_between(rng, start, end)
                    received = min(issued + dt.timedelta(days=rng.randint(2, 30)), yesterday)
                    made.append(Transfer(person=m.person, from_party_org=own, to_party_org=relation,
                                         letter_no=letter(issued), issued_on=issued,
                                         status=TransferStatus.RECEIVED, received_on=received))  # fmt: skip
            elif m in org.departed:
                left = m.employment.ended_on
                if left is None or left >= yesterday or left < earliest:
                    continue
                if relation is None and share(rng, 0.5):
                    issued = date_between(rng, left, min(left + dt.timedelta(days=60), yesterday))
                    received = min(issued + dt.timedelta(days=rng.randint(2, 30)), yesterday)
                    made.append(Transfer(person=m.person, from_party_org=own, to_name=outside(org),
                                         letter_no=letter(issued), issued_on=issued,
                                         status=TransferStatus.RECEIVED, received_on=received))  # fmt: skip
                elif relation is own and share(rng, 0.1):
                    issued = date_between(rng, left, max(left, today - dt.timedelta(days=60)))
                    returned = min(issued + dt.timedelta(days=rng.randint(3, 20)), yesterday)
                    made.append(Transfer(person=m.person, from_party_org=own, to_name=outside(org),
                                         letter_no=letter(issued), issued_on=issued,
                                         status=TransferStatus.RETURNED, returned_on=returned,
                                         return_reason=rng.choice(RETURN_REASONS)))  # fmt: skip
                elif relation is own and share(rng, 0.5):
                    issued = date_between(rng, max(left, today - dt.timedelta(days=45)), yesterday)
                    made.append(Transfer(person=m.person, from_party_org=own, to_name=outside(org),
                                         letter_no=letter(issued), issued_on=issued))  # fmt: skip
