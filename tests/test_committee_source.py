"""书记来源 (POLICY 五.1), the `committees` kind's own last column: written for a 书记, in
the export and the form; refused for another office or outside the list, with row, column
and value, nothing written."""

from __future__ import annotations

import pytest

from dangjian.imports.export import export_rows
from dangjian.imports.service import import_file
from dangjian.partyorgs.models import CommitteeMembership, SecretarySource
from tests import factories
from tests.importing import table_counts, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(areas):
    factories.party_org(areas["wenyilu"], code="P-SRC")
    return factories.person("书记甲")


def row(person, **over: str) -> list[str]:
    values = {
        "party_org": "P-SRC", "id_number": person.id_number, "role": "书记",
        "started_on": "2024-01-01", "ended_on": "", "full_time": "否", "source": "社会组织负责人兼任",
    }  # fmt: skip
    values.update(over)
    return list(values.values())


def run(tmp_path, rows):
    return import_file("committees", write_csv(tmp_path / "c.csv", rows, kind="committees"))


def test_a_secretary_s_source_is_written_exported_and_changed(tmp_path, holder):
    assert run(tmp_path, [row(holder)]).created == 1
    office = CommitteeMembership.objects.get()
    assert office.source == SecretarySource.LEADER
    assert [r[6] for r in export_rows("committees")] == ["社会组织负责人兼任"]
    changed = run(tmp_path, [row(holder, source="内部选举")])
    assert changed.updated == 1 and changed.changes[0].fields == ["书记来源"]
    blank = run(tmp_path, [row(holder, source="")])  # may be left unknown
    assert blank.updated == 1 and CommitteeMembership.objects.get().source == ""


@pytest.mark.parametrize(
    ("over", "value", "message"),
    [
        ({"role": "委员"}, "社会组织负责人兼任", "只有书记填写书记来源"),
        ({"source": "组织任命"}, "组织任命", "不是可选值，应为：内部选举、社会组织负责人兼任"),
    ],
)
def test_a_source_of_another_office_or_not_in_the_list_is_refused(tmp_path, holder, over,
                                                                   value, message):  # fmt: skip
    before = table_counts()
    result = run(tmp_path, [row(holder, **over)])
    assert [(e.row, e.column, e.value) for e in result.errors] == [(2, "书记来源", value)]
    assert message in result.errors[0].message
    assert table_counts() == before
