"""六.1 Dues: a member who paid no dues for `dues_lapse_months` months (MEM-DUES-LAPSE), a
social organization's Party organization whose dues paid up were not returned in full
(FUN-DUES-RETURN) — exactly as CONTRACT.md's rules of Party work say, over the facts of
`dangjian/compliance/facts/dues.py`. The amounts due play no part: a lapse is paying
nothing at all (a short payment is the ledger's business, docs/dues.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from dangjian.compliance.facts import Facts
from dangjian.compliance.facts.cadres import number
from dangjian.compliance.policy import Policy
from dangjian.compliance.rules.base import Finding, Subject, rule


def _month(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


@rule(
    id="MEM-DUES-LAPSE",
    clause="六.1",
    title="党员按月交纳党费",
    # The policy's words on members' education and management; the rule itself is 党员教育
    # 管理工作条例 2019 art. 31 (dues_lapse_months' source).
    quote="做好发展党员和党员教育管理工作",
    severity="medium",
    subject="person",
    action="党组织及时了解情况、批评教育，督促其交纳党费；无正当理由的按规定处理",
    settings=("dues_lapse_months",),
)
def dues_lapse(facts: Facts, policy: Policy) -> Iterator[Finding]:
    months = policy["dues_lapse_months"]
    for m in facts.dues_lapsed(months):
        since = f"，此前最后一次缴纳为{_month(m.last_paid)}" if m.last_paid else "，此前无缴纳记录"
        yield Finding(
            Subject("person", m.masked, m.name, m.person),
            m.township_code,
            f"{_month(m.first)}至{_month(m.last)}连续{months}个月未交纳党费{since}",
            facts.as_of,
            {"months": months, "last_paid": _month(m.last_paid) if m.last_paid else None},
        )


@rule(
    id="FUN-DUES-RETURN",
    clause="六.1",
    title="社会组织党组织党费全额拨返",
    quote="建立党费拨返制度，对于社会组织党组织缴纳的党费，全额返还给社会组织党组织用于党建活动经费",
    severity="medium",
    subject="party_org",
    action="上级党组织将该年度社会组织党组织上缴的党费全额返还，并录入返还金额和日期",
    settings=(),
)
def dues_return(facts: Facts, policy: Policy) -> Iterator[Finding]:
    for r in facts.short_returns:
        yield Finding(
            Subject("party_org", r.code, r.name, r.party_org),
            r.township_code,
            f"{r.year}年度上缴党费{r.paid_up}元，返还{r.returned}元，未全额返还",
            dt.date(r.year + 1, 3, 31),
            {"year": r.year, "paid_up": number(r.paid_up), "returned": number(r.returned)},
            occurrence=str(r.year),
        )
