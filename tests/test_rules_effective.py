"""No finding falls due before the policy took effect (issue 12 item 20): a situation that
arose before `effective_on` counts its period from `effective_on` — DYN-DISSOLVE,
DYN-TRANSFER and ORG-TERM included."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.compliance.engine import RULES, evaluate
from dangjian.compliance.policy import load
from dangjian.compliance.rules.base import Finding
from tests import factories

pytestmark = pytest.mark.django_db

D = dt.date(2024, 6, 15)
EFFECTIVE = load().effective_on
LONG_AGO = dt.date(1996, 1, 18)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def findings(rule: str, as_of: dt.date = D) -> dict[str, Finding]:
    return {f.subject.key: f for f in evaluate(as_of=as_of, rules=[rule]).findings}


def test_a_member_left_in_a_party_org_dissolved_in_1997_falls_due_after_the_policy(areas):
    at = areas["wenyilu"]
    gone = factories.org(at, registered_on=dt.date(1993, 1, 1))
    party_org = factories.party_org(
        at,
        covers=[gone],
        founded_on=LONG_AGO,
        status="dissolved",
        dissolved_on=dt.date(1997, 12, 4),
    )
    person = factories.member(
        None, joined_on=dt.date(1990, 7, 1), confirmed_on=dt.date(1991, 7, 1), relation=party_org
    )
    finding = findings("DYN-TRANSFER")[person.id_masked]
    assert finding.due == EFFECTIVE + days(load()["transfer_within_days"])


def test_a_party_org_to_dissolve_since_1997_falls_due_after_the_policy(areas):
    at = areas["wenyilu"]
    gone = factories.org(
        at,
        registered_on=dt.date(1993, 1, 1),
        status="deregistered",
        status_changed_on=dt.date(1997, 12, 4),
    )
    party_org = factories.party_org(at, covers=[gone], founded_on=LONG_AGO)
    person = factories.member(
        gone,
        joined_on=dt.date(1990, 7, 1),
        confirmed_on=dt.date(1991, 7, 1),
        employed_on=dt.date(1994, 1, 1),
        left_on=dt.date(1997, 12, 4),
        relation=party_org,
    )
    policy = load()
    dissolve_due = EFFECTIVE + days(policy["dissolve_within_days"])
    assert findings("DYN-DISSOLVE")[party_org.code].due == dissolve_due
    transfer = findings("DYN-TRANSFER")[person.id_masked]
    assert transfer.due == dissolve_due + days(policy["transfer_within_days"])


def test_a_term_that_ran_out_before_the_policy_falls_due_on_the_day_it_took_effect(areas):
    party_org = factories.party_org(areas["wenyilu"], founded_on=LONG_AGO)  # a 3-year branch
    finding = findings("ORG-TERM")[party_org.code]
    assert finding.due == EFFECTIVE
    assert "1999-01-18" in finding.message  # the message still tells when it ran out


def test_a_situation_arising_after_the_policy_keeps_its_own_date(areas):
    party_org = factories.party_org(
        areas["wenyilu"], status="dissolved", dissolved_on=dt.date(2020, 3, 1)
    )
    person = factories.member(None, relation=party_org)
    assert findings("DYN-TRANSFER")[person.id_masked].due == dt.date(2020, 3, 31)


def test_no_rule_gives_a_due_date_before_the_policy(areas):
    """One situation of every rule that could be dated, all arisen in the 1990s."""
    at = areas["wenyilu"]
    old = dt.date(1992, 3, 1)
    standalone = factories.org(at, registered_on=old)
    for _ in range(3):
        factories.member(standalone, employed_on=dt.date(1993, 1, 1))  # COV-STANDALONE
    factories.member(
        factories.org(at, registered_on=old), employed_on=dt.date(1993, 1, 1)
    )  # COV-JOINT
    factories.org(at, registered_on=old)  # COV-INSTRUCTOR
    gone = factories.org(
        at, status="deregistered", status_changed_on=dt.date(1998, 1, 3), registered_on=old
    )
    dissolve = factories.party_org(at, covers=[gone], founded_on=LONG_AGO)  # DYN-DISSOLVE
    factories.member(  # DYN-TRANSFER
        gone, relation=dissolve, employed_on=dt.date(1993, 1, 1), left_on=dt.date(1998, 1, 3)
    )
    kept = factories.org(at, registered_on=old)
    branch = factories.party_org(at, covers=[kept], founded_on=LONG_AGO)  # ORG-TERM
    factories.office(branch, started_on=LONG_AGO, ended_on=dt.date(1999, 5, 1))  # ORG-SECRETARY
    result = evaluate(as_of=D)
    dated = {f.rule for f in result.findings}
    assert dated >= {
        "COV-STANDALONE", "COV-JOINT", "COV-INSTRUCTOR", "DYN-DISSOLVE", "DYN-TRANSFER",
        "ORG-TERM", "ORG-SECRETARY",
    }  # fmt: skip
    assert set(RULES) >= dated
    early = [
        (f.rule, f.subject.key, f.due)
        for f in result.findings
        if f.due is not None and f.due < EFFECTIVE
    ]
    assert early == []
