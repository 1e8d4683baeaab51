"""The `instructor-visits` kind (docs/cadres.md; POLICY 三.2): an instructor's visit to an
organization they are assigned to, and what came of it — written by the instructor's own
account (their own visits only) or an area officer, exported and re-imported unchanged;
refused input named by row, column and value, nothing written."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.accounts.models import Role
from dangjian.cadres.models import InstructorVisit
from dangjian.imports.export import export_rows
from dangjian.imports.service import import_file
from dangjian.imports.writers import OUTSIDE, may_write
from dangjian.partyorgs.models import Instructor, InstructorAssignment
from tests import factories
from tests.importing import table_counts, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(areas):
    org = factories.org(areas["wenyilu"], name="芙蓉区无党员协会")
    person = factories.person("指导员甲")
    instructor = Instructor.objects.create(person=person, source="retired_cadre")
    InstructorAssignment.objects.create(
        instructor=instructor, org=org, started_on=dt.date(2025, 3, 1),
        ended_on=dt.date(2026, 3, 1),
    )  # fmt: skip
    return person, org, instructor


def row(assigned, **over):
    person, org, _ = assigned
    values = {
        "id_number": person.id_number, "uscc": org.uscc, "visited_on": "2025-06-10",
        "content": "宣讲党建政策", "union_set_up": "是", "youth_league_set_up": "否",
        "activists": "2", "members_found": "1",
    }  # fmt: skip
    values.update(over)
    return list(values.values())


def run(tmp_path, rows, user=None):
    path = write_csv(tmp_path / "v.csv", rows, kind="instructor-visits")
    return import_file("instructor-visits", path, user=user)


def test_a_visit_is_written_exported_and_reimported_unchanged(tmp_path, assigned):
    assert run(tmp_path, [row(assigned)]).created == 1
    visit = InstructorVisit.objects.get()
    assert (visit.union_set_up, visit.youth_league_set_up, visit.activists) == (True, False, 2)
    exported = list(export_rows("instructor-visits", unmask=True))
    assert exported == [row(assigned)]
    again = run(tmp_path, exported)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    blank = run(tmp_path, [row(assigned, union_set_up="", activists="")])
    assert blank.updated == 1 and InstructorVisit.objects.get().activists == 0


@pytest.mark.parametrize(
    ("over", "column", "value", "message"),
    [
        ({"visited_on": "2025-02-28"}, "走访日期", "2025-02-28", "未派驻到该社会组织"),
        ({"visited_on": "2026-03-01"}, "走访日期", "2026-03-01", "未派驻到该社会组织"),
        ({"activists": "-1"}, "发现入党积极分子人数", "-1", "应在0到10000之间"),
        ({"union_set_up": "建立了"}, "帮助建立工会", "建立了", "应为「是」或「否」"),
    ],
)
def test_bad_input_is_refused_naming_row_column_and_value(tmp_path, assigned, over, column,
                                                          value, message):  # fmt: skip
    before = table_counts()
    result = run(tmp_path, [row(assigned, **over)])
    assert [(e.row, e.column, e.value) for e in result.errors] == [(2, column, value)]
    assert message in result.errors[0].message
    assert table_counts() == before


def test_someone_who_is_no_instructor(tmp_path, assigned):
    other = factories.person("非指导员")
    result = run(tmp_path, [row(assigned, id_number=other.id_number)])
    assert [(e.column, e.message) for e in result.errors] == [
        ("指导员公民身份号码", "不是党建工作指导员（请先导入指导员派驻）")
    ]


def test_an_instructor_records_their_own_visits_only(tmp_path, areas, assigned):
    _person, org, instructor = assigned
    user = factories.user("zhidaoyuan", role=Role.INSTRUCTOR, instructor=instructor)
    assert may_write(user, "instructor-visits") and not may_write(user, "trainings")
    assert run(tmp_path, [row(assigned)], user=user).ok
    colleague = Instructor.objects.create(person=factories.person("指导员乙"), source="organ")
    InstructorAssignment.objects.create(
        instructor=colleague, org=org, started_on=dt.date(2025, 1, 1)
    )
    result = run(tmp_path, [row(assigned, id_number=colleague.person.id_number)], user=user)
    assert [(e.column, e.message) for e in result.errors] == [
        ("指导员公民身份号码", "只能记录本人的走访")
    ]
    outsider = factories.user("tianxin", role=Role.DISTRICT, area=areas["tianxin"])
    result = run(tmp_path, [row(assigned, visited_on="2025-07-01")], user=outsider)
    assert [(e.column, e.message) for e in result.errors] == [("统一社会信用代码", OUTSIDE)]
