"""Party workers (党务工作者, POLICY 五.2) and their allowances (津贴): the project's own
`party-workers` and `worker-allowances` kinds (docs/cadres.md) — written, exported, refused
with row, column and value — and a full-time worker held to CAD-WORKER-TRAINING like a
committee member."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dangjian.cadres.models import PartyWorker, Training, WorkerAllowance
from dangjian.compliance.engine import evaluate
from dangjian.imports.export import export_rows
from dangjian.imports.service import import_file
from dangjian.lib.codes import mask_id_number
from tests import factories
from tests.importing import table_counts, write_csv

pytestmark = pytest.mark.django_db
D = dt.date(2026, 11, 30)


@pytest.fixture
def worker(areas):
    factories.party_org(areas["wenyilu"], code="P-WK", founded_on=dt.date(2016, 1, 1))
    return factories.person("专职党务甲")


def run(tmp_path, kind, rows):
    return import_file(kind, write_csv(tmp_path / f"{kind}.csv", rows, kind=kind))


def worker_row(person, **over):
    values = {"party_org": "P-WK", "id_number": person.id_number, "full_time": "是",
              "started_on": "2024-03-01", "ended_on": ""}  # fmt: skip
    values.update(over)
    return list(values.values())


def allowance_row(person, **over):
    values = {"party_org": "P-WK", "id_number": person.id_number, "year": "2025",
              "amount": "3600"}  # fmt: skip
    values.update(over)
    return list(values.values())


def test_a_worker_and_their_allowances_are_written_exported_and_reimported(tmp_path, worker):
    assert run(tmp_path, "party-workers", [worker_row(worker)]).created == 1
    assert run(tmp_path, "worker-allowances", [allowance_row(worker),
               allowance_row(worker, year="2024", amount="1800.5")]).created == 2  # fmt: skip
    assert PartyWorker.objects.get().full_time is True
    assert WorkerAllowance.objects.get(year=2024).amount == Decimal("1800.50")
    assert list(export_rows("worker-allowances", unmask=True)) == [
        ["P-WK", worker.id_number, "2024", "1800.50"],
        ["P-WK", worker.id_number, "2025", "3600.00"],
    ]
    for kind in ("party-workers", "worker-allowances"):
        rows = list(export_rows(kind, unmask=True))
        again = run(tmp_path, kind, rows)
        assert (again.created, again.updated) == (0, 0), kind
    assert [r[1] for r in export_rows("party-workers")] == [mask_id_number(worker.id_number)]


@pytest.mark.parametrize(
    ("kind", "over", "column", "value", "message"),
    [
        ("party-workers", {"full_time": "全职"}, "是否专职", "全职", "应为「是」或「否」"),
        ("party-workers", {"started_on": "2015-12-31"}, "开始日期", "2015-12-31",
         "早于党组织成立日期 2016-01-01"),
        ("party-workers", {"ended_on": "2024-02-01"}, "结束日期", "2024-02-01",
         "早于开始日期 2024-03-01"),
        ("party-workers", {"party_org": "P-NONE"}, "党组织编码", "P-NONE", "党组织编码不存在"),
        ("worker-allowances", {"year": "2023"}, "年度", "2023",
         "该年度不是本党组织的党务工作者"),
        ("worker-allowances", {"amount": "-1"}, "津贴金额(元)", "-1", "应为金额"),
        ("worker-allowances", {"amount": "12.345"}, "津贴金额(元)", "12.345", "最多两位小数"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_naming_row_column_and_value(tmp_path, worker, kind, over, column,
                                                          value, message):  # fmt: skip
    if kind == "worker-allowances":
        assert run(tmp_path, "party-workers", [worker_row(worker)]).ok
    before = table_counts()
    make = worker_row if kind == "party-workers" else allowance_row
    result = run(tmp_path, kind, [make(worker, **over)])
    assert [(e.row, e.column, e.value) for e in result.errors] == [(2, column, value)]
    assert message in result.errors[0].message
    assert table_counts() == before


@pytest.mark.parametrize(
    ("full_time", "started", "ended", "fires"),
    [
        ("是", "2025-06-30", "", True),
        ("是", "2025-07-01", "", False),  # started after the year's 06-30
        ("是", "2024-01-01", "2025-12-31", False),  # no longer a worker on 12-31
        ("否", "2024-01-01", "", False),  # part-time: not held to the rule
    ],
)
def test_a_full_time_worker_outside_the_committee_trains_each_year(tmp_path, worker, full_time,
                                                                    started, ended, fires):  # fmt: skip
    row = worker_row(worker, full_time=full_time, started_on=started, ended_on=ended)
    assert run(tmp_path, "party-workers", [row]).ok
    found = evaluate(as_of=D, rules=["CAD-WORKER-TRAINING"]).findings
    assert [(f.subject.name, f.facts) for f in found] == (
        [("专职党务甲", {"year": 2025, "party_org": "P-WK"})] if fires else []
    )
    if fires:
        assert "专职党务工作者2025年度未参加集中培训" in found[0].message
        Training.objects.create(
            person=worker, name="党务培训", kind="centralized", organizer="区党工委",
            started_on=dt.date(2025, 9, 1), ended_on=dt.date(2025, 9, 1), days=1,
        )  # fmt: skip
        assert evaluate(as_of=D, rules=["CAD-WORKER-TRAINING"]).findings == []


def test_a_worker_who_is_also_a_committee_member_is_found_once(tmp_path, worker):
    from dangjian.partyorgs.models import PartyOrganization

    po = PartyOrganization.objects.get(code="P-WK")
    factories.office(po, worker, role="member", started_on=dt.date(2024, 1, 1))
    assert run(tmp_path, "party-workers", [worker_row(worker)]).ok
    found = evaluate(as_of=D, rules=["CAD-WORKER-TRAINING"]).findings
    assert len(found) == 1
