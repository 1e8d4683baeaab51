"""The `dues` and `dues-returns` kinds (CONTRACT.md, "Party work: the further import kinds")
and `funds` (docs/dues.md): every bad input refused with row, column and value and nothing
written; the amount due of the export at every bracket edge, from the policy's settings;
re-importing and export → import change nothing; the writer's bounds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dangjian.accounts.models import Role
from dangjian.compliance.policy import load
from dangjian.dues.amounts import amount_due
from dangjian.dues.models import DuesCategory, DuesPayment, DuesReturn, Fund
from dangjian.imports.export import export_rows, headers
from dangjian.imports.models import ImportBatch
from dangjian.imports.service import import_file
from dangjian.imports.undo import batch_undo
from dangjian.imports.writers import OUTSIDE
from dangjian.lib.codes import mask_id_number
from dangjian.partyorgs.models import PartyOrgForm, PartyOrgLevel
from tests import factories
from tests.importing import table_counts, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def branch(areas):
    org = factories.org(areas["wenyilu"])
    po = factories.party_org(areas["wenyilu"], code="P-DUES", covers=[org])
    po.covered_org = org  # type: ignore[attr-defined]
    return po


@pytest.fixture
def members(branch):
    """Three members whose relation the branch holds, since 2010."""
    return [factories.member(branch.covered_org, relation=branch) for _ in range(3)]


def row(person, **over: str) -> list[str]:
    values = {
        "id_number": person.id_number if person is not None else "", "month": "2026-03",
        "category": "在职", "base": "4000", "paid": "40.00", "paid_on": "2026-03-10", "due": "",
    }  # fmt: skip
    values.update(over)
    return list(values.values())


def run(tmp_path, rows, user=None, kind="dues", **kwargs):
    path = write_csv(tmp_path / f"{kind}.csv", rows, kind=kind)
    return import_file(kind, path, user=user, **kwargs)


def refused(tmp_path, rows, column, value, message, user=None, kind="dues", line=2):
    before = table_counts()
    result = run(tmp_path, rows, user=user, kind=kind)
    assert not result.ok
    assert [(e.row, e.column, e.value) for e in result.errors] == [(line, column, value)], [
        str(e) for e in result.errors
    ]
    assert message in result.errors[0].message, result.errors[0].message
    assert table_counts() == before


def test_a_month_of_dues_is_written_and_reimporting_changes_nothing(tmp_path, members):
    rows = [row(p) for p in members]
    result = run(tmp_path, rows)
    assert result.ok and result.created == 3, [str(e) for e in result.errors]
    stored = DuesPayment.objects.get(person=members[0])
    assert (stored.month, stored.category, stored.base, stored.paid, stored.paid_on) == (
        dt.date(2026, 3, 1), DuesCategory.EMPLOYED, Decimal("4000"), Decimal("40"),
        dt.date(2026, 3, 10),
    )  # fmt: skip
    again = run(tmp_path, rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    changed = run(tmp_path, [row(members[0], paid="20.00")])
    assert changed.updated == 1 and changed.changes[0].fields == ["实缴金额"]
    assert stored.history.count() == 2
    # The next month is another record (key: person + month).
    assert run(tmp_path, [row(members[0], month="2026-04", paid_on="2026-04-02")]).created == 1


@pytest.mark.parametrize(
    ("over", "column", "value", "message"),
    [
        ({"month": "2026-13"}, "月份", "2026-13", "月份不存在"),
        ({"month": "2026-00"}, "月份", "2026-00", "月份不存在"),
        ({"month": "2026年3月"}, "月份", "2026年3月", "YYYY-MM"),
        ({"month": "2026-03-05"}, "月份", "2026-03-05", "YYYY-MM"),
        ({"month": ""}, "月份", "", "必填"),
        ({"category": "学生", "base": "4000"}, "计缴基数", "4000", "不填写"),
        ({"category": "失业或低保", "base": "0"}, "计缴基数", "0", "不填写"),
        ({"category": "在职", "base": ""}, "计缴基数", "", "人员类别为「在职」时必填"),
        ({"category": "离退休", "base": ""}, "计缴基数", "", "人员类别为「离退休」时必填"),
        ({"category": "退休"}, "人员类别", "退休", "不是可选值"),
        ({"paid": "40.005"}, "实缴金额", "40.005", "最多两位小数"),
        ({"base": "4000.123"}, "计缴基数", "4000.123", "最多两位小数"),
        ({"paid": "-1"}, "实缴金额", "-1", "应为金额"),
        ({"base": "-0.01"}, "计缴基数", "-0.01", "应为金额"),
        ({"paid": ""}, "实缴金额", "", "必填"),
        ({"paid_on": ""}, "缴纳日期", "", "实缴金额大于0时必填"),
        ({"paid": "0", "paid_on": "2026-03-10"}, "缴纳日期", "2026-03-10", "实缴金额为0时不填写"),
        ({"paid_on": "2099-01-01"}, "缴纳日期", "2099-01-01", "晚于今天"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_naming_row_column_and_value(tmp_path, members, over, column,
                                                          value, message):  # fmt: skip
    refused(tmp_path, [row(members[0], **over)], column, value, message)


def test_the_flat_categories_and_a_zero_payment_are_accepted(tmp_path, members):
    result = run(tmp_path, [
        row(members[0], category="学生", base="", paid="0.20"),
        row(members[1], category="失业或低保", base="", paid="0", paid_on=""),
        row(members[2], category="离退休", base="5000.01", paid="50.00"),
    ])  # fmt: skip
    assert result.ok, [str(e) for e in result.errors]
    assert DuesPayment.objects.get(person=members[1]).paid == 0


def test_one_bad_row_and_nothing_is_written(tmp_path, members):
    before = table_counts()
    result = run(tmp_path, [row(members[0]), row(members[1], month="2026-13")])
    assert [(e.row, e.column) for e in result.errors] == [(3, "月份")]
    assert table_counts() == before


def test_who_pays_a_member_on_the_first_day_or_admitted_in_the_month(tmp_path, branch):
    late = factories.member(
        branch.covered_org, relation=branch, joined_on=dt.date(2026, 3, 31), confirmed_on=None
    )
    assert run(tmp_path, [row(late)]).ok  # admitted on the month's last day
    masked = mask_id_number(late.id_number)
    refused(tmp_path, [row(late, month="2026-02", paid_on="2026-02-10")], "公民身份号码", masked,
            "入党日期为 2026-03-31，2026-02 时还不是党员")  # fmt: skip
    staff = factories.person("群众")
    factories.employ(staff, branch.covered_org)
    refused(tmp_path, [row(staff)], "公民身份号码", mask_id_number(staff.id_number), "不是党员")
    unknown = factories.id_number_for(996)
    refused(tmp_path, [row(None, id_number=unknown)], "公民身份号码", mask_id_number(unknown),
            "不是已登记的人员")  # fmt: skip


def test_the_same_member_and_month_twice(tmp_path, members):
    result = run(tmp_path, [row(members[0]), row(members[0], paid="10")])
    assert [(e.row, e.column, e.message) for e in result.errors] == [(3, "月份", "与第2行重复")]


# The amount due: computed from the policy's brackets, in the export only ---------------------

EDGES = [
    ("在职", "3000", "15.00"), ("在职", "3000.01", "30.00"), ("在职", "5000", "50.00"),
    ("在职", "5000.01", "75.00"), ("在职", "10000", "150.00"), ("在职", "10000.01", "200.00"),
    ("在职", "0", "0.00"), ("在职", "999.99", "5.00"), ("在职", "2999.99", "15.00"),
    ("离退休", "5000", "25.00"), ("离退休", "5000.01", "50.00"), ("离退休", "1000.10", "5.00"),
    ("学生", "", "0.20"), ("失业或低保", "", "0.20"),
]  # fmt: skip


def test_the_export_computes_the_amount_due_at_every_bracket_edge(tmp_path, branch):
    people = [factories.member(branch.covered_org, relation=branch)
              for _ in range(len(EDGES))]  # fmt: skip
    rows = [
        row(p, category=c, base=b, paid="1.00") for p, (c, b, _) in zip(people, EDGES, strict=True)
    ]
    assert run(tmp_path, rows).ok
    assert headers("dues")[-1] == "应缴金额"
    exported = {r[0]: r for r in export_rows("dues", unmask=True)}
    for person, (category, base, due) in zip(people, EDGES, strict=True):
        line = exported[person.id_number]
        assert (line[2], line[3], line[6]) == (
            category,
            f"{Decimal(base):.2f}" if base else "",
            due,
        )
    # the computation is the policy's, not a literal of the export
    policy = load()
    assert amount_due(policy, "employed", Decimal("3000.01")) == Decimal("30.00")


def test_the_amount_due_follows_the_policy_file(tmp_path, settings, branch, monkeypatch):
    """A revised bracket (a policy file of the city's own) changes the export's 应缴金额."""
    from dangjian.compliance import policy as policy_module

    text = policy_module.DEFAULT_FILE.read_text(encoding="utf-8")
    revised = text.replace('{up_to = 3000, rate = "0.005"}', '{up_to = 3500, rate = "0.005"}')
    assert revised != text
    path = tmp_path / "policy.toml"
    path.write_text(revised, encoding="utf-8")
    person = factories.member(branch.covered_org, relation=branch)
    assert run(tmp_path, [row(person, base="3200", paid="32.00")]).ok
    assert next(iter(export_rows("dues")))[6] == "32.00"
    monkeypatch.setenv("DANGJIAN_POLICY_FILE", str(path))
    policy_module.load.cache_clear()
    try:
        assert next(iter(export_rows("dues")))[6] == "16.00"
    finally:
        monkeypatch.delenv("DANGJIAN_POLICY_FILE")
        policy_module.load.cache_clear()


def test_export_round_trips_and_the_amount_due_is_ignored_on_import(tmp_path, members):
    run(tmp_path, [row(members[0]), row(members[1], category="学生", base="", paid="0.20"),
                   row(members[2], paid="0", paid_on="")])  # fmt: skip
    masked = list(export_rows("dues"))
    assert {r[0] for r in masked} == {mask_id_number(p.id_number) for p in members}
    full = list(export_rows("dues", unmask=True))
    again = run(tmp_path, full)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    tampered = [[*r[:-1], "9999"] for r in full]  # 应缴金额 is the export's, never imported
    assert run(tmp_path, tampered).unchanged == 3
    xlsx = write_xlsx(tmp_path / "dues.xlsx", [headers("dues"), *full])
    assert import_file("dues", xlsx).unchanged == 3
    assert list(export_rows("dues", unmask=True)) == full


def test_an_import_is_undone(tmp_path, members):
    root = factories.user("root", is_superuser=True, is_staff=True)
    run(tmp_path, [row(p) for p in members])
    changed = run(tmp_path, [row(members[0], paid="1.00")])
    assert DuesPayment.objects.get(person=members[0]).paid == Decimal("1.00")
    batch_undo(user=root, batch=ImportBatch.objects.order_by("-pk")[0])
    assert changed.updated == 1
    assert DuesPayment.objects.get(person=members[0]).paid == Decimal("40.00")
    batch_undo(user=root, batch=ImportBatch.objects.order_by("-pk")[1])
    assert DuesPayment.objects.count() == 0


def test_the_writer_s_bounds(tmp_path, areas, members, branch):
    pozi = factories.user("pozi", role=Role.TOWNSHIP, area=areas["pozi"])
    result = run(tmp_path, [row(members[0])], user=pozi)
    assert [(e.column, e.value) for e in result.errors] == [
        ("公民身份号码", mask_id_number(members[0].id_number))
    ]
    assert result.errors[0].message == OUTSIDE  # as for a stored record outside (permissions.md)
    assert DuesPayment.objects.count() == 0
    secretary = factories.user("sec", role=Role.ORG, party_org=branch)
    assert run(tmp_path, [row(members[0])], user=secretary).ok


# dues-returns and funds ----------------------------------------------------------------------


def return_row(**over: str) -> list[str]:
    values = {"party_org": "P-DUES", "year": "2025", "paid_up": "1200.00", "returned": "1200.00",
              "returned_on": "2026-02-15"}  # fmt: skip
    values.update(over)
    return list(values.values())


def test_a_return_is_written_and_round_trips(tmp_path, branch):
    result = run(tmp_path, [return_row(), return_row(year="2024", returned="0", returned_on="")],
                 kind="dues-returns")  # fmt: skip
    assert result.ok and result.created == 2, [str(e) for e in result.errors]
    stored = DuesReturn.objects.get(party_org=branch, year=2025)
    assert (stored.paid_up, stored.returned, stored.returned_on) == (
        Decimal("1200"),
        Decimal("1200"),
        dt.date(2026, 2, 15),
    )
    exported = list(export_rows("dues-returns"))
    assert exported[0] == ["P-DUES", "2024", "1200.00", "0.00", ""]
    again = run(tmp_path, exported, kind="dues-returns")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


@pytest.mark.parametrize(
    ("over", "column", "value", "message"),
    [
        ({"returned_on": ""}, "返还日期", "", "返还金额大于0时必填"),
        ({"returned": "0"}, "返还日期", "2026-02-15", "返还金额为0时不填写"),
        ({"returned_on": "2024-12-31"}, "返还日期", "2024-12-31", "早于2025年度"),
        ({"returned_on": "2099-01-01"}, "返还日期", "2099-01-01", "晚于今天"),
        ({"paid_up": "1.001"}, "上缴金额", "1.001", "最多两位小数"),
        ({"returned": "-5"}, "返还金额", "-5", "应为金额"),
        ({"year": "二〇二五"}, "年度", "二〇二五", "应为整数"),
        ({"year": "2099", "returned_on": ""  , "returned": "0"}, "年度", "2099", "晚于今年"),
        ({"party_org": "P-NONE"}, "党组织编码", "P-NONE", "党组织编码不存在"),
    ],
)  # fmt: skip
def test_bad_returns_are_refused(tmp_path, branch, over, column, value, message):
    refused(tmp_path, [return_row(**over)], column, value, message, kind="dues-returns")


def test_a_return_of_a_township_party_org_is_refused(tmp_path, areas, branch):
    factories.party_org(areas["wenyilu"], code="P-TOWN", form=PartyOrgForm.TOWNSHIP,
                        level=PartyOrgLevel.COMMITTEE)  # fmt: skip
    refused(tmp_path, [return_row(party_org="P-TOWN")], "党组织编码", "P-TOWN",
            "不是社会组织党组织", kind="dues-returns")  # fmt: skip
    other = factories.party_org(areas["pozi"], code="P-POZI")
    assert other.pk
    secretary = factories.user("sec", role=Role.ORG, party_org=branch)
    refused(tmp_path, [return_row(party_org="P-POZI")], "党组织编码", "P-POZI",
            "党组织编码不存在", kind="dues-returns", user=secretary)  # fmt: skip


def test_funds_by_source(tmp_path, branch):
    rows = [["P-DUES", "2025", "税前列支", "12000"], ["P-DUES", "2025", "党费扶持", "3000.50"],
            ["P-DUES", "2026", "税前列支", "15000"]]  # fmt: skip
    result = run(tmp_path, rows, kind="funds")
    assert result.ok and result.created == 3, [str(e) for e in result.errors]
    assert Fund.objects.get(year=2025, source="dues_support").amount == Decimal("3000.50")
    again = run(tmp_path, list(export_rows("funds")), kind="funds")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    refused(tmp_path, [["P-DUES", "2025", "赞助", "1"]], "经费来源", "赞助", "不是可选值",
            kind="funds")  # fmt: skip
    result = run(tmp_path, [rows[0], rows[0]], kind="funds")
    assert [(e.row, e.column) for e in result.errors] == [(3, "经费来源")]


def test_a_file_of_several_months_creates_updates_and_keeps_by_exact_key(tmp_path, members):
    """The write reads the stored rows of the batch's (person, month) keys only: a member's
    other stored months are neither changed nor counted; each created row has its own "+"
    history row (PostgreSQL finds the new keys again, SQLite takes their range)."""

    def month_row(person, month, paid="40.00"):
        return row(person, month=month, paid=paid, paid_on=f"{month}-05")

    first = [month_row(p, m) for p in members for m in ("2026-01", "2026-02", "2026-03")]
    assert run(tmp_path, first).created == 9
    second = [
        month_row(members[0], "2026-02", paid="41.00"),  # changed
        month_row(members[1], "2026-02"),  # unchanged
        month_row(members[0], "2026-04"),  # new, next to stored months of the member
        month_row(members[2], "2026-04"),
    ]  # fmt: skip
    result = run(tmp_path, second)
    assert (result.created, result.updated, result.unchanged) == (2, 1, 1)
    assert [(c.row, c.fields) for c in result.changes] == [(2, ["实缴金额"])]
    paid = dict(DuesPayment.objects.filter(person=members[0]).values_list("month", "paid"))
    assert paid == {
        dt.date(2026, 1, 1): Decimal("40.00"), dt.date(2026, 2, 1): Decimal("41.00"),
        dt.date(2026, 3, 1): Decimal("40.00"), dt.date(2026, 4, 1): Decimal("40.00"),
    }  # fmt: skip
    history = DuesPayment.history.model.objects
    assert history.filter(history_type="+").count() == DuesPayment.objects.count() == 11
    for stored in DuesPayment.objects.all():
        kinds = sorted(history.filter(id=stored.pk).values_list("history_type", flat=True))
        expected = ["+", "~"] if stored.paid == Decimal("41.00") else ["+"]
        assert kinds == expected, (stored.month, kinds)
