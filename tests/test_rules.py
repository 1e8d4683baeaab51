"""The rules engine as a whole: the findings' JSON shape (CONTRACT.md), their order, the
jurisdiction, due dates carried by the findings store, and a number of queries that does not
grow with the data."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from dataclasses import replace
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.cadres.models import Recommendation
from dangjian.compliance.engine import RULES, evaluate, record
from dangjian.compliance.models import FindingRecord
from dangjian.compliance.policy import Policy, Setting, load
from dangjian.development.models import Applicant
from dangjian.dues.models import DuesReturn
from dangjian.inspections.models import AnnualInspection
from dangjian.lib.codes import make_id_number
from dangjian.orgs.models import SocialOrganization
from dangjian.people.models import Employment, Membership
from dangjian.rectifications.models import Rectification
from tests import factories

pytestmark = pytest.mark.django_db

D = dt.date(2024, 6, 15)
LONG_AGO = dt.date(2016, 1, 1)
_units = itertools.count(1)
NEIGHBOUR = {"wenyilu": "chaoyang", "chaoyang": "wenyilu", "pozi": "wenyilu"}
ALL_RULES = {
    "COV-STANDALONE", "COV-JOINT", "COV-INSTRUCTOR", "DYN-DISSOLVE", "DYN-TRANSFER",
    "ORG-SECRETARY", "ORG-COMMITTEE", "ORG-TERM", "MGT-ASSIGNED", "MGT-INDUSTRY", "CAD-FULLTIME",
    "LIFE-MEETINGS", "LIFE-REVIEW", "CAD-SECRETARY-TRAINING", "CAD-NEW-SECRETARY",
    "CAD-WORKER-TRAINING", "CAD-RECOMMENDATION", "MGT-STUDY", "DEV-TALK", "DEV-ACTIVIST-TIME",
    "DEV-PROBATION-OVERDUE", "MEM-DUES-LAPSE", "FUN-DUES-RETURN", "DYN-INSPECTION",
    "DYN-WEAK-OVERDUE", "VEN-SIX",
}  # fmt: skip


def small_thresholds() -> Policy:
    """The policy with thresholds a small dataset reaches: 8 members need a full-time
    worker, a unit managing 2 Party organizations an industry committee."""
    base = load()
    changed = {
        "fulltime_worker_min_members": Setting("fulltime_worker_min_members", 8, "测试"),
        "industry_committee_min_party_orgs": Setting(
            "industry_committee_min_party_orgs", 2, "测试"
        ),
    }
    return replace(base, settings={**base.settings, **changed})


def world(areas, township: str) -> None:
    """One finding of every rule (under `small_thresholds`) in `township`, and some data
    that raises none."""
    at = areas[township]
    district = at.parent
    standalone = factories.org(at)  # COV-STANDALONE
    for _ in range(3):
        factories.member(standalone)
    factories.member(factories.org(at))  # COV-JOINT
    factories.member(factories.org(at), confirmed_on=None)  # COV-INSTRUCTOR
    unmanaged = factories.org(at, party_management="township")  # MGT-ASSIGNED
    SocialOrganization.objects.filter(pk=unmanaged.pk).update(party_management="community")
    gone = factories.org(at, status="deregistered", status_changed_on=dt.date(2024, 5, 1))
    dissolve = factories.party_org(at, covers=[gone], term_started_on=dt.date(2023, 1, 1))
    factories.office(dissolve)  # DYN-DISSOLVE
    factories.member(gone, relation=dissolve)  # DYN-TRANSFER (to be dissolved)
    dissolved = factories.party_org(at, status="dissolved", dissolved_on=dt.date(2024, 1, 1))
    factories.member(None, relation=dissolved)  # DYN-TRANSFER (dissolved)
    # ORG-SECRETARY, ORG-COMMITTEE, ORG-TERM, CAD-FULLTIME: no office, 8 formal members,
    # founded long ago; LIFE-MEETINGS, LIFE-REVIEW: no meeting recorded (as the others).
    covered = factories.org(at)
    big = factories.party_org(at, covers=[covered], founded_on=LONG_AGO)
    for _ in range(8):
        factories.member(covered, relation=big)
    # DEV-TALK, DEV-ACTIVIST-TIME: an applicant of `big` never talked to, made a 发展对象
    # two months after becoming an activist; DEV-PROBATION-OVERDUE: a probationary member
    # of `big` admitted in 2022, never confirmed.
    Applicant.objects.create(
        person=factories.person("申请人"), party_org=big, applied_on=dt.date(2023, 1, 5),
        activist_on=dt.date(2023, 3, 1), candidate_on=dt.date(2023, 5, 1),
    )  # fmt: skip
    factories.member(None, relation=big, joined_on=dt.date(2022, 1, 1), confirmed_on=None)
    # MEM-DUES-LAPSE: the members of `big` paid no dues (those of `kept` below did);
    # FUN-DUES-RETURN: `big` got last year's dues back one fen short.
    DuesReturn.objects.create(
        party_org=big, year=D.year - 1, paid_up=Decimal("1200.00"), returned=Decimal("1199.99"),
        returned_on=dt.date(D.year, 2, 1),
    )  # fmt: skip
    # DYN-INSPECTION: `standalone` filed last year's inspection without the Party section;
    # DYN-WEAK-OVERDUE: `big` identified as weak, past its deadline; VEN-SIX: no Party
    # organization here but `kept` has a venue check.
    AnnualInspection.objects.create(
        org=standalone, year=D.year - 1, result="qualified", party_section=False,
        inspected_on=dt.date(D.year, 4, 1),
    )  # fmt: skip
    Rectification.objects.create(
        party_org=big, identified_on=dt.date(2023, 6, 1), problem="组织生活不正常",
        deadline=dt.date(2023, 12, 31),
    )  # fmt: skip
    # MGT-INDUSTRY: a unit managing two Party organizations, with no industry committee.
    unit = factories.supervisory_unit(f"{district.name}测试局{next(_units)}", district)
    for _ in range(2):
        org = factories.org(at, registration_mode="supervised", supervisor=unit)
        party_org = factories.party_org(at, covers=[org], term_started_on=dt.date(2023, 1, 1))
        factories.office(party_org)  # CAD-SECRETARY-TRAINING, CAD-NEW-SECRETARY: no training
    factories.office(party_org, role="deputy")  # CAD-WORKER-TRAINING: no training
    # And a well-kept organization: no finding at all.
    kept = factories.org(at)
    kept_party_org = factories.party_org(at, covers=[kept], term_started_on=dt.date(2023, 1, 1))
    secretary = factories.office(kept_party_org)
    factories.cadre_kept(secretary.person, secretary.started_on, D)
    factories.life_kept(kept_party_org, D)
    factories.venue_kept(kept_party_org)
    for _ in range(3):
        factories.member(kept, relation=kept_party_org)
    factories.dues_kept(kept_party_org, D)
    factories.instructor_assignment(factories.org(at))
    # CAD-RECOMMENDATION: the leader of an organization recommended, no opinion asked.
    leader = factories.person("会长")
    Employment.objects.create(person=leader, org=kept, position="leader", started_on=LONG_AGO)
    Recommendation.objects.create(
        person=leader, kind="peoples_congress", recommended_on=dt.date(2024, 1, 5)
    )
    # A joint Party organization here covering an organization of the next township.
    neighbour = factories.org(areas[NEIGHBOUR[township]])
    factories.member(neighbour)
    joint = factories.party_org(at, form="joint", covers=[neighbour], term_started_on=D)
    factories.office(joint)


# Shape and order ----------------------------------------------------------------------------


def test_it_answers_the_json_of_the_contract(areas):
    world(areas, "wenyilu")
    result = evaluate(as_of=D, policy=small_thresholds())
    data = json.loads(json.dumps(result.as_dict(), ensure_ascii=False))
    assert set(data) == {"as_of", "policy_version", "summary", "findings"}
    assert data["as_of"] == "2024-06-15"
    assert data["policy_version"] == load().version
    assert set(data["summary"]) == ALL_RULES
    assert {rule for rule, n in data["summary"].items() if n} == ALL_RULES
    assert sum(data["summary"].values()) == len(data["findings"])
    for finding in data["findings"]:
        assert set(finding) == {
            "rule", "clause", "severity", "subject", "area", "message", "action", "due", "facts",
        }  # fmt: skip
        rule = RULES[finding["rule"]]
        assert finding["clause"] == rule.clause
        assert finding["severity"] == rule.severity in {"high", "medium", "low"}
        assert finding["action"] == rule.action
        assert set(finding["subject"]) == {"type", "key", "name"}
        assert finding["subject"]["type"] in rule.subjects
        assert finding["subject"]["type"] in {"social_org", "party_org", "person", "unit", "area"}
        assert finding["message"]
        if rule.dated:
            assert dt.date.fromisoformat(finding["due"])
        else:  # CONTRACT.md: due null (DEV-ACTIVIST-TIME)
            assert finding["due"] is None
        assert isinstance(finding["facts"], dict)
    areas_of = {f["subject"]["type"]: f["area"] for f in data["findings"]}
    # a district (MGT-STUDY) is found in its own name: each of the two districts
    assert {f["area"] for f in data["findings"] if f["subject"]["type"] == "area"} == {
        "430102",
        "430103",
    }
    del areas_of["area"]
    assert areas_of == {
        "social_org": "430102001",
        "party_org": "430102001",
        "person": "430102001",
        "unit": "430102",
    }


def test_it_counts_every_selected_rule_in_the_summary_even_without_findings(areas):
    result = evaluate(as_of=D, rules=["ORG-TERM", "COV-JOINT", "ORG-TERM"])
    assert result.rules == ["COV-JOINT", "ORG-TERM"]
    assert result.as_dict()["summary"] == {"COV-JOINT": 0, "ORG-TERM": 0}
    assert result.findings == []


def test_it_refuses_an_unknown_rule(areas):
    with pytest.raises(KeyError):
        evaluate(as_of=D, rules=["COV-STANDALONE", "NO-SUCH-RULE"])


def test_it_sorts_findings_by_rule_then_subject_key(areas):
    world(areas, "wenyilu")
    world(areas, "pozi")
    world(areas, "chaoyang")
    findings = evaluate(as_of=D, policy=small_thresholds()).findings
    order = [(f.rule, f.subject.key) for f in findings]
    assert order == sorted(order)
    assert len({f.rule for f in findings}) == len(ALL_RULES)


def test_it_masks_the_identity_number_of_a_person(areas):
    world(areas, "wenyilu")
    people = [f for f in evaluate(as_of=D).findings if f.subject.type == "person"]
    assert len([f for f in people if f.rule == "DYN-TRANSFER"]) == 2
    assert {f.rule for f in people} == {
        "DYN-TRANSFER",
        "CAD-SECRETARY-TRAINING",
        "CAD-NEW-SECRETARY",
        "CAD-WORKER-TRAINING",
        "CAD-RECOMMENDATION",
        "DEV-TALK",
        "DEV-ACTIVIST-TIME",
        "DEV-PROBATION-OVERDUE",
        "MEM-DUES-LAPSE",
    }
    for finding in people:
        key = finding.subject.key
        assert len(key) == 18 and key[6:14] == "********"
        assert key.startswith("430102")


# Jurisdiction -------------------------------------------------------------------------------


def test_it_never_returns_a_finding_of_another_district(areas):
    world(areas, "wenyilu")
    world(areas, "chaoyang")
    world(areas, "pozi")
    policy = small_thresholds()
    everything = evaluate(as_of=D, policy=policy).findings
    furong = evaluate(as_of=D, area=areas["furong"], policy=policy).findings
    tianxin = evaluate(as_of=D, area=areas["tianxin"], policy=policy).findings
    wenyilu = evaluate(as_of=D, area=areas["wenyilu"], policy=policy).findings
    assert all(f.area.startswith("430102") for f in furong)
    assert all(f.area.startswith("430103") for f in tianxin)
    assert all(f.area in ("430102001", "430102") for f in wenyilu)
    assert {f.rule for f in tianxin} == ALL_RULES
    assert sorted(furong + tianxin, key=lambda f: (f.rule, f.subject.key)) == everything
    city = evaluate(as_of=D, area=areas["city"], policy=policy).findings
    assert city == everything


def test_it_checks_a_township_without_its_neighbours(areas):
    world(areas, "wenyilu")
    world(areas, "chaoyang")
    wenyilu = evaluate(as_of=D, area=areas["wenyilu"], policy=small_thresholds()).findings
    assert {f.area for f in wenyilu if f.subject.type != "unit"} == {"430102001"}


def test_it_checks_the_organizations_of_a_community(areas):
    org = factories.org(areas["wenyilu"], community=areas["community"])
    for _ in range(3):
        factories.member(org)
    result = evaluate(as_of=D, area=areas["community"], rules=["COV-STANDALONE"])
    assert [f.subject.key for f in result.findings] == [org.uscc]


# Due dates from the findings store ----------------------------------------------------------


def test_it_counts_an_undated_finding_from_when_it_was_first_recorded(areas):
    party_org = factories.party_org(areas["wenyilu"], founded_on=LONG_AGO)
    factories.office(party_org)
    for _ in range(7):
        factories.member(None, relation=party_org)  # ORG-COMMITTEE has no dated fact
    first = dt.date(2024, 3, 1)
    record(evaluate(as_of=first))
    later = evaluate(as_of=D)
    (finding,) = [f for f in later.findings if f.rule == "ORG-COMMITTEE"]
    assert finding.due == first + dt.timedelta(days=30)
    fresh = evaluate(as_of=D, rules=["ORG-COMMITTEE"])  # the store still answers
    assert fresh.findings[0].due == first + dt.timedelta(days=30)


def test_it_records_two_members_whose_masked_numbers_coincide(areas):
    """Person keys are masked identity numbers (CONTRACT.md), which two people can share:
    the store tells them apart all the same."""
    first, second = same_mask()
    party_org = factories.party_org(areas["wenyilu"], status="dissolved", dissolved_on=LONG_AGO)
    for number in (first, second):
        person = factories.person(id_number=number)
        Membership.objects.create(
            person=person, joined_on=dt.date(2010, 1, 1), relation_party_org=party_org
        )
    result = evaluate(as_of=D)
    transfers = [f for f in result.findings if f.rule == "DYN-TRANSFER"]
    assert len(transfers) == 2 and transfers[0].subject.key == transfers[1].subject.key
    assert record(result).opened == len(result.findings)
    assert FindingRecord.objects.filter(rule="DYN-TRANSFER", resolved_on=None).count() == 2
    again = record(evaluate(as_of=D))
    assert (again.opened, again.resolved) == (0, 0)


def same_mask() -> tuple[str, str]:
    """Two valid identity numbers with the same first 6 and last 4 characters."""
    seen: dict[str, str] = {}
    for year in range(1960, 2000):
        number = make_id_number(f"430102{year}0101123")
        if number[-1] in seen:
            return seen[number[-1]], number
        seen[number[-1]] = number
    raise AssertionError("no two numbers share a check character")


# Queries ------------------------------------------------------------------------------------


def queries(**kwargs) -> int:
    with CaptureQueriesContext(connection) as captured:
        result = evaluate(**kwargs)
    assert result.findings
    return len(captured.captured_queries)


@pytest.mark.parametrize("where", [None, "furong", "wenyilu"])
def test_it_makes_as_many_queries_for_four_times_the_data(areas, django_assert_num_queries, where):
    area = None if where is None else areas[where]
    policy = small_thresholds()
    for township in ("wenyilu", "pozi"):
        world(areas, township)
    small_default = queries(as_of=D, area=area)
    small_lowered = queries(as_of=D, area=area, policy=policy)
    # Every rule finds something, so that every fact is computed (units are districts').
    summary = evaluate(as_of=D, area=area, policy=policy).summary
    assert {rule for rule, n in summary.items() if not n} <= (
        {"MGT-INDUSTRY", "MGT-STUDY"} if where == "wenyilu" else set()  # no district, no unit
    )
    small_orgs = SocialOrganization.objects.count()
    for _ in range(3):
        for township in ("wenyilu", "chaoyang", "pozi"):
            world(areas, township)
    assert SocialOrganization.objects.count() >= 5 * small_orgs
    assert queries(as_of=D, area=area) == small_default
    with django_assert_num_queries(small_lowered):
        evaluate(as_of=D, area=area, policy=policy)


def test_members_of_many_dissolved_party_orgs_take_no_more_queries(areas):
    """DYN-TRANSFER reads the members of every dissolved Party organization: more of them
    (here past the 900 keys a query once took) is not more queries."""
    from dangjian.partyorgs.models import PartyOrganization

    def dissolve(n: int) -> None:
        made = [
            factories.party_org(
                areas["wenyilu"], dissolved_on=dt.date(2020, 1, 1), status="dissolved"
            )
            for _ in range(2)
        ]
        template = made[0]
        start = PartyOrganization.objects.count()
        PartyOrganization.objects.bulk_create(
            PartyOrganization(
                code=f"Q{start + i:08d}",
                name=f"已撤销党支部{start + i}",
                level=template.level,
                form=template.form,
                township=template.township,
                founded_on=template.founded_on,
                dissolved_on=template.dissolved_on,
                status=template.status,
            )
            for i in range(n)
        )
        people = [factories.person(f"党员甲{start}-{i}") for i in range(2)]
        dissolved = list(PartyOrganization.objects.filter(dissolved_on__isnull=False))
        Membership.objects.bulk_create(
            Membership(
                person=person,
                joined_on=dt.date(2010, 7, 1),
                confirmed_on=dt.date(2011, 7, 1),
                relation_party_org=party_org,
            )
            for person, party_org in zip(people, dissolved[-2:], strict=True)
        )

    dissolve(0)
    few = queries(as_of=D, rules=["DYN-TRANSFER"])
    dissolve(1000)
    assert PartyOrganization.objects.filter(dissolved_on__isnull=False).count() > 1000
    with CaptureQueriesContext(connection) as captured:
        result = evaluate(as_of=D, rules=["DYN-TRANSFER"])
    assert len(result.findings) == 4
    assert len(captured.captured_queries) == few
