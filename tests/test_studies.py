"""The `studies` kind and rule MGT-STUDY (CONTRACT.md; POLICY 二.3): a district's Party
committee or a supervisory unit's Party organization studies the Party building of social
organizations at least once a year. The body named by code, by name and by the names of its
Party committee; refused input naming row, column and value, nothing written; the rule's
subjects (each district, each supervisory unit supervising an active organization) and year;
the task of a district assigned to its officer; recording a study closes it at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.bodies.models import TopicStudy
from dangjian.compliance.engine import evaluate, record
from dangjian.compliance.models import FindingRecord
from dangjian.imports.export import export_rows
from dangjian.imports.kinds.bodies import NEITHER
from dangjian.imports.service import import_file
from dangjian.tasks.models import Task
from tests import factories
from tests.importing import table_counts, write_csv

pytestmark = pytest.mark.django_db
RULE = "MGT-STUDY"
D = dt.date(2026, 11, 30)  # the last closed year: 2025


@pytest.fixture
def education(areas):
    unit = factories.supervisory_unit("长沙市教育局", areas["city"])
    factories.org(areas["wenyilu"], registration_mode="supervised", supervisor=unit)
    return unit


def run(tmp_path, rows, user=None):
    return import_file("studies", write_csv(tmp_path / "s.csv", rows, kind="studies"), user=user)


@pytest.mark.parametrize("body", ["芙蓉区", "430102", "芙蓉区委", "中共芙蓉区委"])
def test_a_district_by_code_name_or_its_committee(tmp_path, areas, body):
    assert run(tmp_path, [[body, "2025-04-01", "研究社会组织党建工作"]]).created == 1
    study = TopicStudy.objects.get()
    assert (study.area, study.unit) == (areas["furong"], None)


@pytest.mark.parametrize("body", ["长沙市教育局", "长沙市教育局党委", "中共长沙市教育局党组"])
def test_a_supervisory_unit_by_its_name(tmp_path, education, body):
    assert run(tmp_path, [[body, "2025-04-01", "研究行业协会党建"]]).created == 1
    assert TopicStudy.objects.get().unit == education


def test_reimporting_the_export_changes_nothing(tmp_path, areas, education):
    rows = [["芙蓉区", "2025-04-01", "甲"], ["长沙市教育局", "2025-05-01", "乙"]]
    assert run(tmp_path, rows).created == 2
    exported = list(export_rows("studies"))
    assert exported == [["430102", "2025-04-01", "甲"], ["长沙市教育局", "2025-05-01", "乙"]]
    again = run(tmp_path, exported)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = run(tmp_path, [["芙蓉区", "2025-04-01", "甲（修订）"]])
    assert changed.updated == 1


@pytest.mark.parametrize(
    ("body", "held_on", "column", "message"),
    [
        ("文艺路街道", "2025-04-01", "研究主体", NEITHER),  # a township is no body
        ("长沙市民政局", "2025-04-01", "研究主体", NEITHER),  # not a supervisory unit
        ("430102001", "2025-04-01", "研究主体", "不是区县(市)"),
        ("芙蓉区", "2099-01-01", "研究日期", "晚于今天"),
    ],
)
def test_bad_input_is_refused_naming_row_column_and_value(tmp_path, areas, body, held_on,
                                                          column, message):  # fmt: skip
    factories.unit("长沙市民政局", "civil_affairs", areas["city"])
    before = table_counts()
    result = run(tmp_path, [[body, held_on, "研究"]])
    value = body if column == "研究主体" else held_on
    assert [(e.row, e.column, e.value) for e in result.errors] == [(2, column, value)]
    assert message in result.errors[0].message
    assert table_counts() == before


def test_a_district_officer_writes_studies_of_their_district_only(tmp_path, areas):
    officer = factories.user("furong", role=Role.DISTRICT, area=areas["furong"])
    assert run(tmp_path, [["芙蓉区", "2025-04-01", "研究"]], user=officer).ok
    result = run(tmp_path, [["天心区", "2025-04-01", "研究"]], user=officer)
    assert [(e.column, e.message) for e in result.errors] == [
        ("研究主体", "「天心区」不在您的管辖范围（芙蓉区）内")
    ]


# The rule ----------------------------------------------------------------------------------------


def test_each_district_and_supervising_unit_without_a_study_last_year(areas, education):
    idle = factories.supervisory_unit("长沙市体育局", areas["city"])  # supervises nothing
    found = evaluate(as_of=D, rules=[RULE]).findings
    assert [(f.subject.type, f.subject.key, f.area, f.due, f.facts) for f in found] == [
        ("area", "430102", "430102", dt.date(2025, 12, 31), {"year": 2025}),
        ("area", "430103", "430103", dt.date(2025, 12, 31), {"year": 2025}),
        ("unit", "长沙市教育局", "430100", dt.date(2025, 12, 31), {"year": 2025}),
    ]
    assert found[0].subject.name == "芙蓉区"
    assert "2025年度未专题研究社会组织党建工作" in found[0].message
    assert idle.pk not in {f.subject.pk for f in found if f.subject.type == "unit"}
    # A district sees its own; a township none of the districts'.
    furong = evaluate(as_of=D, rules=[RULE], area=areas["furong"]).findings
    assert [f.subject.key for f in furong] == ["430102"]
    assert evaluate(as_of=D, rules=[RULE], area=areas["wenyilu"]).findings == []


@pytest.mark.parametrize(
    ("held_on", "satisfied"),
    [("2024-12-31", False), ("2025-01-01", True), ("2025-12-31", True), ("2026-01-01", False)],
)
def test_only_a_study_of_the_last_closed_year_counts(areas, held_on, satisfied):
    TopicStudy.objects.create(area=areas["furong"], held_on=held_on, topic="研究")
    keys = [f.subject.key for f in evaluate(as_of=D, rules=[RULE]).findings]
    assert ("430102" not in keys) is satisfied and "430103" in keys


def test_a_supervising_unit_whose_organizations_are_gone_is_not_asked(areas, education):
    from dangjian.orgs.models import SocialOrganization

    SocialOrganization.objects.update(status="deregistered", status_changed_on=D)
    units = [f for f in evaluate(as_of=D, rules=[RULE]).findings if f.subject.type == "unit"]
    assert units == []


@pytest.mark.django_db(transaction=True)
def test_the_district_s_task_goes_to_its_officer_and_a_study_closes_it(tmp_path, areas):
    officer = factories.user("furong", role=Role.DISTRICT, area=areas["furong"])
    record(evaluate(as_of=timezone.localdate()))
    year = timezone.localdate().year - 1
    task = Task.objects.get(finding__rule=RULE, finding__subject_key="430102")
    assert task.assignee == officer and task.subject_type == "area"
    still = FindingRecord.objects.filter(rule=RULE, subject_key="430102", resolved_on__isnull=True)
    assert still.exists()
    assert run(tmp_path, [["芙蓉区", f"{year}-06-01", "研究"]], user=officer).ok
    assert not still.exists()
    assert FindingRecord.objects.filter(rule=RULE, subject_key="430103", resolved_on__isnull=True)
