"""A finding's identity is (rule, subject, occurrence): a rule may find one subject several
times (a period, a year, a record), and the findings store keeps each of them (CONTRACT.md,
"several findings may share a subject")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from dangjian.compliance.engine import evaluate, finding_dict, record
from dangjian.compliance.facts import Facts
from dangjian.compliance.models import FindingRecord
from dangjian.compliance.policy import Policy
from dangjian.compliance.rules.base import RULES, Finding, Subject, rule
from tests import factories

pytestmark = pytest.mark.django_db

D = dt.date(2024, 6, 15)
PROBE = "TEST-PROBE"


@pytest.fixture
def probe(areas):
    """A rule registered only for the test: it finds the one organization of its township
    once per quarter named in `quarters` (the test changes them between checks)."""
    org = factories.org(areas["wenyilu"])
    quarters = ["2024-Q1", "2024-Q2"]

    @rule(
        id=PROBE,
        clause="三.1",
        title="测试规则",
        quote="从业人员中有3名以上正式党员的社会组织，都要单独组建党组织",
        severity="low",
        subject="social_org",
        action="测试",
    )
    def find(facts: Facts, policy: Policy) -> Iterator[Finding]:
        for quarter in quarters:
            yield Finding(
                Subject("social_org", org.uscc, org.name, org.pk),
                org.township.code,
                f"{quarter}未开展测试活动",
                None,
                {"period": quarter},
                occurrence=quarter,
            )

    try:
        yield quarters
    finally:
        del RULES[PROBE]


def open_probe_findings() -> list[tuple[str, dict]]:
    return list(
        FindingRecord.objects.filter(rule=PROBE, resolved_on__isnull=True)
        .order_by("occurrence")
        .values_list("occurrence", "facts")
    )


def test_the_decorator_gives_the_rule_id_to_its_findings(probe):
    found = [f for f in evaluate(as_of=D, rules=[PROBE]).findings]
    assert [f.rule for f in found] == [PROBE, PROBE]


def test_it_records_two_occurrences_for_one_subject(probe):
    result = evaluate(as_of=D)
    assert [f.occurrence for f in result.findings if f.rule == PROBE] == ["2024-Q1", "2024-Q2"]
    run = record(result)
    assert run.summary[PROBE] == 2
    assert open_probe_findings() == [
        ("2024-Q1", {"period": "2024-Q1"}),
        ("2024-Q2", {"period": "2024-Q2"}),
    ]


def test_recording_again_keeps_both_and_resolves_the_one_that_disappears(probe):
    record(evaluate(as_of=D))
    first = dict(FindingRecord.objects.filter(rule=PROBE).values_list("occurrence", "pk"))
    again = record(evaluate(as_of=D + dt.timedelta(days=1)))
    assert again.opened == 0 and again.resolved == 0
    assert dict(FindingRecord.objects.filter(rule=PROBE).values_list("occurrence", "pk")) == first

    probe.remove("2024-Q1")
    later = D + dt.timedelta(days=2)
    run = record(evaluate(as_of=later))
    assert run.resolved == 1 and run.opened == 0
    assert open_probe_findings() == [("2024-Q2", {"period": "2024-Q2"})]
    gone = FindingRecord.objects.get(rule=PROBE, occurrence="2024-Q1")
    assert gone.resolved_on == later and gone.pk == first["2024-Q1"]


def test_each_occurrence_falls_due_from_its_own_first_sighting(probe):
    probe[:] = ["2024-Q1"]
    record(evaluate(as_of=D))
    probe.append("2024-Q2")
    later = D + dt.timedelta(days=10)
    due = {f.occurrence: f.due for f in evaluate(as_of=later, rules=[PROBE]).findings}
    assert due["2024-Q1"] == D + dt.timedelta(days=30)
    assert due["2024-Q2"] == later + dt.timedelta(days=30)


def test_the_json_shows_the_occurrence_only_through_the_facts(probe):
    result = evaluate(as_of=D, rules=[PROBE])
    shown = [finding_dict(f) for f in result.findings]
    assert all("occurrence" not in f for f in shown)
    assert [f["facts"] for f in shown] == [{"period": "2024-Q1"}, {"period": "2024-Q2"}]
