"""The `trainings` kind (CONTRACT.md, "Party work: the further import kinds"; docs/cadres.md):
every bad input of issue 16 refused with row, column and value (an identity number masked),
nothing written; a class of several trainees; re-importing changes nothing; a trainee outside
the writer's jurisdiction is refused as every kind refuses it; the export masks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dangjian.accounts.models import Role
from dangjian.cadres.models import Training, TrainingKind
from dangjian.imports.export import export_rows
from dangjian.imports.service import import_file
from dangjian.imports.writers import OUTSIDE
from dangjian.lib.codes import mask_id_number
from tests import factories
from tests.importing import table_counts, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def branch(areas):
    return factories.party_org(areas["wenyilu"], code="P-TR")


@pytest.fixture
def trainees(branch):
    return [factories.member(None, relation=branch) for _ in range(3)]


def row(person, **over: str) -> list[str]:
    values = {
        "id_number": person.id_number if person is not None else "", "name": "2025年书记示范培训班",
        "kind": "集中培训", "organizer": "长沙市委党校", "started_on": "2025-05-06",
        "ended_on": "2025-05-10", "days": "5",
    }  # fmt: skip
    values.update(over)
    return list(values.values())


def run(tmp_path, rows, user=None, **kwargs):
    path = write_csv(tmp_path / "trainings.csv", rows, kind="trainings")
    return import_file("trainings", path, user=user, **kwargs)


def refused(tmp_path, rows, column, value, message, user=None):
    before = table_counts()
    result = run(tmp_path, rows, user=user)
    assert not result.ok
    assert [(e.row, e.column, e.value) for e in result.errors] == [(2, column, value)], [
        str(e) for e in result.errors
    ]
    assert message in result.errors[0].message
    assert table_counts() == before


def test_a_class_is_one_row_per_trainee_and_reimporting_changes_nothing(tmp_path, trainees):
    rows = [row(p) for p in trainees]
    result = run(tmp_path, rows)
    assert result.ok and result.created == 3
    stored = Training.objects.get(person=trainees[0])
    assert (stored.kind, stored.days, stored.ended_on) == (
        TrainingKind.CENTRALIZED,
        Decimal("5.0"),
        dt.date(2025, 5, 10),
    )
    again = run(tmp_path, rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    changed = run(tmp_path, [row(trainees[0], days="4.5", kind="任职培训")])
    assert changed.updated == 1 and changed.changes[0].fields == ["培训类别", "培训天数"]
    assert stored.history.count() == 2


@pytest.mark.parametrize(
    ("over", "column", "value", "message"),
    [
        ({"days": "6"}, "培训天数", "6", "超过开始日期至结束日期的天数（5天）"),
        ({"days": "0"}, "培训天数", "0", "应大于0"),
        ({"days": "2.25"}, "培训天数", "2.25", "最多一位小数"),
        ({"days": "两天"}, "培训天数", "两天", "应为大于0的数"),
        ({"ended_on": "2025-05-05"}, "结束日期", "2025-05-05", "早于开始日期 2025-05-06"),
        ({"kind": "专题培训"}, "培训类别", "专题培训", "不是可选值，应为：集中培训、任职培训、其他"),
        ({"started_on": "2099-01-01", "ended_on": "2099-01-02", "days": "1"}, "开始日期",
         "2099-01-01", "晚于今天"),
        ({"name": ""}, "培训名称", "", "必填"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_naming_row_column_and_value(tmp_path, trainees, over, column,
                                                          value, message):  # fmt: skip
    refused(tmp_path, [row(trainees[0], **over)], column, value, message)


def test_a_trainee_who_is_not_a_known_person(tmp_path, trainees):
    unknown = factories.id_number_for(998)
    masked = mask_id_number(unknown)
    refused(tmp_path, [row(None, id_number=unknown)], "公民身份号码", masked, "不是已登记的人员")


def test_the_same_trainee_training_and_start_twice_in_a_file(tmp_path, trainees):
    result = run(tmp_path, [row(trainees[0]), row(trainees[0], days="4")])
    assert [(e.row, e.column, e.message) for e in result.errors] == [(3, "开始日期", "与第2行重复")]
    assert not Training.objects.exists()


def test_a_trainee_outside_the_writer_s_jurisdiction(tmp_path, areas, trainees):
    outsider = factories.user("tianxin", role=Role.DISTRICT, area=areas["tianxin"])
    refused(
        tmp_path, [row(trainees[0])], "公民身份号码", mask_id_number(trainees[0].id_number),
        OUTSIDE, user=outsider,
    )  # fmt: skip
    officer = factories.user("wenyilu", role=Role.TOWNSHIP, area=areas["wenyilu"])
    assert run(tmp_path, [row(trainees[0])], user=officer).ok


def test_the_export_masks_unless_asked_and_round_trips(tmp_path, trainees):
    run(tmp_path, [row(trainees[0], days="4.5"), row(trainees[1], name="任职培训班",
                                                      kind="任职培训")])  # fmt: skip
    masked = list(export_rows("trainings"))
    assert [(r[0], r[1]) for r in masked] == [  # by start, then name
        (mask_id_number(trainees[0].id_number), "2025年书记示范培训班"),
        (mask_id_number(trainees[1].id_number), "任职培训班"),
    ]
    assert {r[6] for r in masked} == {"4.5", "5"}
    full = list(export_rows("trainings", unmask=True))
    assert {r[0] for r in full} == {trainees[0].id_number, trainees[1].id_number}
    again = run(tmp_path, full)
    assert (again.created, again.updated) == (0, 0)
