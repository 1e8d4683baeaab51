"""Transfers of the organizational relation (组织关系转接; CONTRACT.md `transfers`;
docs/transfers.md): the kind's bad inputs at each boundary (row, column, value; nothing
written), re-importing and the export round trip, the relation moving on the day a
transfer is received (history, import undo), the services, the writer's bounds, the
DYN-TRANSFER task closing itself, and the 组织关系介绍信 (.docx)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.imports.export import export_rows
from dangjian.imports.registry import KINDS
from dangjian.imports.service import import_file
from dangjian.imports.writers import OUTSIDE, may_write
from dangjian.lib.codes import mask_id_number
from dangjian.partyorgs.models import PartyOrgStatus
from dangjian.people.models import Membership
from dangjian.transfers import services
from dangjian.transfers.models import Transfer, TransferStatus
from tests import factories
from tests.importing import table_counts, write_csv

pytestmark = pytest.mark.django_db

ISSUED = "2025-03-05"


@pytest.fixture
def orgs(areas):
    """Two branches in 文艺路 (A, B), one in 坡子街 (C); three members of A."""
    a = factories.party_org(areas["wenyilu"], code="P-A", name="甲党支部")
    b = factories.party_org(areas["wenyilu"], code="P-B", name="乙党支部")
    c = factories.party_org(areas["pozi"], code="P-C", name="丙党支部")
    members = [factories.member(None, relation=a) for _ in range(3)]
    return {"a": a, "b": b, "c": c, "members": members}


def row(person, **over: str) -> list[str]:
    values = {
        "id_number": person.id_number if person is not None else "", "from_party_org": "P-A",
        "to_party_org": "P-B", "to_name": "", "letter_no": "2025-001", "issued_on": ISSUED,
        "status": "办理中", "received_on": "",
    }  # fmt: skip
    values.update(over)
    return list(values.values())


def run(tmp_path, rows, user=None, **kwargs):
    path = write_csv(tmp_path / "transfers.csv", rows, kind="transfers")
    return import_file("transfers", path, user=user, **kwargs)


def refused(tmp_path, rows, column, value, message, user=None, line=2):
    before = table_counts()
    relations = list(Membership.objects.order_by("pk").values_list("relation_party_org_id"))
    result = run(tmp_path, rows, user=user)
    assert not result.ok
    assert [(e.row, e.column, e.value) for e in result.errors] == [(line, column, value)], [
        str(e) for e in result.errors
    ]
    assert message in result.errors[0].message, result.errors[0].message
    assert table_counts() == before
    assert list(Membership.objects.order_by("pk").values_list("relation_party_org_id")) == (
        relations
    )


def relation(person) -> str:
    return Membership.objects.get(person=person).relation_party_org.code


def test_a_transfer_is_issued_received_and_reimporting_changes_nothing(tmp_path, orgs):
    m = orgs["members"][0]
    result = run(tmp_path, [row(m)])
    assert result.ok and result.created == 1, [str(e) for e in result.errors]
    assert relation(m) == "P-A"  # still open: the relation stays
    received = [row(m, status="已接收", received_on="2025-03-20")]
    result = run(tmp_path, received)
    assert result.ok and result.updated == 1, [str(e) for e in result.errors]
    assert relation(m) == "P-B"  # moved on 接收日期
    versions = list(
        Membership.objects.get(person=m)
        .history.order_by("history_id")
        .values_list("relation_party_org__code", "history_change_reason")
    )
    assert versions[-1][0] == "P-B" and versions[-1][1].startswith("导入#")
    again = run(tmp_path, received)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert relation(m) == "P-B"


def test_a_transfer_received_outside_ends_the_relation_in_the_system(tmp_path, orgs):
    m = orgs["members"][0]
    rows = [row(m, to_party_org="", to_name="北京市某街道党工委", status="已接收",
                received_on=ISSUED)]  # fmt: skip
    assert run(tmp_path, rows).ok
    assert Membership.objects.get(person=m).relation_party_org is None


def test_a_chain_of_transfers_in_one_file_and_its_round_trip(tmp_path, orgs):
    m, n = orgs["members"][:2]
    rows = [
        row(m, status="已接收", received_on="2025-03-10"),
        row(m, from_party_org="P-B", to_party_org="P-C", issued_on="2025-03-10",
            status="已接收", received_on="2025-04-01"),
        row(n, status="已退回"),
        row(n, issued_on="2025-05-01", to_party_org="", to_name="外省某党委"),
    ]  # fmt: skip
    result = run(tmp_path, rows)
    assert result.ok and result.created == 4, [str(e) for e in result.errors]
    assert relation(m) == "P-C" and relation(n) == "P-A"
    returned = Transfer.objects.get(person=n, status=TransferStatus.RETURNED)
    assert returned.returned_on == timezone.localdate()
    exported = list(export_rows("transfers", unmask=True))
    assert sorted(exported) == sorted(rows)
    again = run(tmp_path, exported)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4), [
        str(e) for e in again.errors
    ]
    # Masked unless asked: every row's number, whatever order the export gives them in.
    masked = list(export_rows("transfers"))
    assert sorted(r[0] for r in masked) == sorted(mask_id_number(p.id_number) for p in (m, m, n, n))


@pytest.mark.parametrize(
    ("over", "column", "value", "message"),
    [
        ({"from_party_org": "P-C"}, "转出党组织编码", "P-C", "组织关系在「甲党支部」"),
        ({"from_party_org": "P-NONE"}, "转出党组织编码", "P-NONE", "党组织编码不存在"),
        ({"to_party_org": "P-NONE"}, "转入党组织编码", "P-NONE", "党组织编码不存在"),
        ({"to_party_org": "P-A"}, "转入党组织编码", "P-A", "与转出党组织相同"),
        ({"to_party_org": ""}, "转入党组织编码", "", "须填写其中一项"),
        ({"to_name": "某党委"}, "转入党组织名称", "某党委", "只填写其中一项"),
        ({"status": "已接收"}, "接收日期", "", "状态为「已接收」时必填"),
        ({"status": "已接收", "received_on": "2025-03-04"}, "接收日期", "2025-03-04",
         "早于开出日期 2025-03-05"),
        ({"received_on": "2025-03-06"}, "接收日期", "2025-03-06", "状态为「办理中」时不填写"),
        ({"status": "已退回", "received_on": "2025-03-06"}, "接收日期", "2025-03-06",
         "状态为「已退回」时不填写"),
        ({"issued_on": "2009-01-01"}, "公民身份号码", None, "开出日期时尚未入党"),
        ({"status": "已转走"}, "状态", "已转走", ""),
        ({"issued_on": "2025-02-30"}, "开出日期", "2025-02-30", ""),
    ],
)  # fmt: skip
def test_bad_input_is_refused_naming_row_column_and_value(tmp_path, orgs, over, column, value,
                                                          message):  # fmt: skip
    m = orgs["members"][0]
    shown = mask_id_number(m.id_number) if value is None else value
    refused(tmp_path, [row(m, **over)], column, shown, message)


def test_the_boundaries_of_the_dates(tmp_path, orgs):
    m = orgs["members"][0]
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    refused(tmp_path, [row(m, issued_on=tomorrow)], "开出日期", tomorrow, "晚于今天")
    # received the day it was issued: accepted (接收日期 ≥ 开出日期)
    assert run(tmp_path, [row(m, status="已接收", received_on=ISSUED)]).ok
    # joined the very day of the issue: a member on 开出日期
    p = factories.member(None, relation=orgs["a"], joined_on=dt.date(2025, 3, 5),
                         confirmed_on=None)  # fmt: skip
    assert run(tmp_path, [row(p)]).ok


def test_a_non_member_and_an_unknown_person(tmp_path, orgs):
    somebody = factories.person("群众甲")
    refused(tmp_path, [row(somebody)], "公民身份号码", mask_id_number(somebody.id_number),
            "不是党员")  # fmt: skip
    stranger = factories.id_number_for()
    refused(tmp_path, [[stranger, *row(None)[1:]]], "公民身份号码", mask_id_number(stranger),
            "不是已登记的人员")  # fmt: skip


def test_a_second_open_transfer_of_a_member(tmp_path, orgs):
    m = orgs["members"][0]
    assert run(tmp_path, [row(m)]).ok
    refused(tmp_path, [row(m, issued_on="2025-04-01")], "状态", "办理中",
            "已有一条办理中的组织关系转接（开出日期 2025-03-05）")  # fmt: skip
    # two open rows of one file
    n = orgs["members"][1]
    refused(tmp_path, [row(n), row(n, issued_on="2025-04-01")], "状态", "办理中", "（第2行）",
            line=3)  # fmt: skip
    # the same key twice
    refused(tmp_path, [row(n, status="已退回"), row(n, status="已退回")], "开出日期", ISSUED,
            "与第2行重复", line=3)  # fmt: skip
    # the open one returned and a new one issued in one file: accepted
    result = run(tmp_path, [row(m, status="已退回"), row(m, issued_on="2025-04-01")])
    assert result.ok, [str(e) for e in result.errors]
    assert Transfer.objects.filter(person=m, status=TransferStatus.OPEN).count() == 1


def test_a_closed_transfer_is_final(tmp_path, orgs):
    m = orgs["members"][0]
    assert run(tmp_path, [row(m, status="已退回")]).ok
    refused(tmp_path, [row(m, status="已接收", received_on="2025-03-20")], "状态", "已接收",
            "不能再修改")  # fmt: skip
    # after the relation moved, the old source no longer holds it
    assert run(tmp_path, [row(m, issued_on="2025-04-01", status="已接收",
                              received_on="2025-04-02")]).ok  # fmt: skip
    refused(tmp_path, [row(m, issued_on="2025-05-01")], "转出党组织编码", "P-A",
            "组织关系在「乙党支部」")  # fmt: skip
    # before it was received, P-A held it: a transfer issued then from P-A is a relation it held
    assert run(tmp_path, [row(m, issued_on="2025-03-25", status="已退回")]).ok


def test_all_or_nothing(tmp_path, orgs):
    good, bad = orgs["members"][:2]
    before = table_counts()
    result = run(tmp_path, [row(good, status="已接收", received_on=ISSUED),
                            row(bad, from_party_org="P-C")])  # fmt: skip
    assert not result.ok and [e.row for e in result.errors] == [3]
    assert table_counts() == before and relation(good) == "P-A"


def test_an_import_that_moved_a_relation_is_undone_with_it(tmp_path, areas, orgs):
    from dangjian.imports.models import ImportBatch
    from dangjian.imports.undo import batch_undo

    m = orgs["members"][0]
    officer = factories.user("city", role=Role.CITY, area=areas["city"])
    result = run(tmp_path, [row(m, status="已接收", received_on=ISSUED)], user=officer)
    assert result.ok, [str(e) for e in result.errors]
    assert relation(m) == "P-B"
    batch_undo(user=officer, batch=ImportBatch.objects.latest("pk"))
    assert relation(m) == "P-A" and not Transfer.objects.exists()


def test_the_writer_s_bounds(tmp_path, areas, orgs):
    m = orgs["members"][0]
    secretary = factories.user("sec", role=Role.ORG, party_org=orgs["a"])
    assert may_write(secretary, "transfers")
    assert run(tmp_path, [row(m)], user=secretary).ok
    # a township officer elsewhere: the Party organization answers as not existing
    pozi = factories.user("pozi", role=Role.TOWNSHIP, area=areas["pozi"])
    result = run(tmp_path, [row(orgs["members"][1])], user=pozi)
    assert [(e.column, e.message) for e in result.errors] == [
        ("公民身份号码", OUTSIDE),
        ("转出党组织编码", "党组织编码不存在（请先导入党组织）"),
    ]
    # the secretary of another branch: the same
    other = factories.user("sec-b", role=Role.ORG, party_org=orgs["b"])
    result = run(tmp_path, [row(orgs["members"][2])], user=other)
    assert ("转出党组织编码", "党组织编码不存在（请先导入党组织）") in [
        (e.column, e.message) for e in result.errors
    ]
    # the receiving Party organization may be anywhere known; the member transferred away
    # stays the issuing writer's in the transfers it issued (round trip of its export)
    officer = factories.user("wenyilu", role=Role.TOWNSHIP, area=areas["wenyilu"])
    far = [row(orgs["members"][1], to_party_org="P-C", status="已接收", received_on=ISSUED)]
    assert run(tmp_path, far, user=officer).ok
    assert relation(orgs["members"][1]) == "P-C"
    mine = list(export_rows("transfers", unmask=True, user=officer))
    assert len(mine) == 2
    again = run(tmp_path, mine, user=officer)
    assert again.ok and again.unchanged == 2, [str(e) for e in again.errors]
    assert list(export_rows("transfers", user=pozi)) == []
    assert list(export_rows("transfers", user=other)) == []


def test_the_services(orgs):
    m, n = orgs["members"][:2]
    saved = services.transfer_issue(user=None, person=m, issued_on=dt.date(2025, 3, 5),
                                    to_party_org=orgs["b"], letter_no="2025-007")  # fmt: skip
    assert saved.ok, saved.errors
    transfer = Transfer.objects.get(person=m)
    assert (transfer.from_party_org, transfer.status) == (orgs["a"], TransferStatus.OPEN)
    again = services.transfer_issue(user=None, person=m, issued_on=dt.date(2025, 3, 6),
                                    to_name="某地党委")  # fmt: skip
    assert "已有一条办理中" in again.errors["status"][0]
    assert services.transfer_accept(user=None, transfer=transfer,
                                    received_on=dt.date(2025, 3, 9)).ok  # fmt: skip
    transfer.refresh_from_db()
    assert (transfer.status, transfer.received_on) == (TransferStatus.RECEIVED,
                                                       dt.date(2025, 3, 9))  # fmt: skip
    assert relation(m) == "P-B"
    assert services.transfer_issue(user=None, person=n, issued_on=dt.date(2025, 3, 5),
                                   to_party_org=orgs["c"]).ok  # fmt: skip
    open_one = Transfer.objects.get(person=n)
    assert not services.transfer_return(user=None, transfer=open_one, reason=" ").ok
    saved = services.transfer_return(user=None, transfer=open_one, reason="材料不全")
    assert saved.ok, saved.errors
    open_one.refresh_from_db()
    assert (open_one.status, open_one.return_reason) == (TransferStatus.RETURNED, "材料不全")
    assert open_one.returned_on == timezone.localdate()
    assert relation(n) == "P-A"
    # returned: a new one may be issued
    assert services.transfer_issue(user=None, person=n, issued_on=dt.date(2025, 4, 1),
                                   to_party_org=orgs["c"]).ok  # fmt: skip


def test_the_database_refuses_what_the_kind_refuses(orgs):
    from django.db import IntegrityError, transaction

    m = orgs["members"][0]
    base = {"person": m, "from_party_org": orgs["a"], "issued_on": dt.date(2025, 3, 5)}
    bad = [
        {"to_party_org": orgs["b"], "to_name": "某党委"},
        {},
        {"to_party_org": orgs["b"], "status": TransferStatus.RECEIVED},
        {"to_party_org": orgs["b"], "status": TransferStatus.RECEIVED,
         "received_on": dt.date(2025, 3, 4)},
    ]  # fmt: skip
    for fields in bad:
        with pytest.raises(IntegrityError), transaction.atomic():
            Transfer.objects.create(**base, **fields)
    Transfer.objects.create(**base, to_party_org=orgs["b"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Transfer.objects.create(**{**base, "issued_on": dt.date(2025, 4, 1)}, to_name="某党委")


@pytest.mark.django_db(transaction=True)
def test_a_dyn_transfer_task_closes_itself_when_the_transfer_is_received(areas):
    from dangjian.compliance.engine import evaluate, record
    from dangjian.compliance.models import FindingRecord
    from dangjian.tasks.models import Task

    today = timezone.localdate()
    dissolved = factories.party_org(
        areas["wenyilu"], code="P-OLD", name="已撤销党支部",
        status=PartyOrgStatus.DISSOLVED, dissolved_on=today - dt.timedelta(days=90),
    )  # fmt: skip
    receiving = factories.party_org(areas["wenyilu"], code="P-NEW", name="接收党支部")
    m = factories.member(None, relation=dissolved)
    record(evaluate(as_of=today))
    finding = FindingRecord.objects.get(
        rule="DYN-TRANSFER", subject_pk=m.pk, resolved_on__isnull=True
    )
    task = Task.objects.get(finding=finding)
    assert task.state not in ("fixed", "closed")
    saved = services.transfer_issue(user=None, person=m, issued_on=today - dt.timedelta(days=5),
                                    to_party_org=receiving)  # fmt: skip
    assert saved.ok, saved.errors
    task.refresh_from_db()
    assert task.state not in ("fixed", "closed")  # issued: not yet moved
    saved = services.transfer_accept(user=None, transfer=Transfer.objects.get(person=m),
                                     received_on=today)  # fmt: skip
    assert saved.ok, saved.errors
    assert relation(m) == "P-NEW"
    finding.refresh_from_db()
    task.refresh_from_db()
    assert finding.resolved_on is not None
    assert task.state == "fixed"


@pytest.mark.parametrize("outside", [False, True])
def test_dyn_transfer_on_a_past_date_reads_the_relation_of_that_date(areas, outside):
    """A member of a dissolved Party organization, transferred out on day R (to a known
    Party organization, or outside the system): DYN-TRANSFER finds them on every day before
    R — their relation was still there — and on no day from R, in the engine and in the
    slow reference alike."""
    from dangjian.compliance.engine import evaluate
    from dangjian.compliance.policy import load
    from tests.rules_reference import demanded
    from tests.test_rules_reference import engine_demands

    today = timezone.localdate()
    received = today - dt.timedelta(days=30)
    dissolved = factories.party_org(
        areas["wenyilu"], code="P-OLD", name="已撤销党支部",
        status=PartyOrgStatus.DISSOLVED, dissolved_on=today - dt.timedelta(days=400),
    )  # fmt: skip
    receiving = factories.party_org(areas["pozi"], code="P-NEW", name="接收党支部")
    m = factories.member(None, relation=dissolved)
    stayed = factories.member(None, relation=dissolved)
    issued = received - dt.timedelta(days=10)
    target = {"to_name": "岳麓区某社区党委"} if outside else {"to_party_org": receiving}
    assert services.transfer_issue(user=None, person=m, issued_on=issued, **target).ok
    assert services.transfer_accept(
        user=None, transfer=Transfer.objects.get(person=m), received_on=received
    ).ok

    def found(day: dt.date) -> set[int]:
        return {f.subject.pk for f in evaluate(as_of=day, rules=["DYN-TRANSFER"]).findings}

    for day in (issued - dt.timedelta(days=1), received - dt.timedelta(days=1)):
        assert found(day) == {m.pk, stayed.pk}, day
    for day in (received, received + dt.timedelta(days=1), today):
        assert found(day) == {stayed.pk}, day
    policy = load()
    for day in (received - dt.timedelta(days=1), received):
        engine = {d for d in engine_demands(day, None, policy) if d[0] == "DYN-TRANSFER"}
        reference = {d for d in demanded(as_of=day, policy=policy) if d[0] == "DYN-TRANSFER"}
        assert engine == reference and len(engine) == (2 if day < received else 1), day


def test_the_letter_prints_on_one_a4_page_with_its_stub(orgs, tmp_path):
    from dangjian.transfers.documents import letter_docx, letter_facts
    from tests.test_life_documents import A4_POINTS, soffice_pdf

    m = orgs["members"][0]
    services.transfer_issue(user=None, person=m, issued_on=dt.date(2025, 3, 5),
                            to_party_org=orgs["b"], letter_no="芙组转〔2025〕7号")  # fmt: skip
    transfer = Transfer.objects.get(person=m)
    facts = letter_facts(transfer)
    assert facts["id_number"] == m.id_masked and facts["status"] == "正式"
    assert letter_facts(transfer, unmask=True)["id_number"] == m.id_number
    masked, whole = tmp_path / "masked.docx", tmp_path / "whole.docx"
    masked.write_bytes(letter_docx(transfer))
    whole.write_bytes(letter_docx(transfer, unmask=True))
    pdfs = soffice_pdf(tmp_path, [masked, whole])
    for reader in pdfs.values():
        assert len(reader.pages) == 1  # type: ignore[attr-defined]
        box = reader.pages[0].mediabox  # type: ignore[attr-defined]
        assert (round(float(box.width)), round(float(box.height))) == A4_POINTS
    text = "".join(pdfs["masked"].pages[0].extract_text().split())  # type: ignore[attr-defined]
    assert "（存根）" in text and "中国共产党党员组织关系介绍信" in text
    assert text.count("芙组转〔2025〕7号") == 3  # the stub, the cut line, the letter
    assert text.count(m.name) == 2 and text.count(m.id_masked) == 2
    assert m.id_number not in text
    for expected in ("中共正式党员", "由甲党支部转到乙党支部", "乙党支部：", "有效期30天",
                     "2025年3月5日", "中共甲党支部（盖章）", f"{facts['age']}岁"):  # fmt: skip
        assert expected in text, expected
    whole_text = "".join(pdfs["whole"].pages[0].extract_text().split())  # type: ignore[attr-defined]
    assert whole_text.count(m.id_number) == 2


def test_meetings_read_the_relation_on_their_day(tmp_path, orgs):
    """A member transferred from A to B attended A's meetings before the receipt and B's
    after it: the meetings kind reads who held the relation on the meeting's day."""
    m = orgs["members"][0]
    assert run(tmp_path, [row(m, status="已接收", received_on="2025-03-20")]).ok

    def meeting(code: str, day: str):
        values = {"party_org": code, "type": "支部党员大会", "held_on": day, "topic": "学习",
                  "attended": m.id_number}  # fmt: skip
        cells = [values.get(c.key, "") for c in KINDS["meetings"].columns]
        path = write_csv(tmp_path / "meetings.csv", [cells], kind="meetings")
        return import_file("meetings", path)

    assert meeting("P-A", "2025-03-19").ok
    assert meeting("P-B", "2025-03-20").ok
    late = meeting("P-A", "2025-03-20")
    assert [e.message for e in late.errors] == ["不是该党组织在 2025-03-20 的党员"]
    early = meeting("P-B", "2025-03-19")
    assert [e.message for e in early.errors] == ["不是该党组织在 2025-03-19 的党员"]
