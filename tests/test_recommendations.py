"""The `recommendations` kind and rule CAD-RECOMMENDATION (CONTRACT.md; POLICY 五.4): a
leader (负责人) or main investor (主要出资人) recommended as a delegate, deputy, CPPCC member
or model worker, and the Party organization's opinion — refused input with row, column and
value, nothing written; the rule at its boundaries; recording the opinion closes it at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.cadres.models import Opinion, Recommendation, RecommendationKind
from dangjian.compliance.engine import evaluate, record
from dangjian.compliance.models import FindingRecord
from dangjian.imports.export import export_rows
from dangjian.imports.service import import_file
from dangjian.imports.writers import OUTSIDE
from dangjian.lib.codes import mask_id_number
from dangjian.people.models import Employment
from tests import factories
from tests.importing import table_counts, write_csv

pytestmark = pytest.mark.django_db
RULE = "CAD-RECOMMENDATION"


@pytest.fixture
def leader(areas):
    org = factories.org(areas["wenyilu"])
    person = factories.person("协会会长")
    Employment.objects.create(
        person=person, org=org, position="leader", started_on=dt.date(2020, 1, 1),
        ended_on=dt.date(2025, 1, 1),
    )  # fmt: skip
    factories.party_org(areas["wenyilu"], code="P-REC", covers=[org])
    return person


def row(person, **over: str) -> list[str]:
    values = {
        "id_number": person.id_number, "kind": "人大代表", "recommended_on": "2024-03-01",
        "party_org": "P-REC", "opinion": "同意",
    }  # fmt: skip
    values.update(over)
    return list(values.values())


def run(tmp_path, rows, user=None):
    path = write_csv(tmp_path / "recommendations.csv", rows, kind="recommendations")
    return import_file("recommendations", path, user=user)


def test_a_recommendation_is_recorded_and_reimporting_changes_nothing(tmp_path, leader):
    rows = [row(leader), row(leader, kind="劳动模范", opinion="")]
    assert run(tmp_path, rows).created == 2
    stored = Recommendation.objects.get(kind=RecommendationKind.PEOPLES_CONGRESS)
    assert (stored.opinion, stored.party_org.code) == (Opinion.AGREE, "P-REC")
    again = run(tmp_path, rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    exported = list(export_rows("recommendations", unmask=True))
    assert [r[1:] for r in exported] == [  # by date, person, then the kind's code
        ["劳动模范", "2024-03-01", "P-REC", ""],
        ["人大代表", "2024-03-01", "P-REC", "同意"],
    ]
    assert (run(tmp_path, exported).created, run(tmp_path, exported).updated) == (0, 0)


@pytest.mark.parametrize(
    ("over", "column", "value", "message"),
    [
        ({"recommended_on": "2019-12-31"}, "公民身份号码", None, "不是社会组织的负责人或主要出资人"),
        ({"recommended_on": "2025-01-01"}, "公民身份号码", None, "不是社会组织的负责人或主要出资人"),
        ({"kind": "省级劳模"}, "推荐类别", "省级劳模", "不是可选值"),
        ({"opinion": "原则同意"}, "党组织意见", "原则同意", "应为：同意、不同意"),
        ({"party_org": "P-NONE"}, "征求意见党组织编码", "P-NONE", "党组织编码不存在"),
        ({"recommended_on": "2099-01-01"}, "推荐日期", "2099-01-01", "晚于今天"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_naming_row_column_and_value(tmp_path, leader, over, column,
                                                          value, message):  # fmt: skip
    before = table_counts()
    result = run(tmp_path, [row(leader, **over)])
    shown = mask_id_number(leader.id_number) if value is None else value
    assert [(e.row, e.column, e.value) for e in result.errors] == [(2, column, shown)]
    assert message in result.errors[0].message
    assert table_counts() == before


def test_someone_who_only_works_there_is_not_a_leader(tmp_path, leader):
    Employment.objects.filter(person=leader).update(position="staff")
    result = run(tmp_path, [row(leader)])
    assert [e.column for e in result.errors] == ["公民身份号码"]
    Employment.objects.filter(person=leader).update(position="investor")  # 主要出资人
    assert run(tmp_path, [row(leader)]).ok


def test_a_recommendation_outside_the_writer_s_jurisdiction(tmp_path, areas, leader):
    outsider = factories.user("tianxin", role=Role.DISTRICT, area=areas["tianxin"])
    result = run(tmp_path, [row(leader, party_org="")], user=outsider)
    assert [(e.column, e.message) for e in result.errors] == [("公民身份号码", OUTSIDE)]


@pytest.mark.parametrize(
    ("as_of", "opinion", "fires"),
    [
        ("2024-02-29", "", False),  # dated after the day
        ("2024-03-01", "", True),  # on it
        ("2026-11-30", "", True),
        ("2026-11-30", "不同意", False),  # an opinion, whichever
        ("2026-11-30", "同意", False),
    ],
)
def test_the_rule_at_its_boundaries(tmp_path, leader, as_of, opinion, fires):
    assert run(tmp_path, [row(leader, opinion=opinion)]).ok
    found = evaluate(as_of=dt.date.fromisoformat(as_of), rules=[RULE]).findings
    if not fires:
        assert found == []
        return
    [f] = found
    assert (f.subject.type, f.subject.key, f.subject.name) == (
        "person",
        leader.id_masked,
        "协会会长",
    )
    assert f.due == dt.date(2024, 3, 1) and f.area == "430102001"
    assert f.facts == {"kind": "人大代表", "recommended_on": "2024-03-01"}


def test_several_recommendations_of_one_person_sort_by_date(tmp_path, leader):
    rows = [row(leader, kind="劳动模范", recommended_on="2024-06-01", opinion=""),
            row(leader, opinion="")]  # fmt: skip
    assert run(tmp_path, rows).ok
    found = evaluate(as_of=dt.date(2026, 1, 1), rules=[RULE]).findings
    assert [f.facts["recommended_on"] for f in found] == ["2024-03-01", "2024-06-01"]
    # the district sees them; the other district does not
    assert len(evaluate(as_of=dt.date(2026, 1, 1), rules=[RULE], area=None).findings) == 2


@pytest.mark.django_db(transaction=True)
def test_recording_the_opinion_closes_the_finding_at_once(tmp_path, leader):
    assert run(tmp_path, [row(leader, opinion="")]).ok
    record(evaluate(as_of=timezone.localdate()))
    still = FindingRecord.objects.filter(rule=RULE, resolved_on__isnull=True)
    assert still.count() == 1
    assert run(tmp_path, [row(leader, opinion="不同意")]).updated == 1
    assert still.count() == 0
