"""The demo's dissolution cases (docs/demo-data.md, "Development and transfers"; issue 17
item 5): a few dissolutions in progress. Of the standalone Party organizations still active
though their organization stopped (rule DYN-DISSOLVE), about half have a case 待审批:
proposed in the last weeks, dated the organization's end or later, each member whose relation
it holds and whose transfer is not already open going to the township's Party organization;
15% more had one 未批准 (with the opinion). Approved cases are not drawn: the demo's
dissolved Party organizations were dissolved before the system (docs/demo-data.md).

Drawn after every earlier table (the transfers), from the city's random sequence."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dangjian.demo.base import DEMO_TODAY, date_between
from dangjian.demo.context import CityContext, Org
from dangjian.dissolutions.models import Destination, Dissolution, DissolutionState
from dangjian.partyorgs.models import PartyOrganization, PartyOrgForm, PartyOrgStatus
from dangjian.transfers.models import TransferStatus

REASONS = (
    "所在社会组织已注销登记，党组织不再具备存续条件",
    "所在社会组织已停止活动，党员已陆续离开",
    "所在社会组织被撤销登记，经支部党员大会讨论提请撤销",
)
REFUSALS = (
    "社会组织正在申请恢复活动，暂缓撤销",
    "党员组织关系去向未落实，请补充后重新提请",
)


def _moment(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def dissolutions(
    ctx: CityContext, orgs: list[Org], township_pos: dict[int, PartyOrganization]
) -> None:
    rng, today = ctx.rng, DEMO_TODAY
    yesterday = today - dt.timedelta(days=1)
    # The people are not saved yet: known by identity.
    in_transfer = {id(t.person) for t in ctx.rows.transfers if t.status == TransferStatus.OPEN}
    for org in orgs:
        own = org.party_org
        if (
            own is None
            or org.ended is None
            or own.status != PartyOrgStatus.ACTIVE
            or own.form != PartyOrgForm.STANDALONE
            or org.ended >= yesterday
        ):
            continue
        r = rng.random()
        if r >= 0.65:
            continue
        township = township_pos[org.township.pk]
        day = date_between(rng, org.ended, yesterday)
        proposed = date_between(rng, max(day, today - dt.timedelta(days=40)), yesterday)
        case = Dissolution(
            party_org=own, dissolved_on=day, reason=rng.choice(REASONS),
            proposed_at=_moment(proposed),
        )  # fmt: skip
        if r < 0.5:
            ctx.rows.dissolutions.append(case)
            for m in org.formal + org.probationary + org.departed:
                if m.membership.relation_party_org is own and id(m.person) not in in_transfer:
                    ctx.rows.destinations.append(
                        Destination(dissolution=case, person=m.person, to_party_org=township)
                    )
        else:
            decided = date_between(rng, proposed, yesterday)
            case.state = DissolutionState.REFUSED
            case.decided_at, case.opinion = _moment(decided), rng.choice(REFUSALS)
            ctx.rows.dissolutions.append(case)
