"""Fuzzing the import's file readers and the service (hypothesis).

Whatever the bytes, the text, the encoding or the cells, the import may refuse — a
FileError from the reader, row errors from the service — but never raises anything else,
and never writes when it refuses. The examples are bounded so that the file runs in
seconds; each example that reaches the database runs in a savepoint rolled back after it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context, event

from dangjian.imports.errors import CellError, FileError
from dangjian.imports.readers import CSV_FIELD_LIMIT, open_table
from dangjian.imports.registry import KINDS
from dangjian.imports.service import import_file
from dangjian.lib.sheets import csv_unquote_row
from tests.import_corpus import make_corpus as corpus
from tests.test_import_corpus import build_world, changed_tables, fingerprint

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)

KIND_NAMES = list(KINDS)
GOOD_ROWS: dict[str, list[dict[str, object]]] = {
    "orgs": [corpus.org(1), corpus.org(2, {"所在乡镇(街道)": "朝阳街街道"})],
    "people": [
        corpus.person(1),
        corpus.person(
            2, {"政治面貌": "群众", "入党日期": "", "转正日期": "", "组织关系所在党组织编码": ""}
        ),
    ],
    "party-orgs": [corpus.party_org(10), corpus.party_org(11, {"上级党组织编码": "430102D010"})],
    "committees": [corpus.committee()],
    "instructors": [corpus.instructor(1)],
    "party-groups": [
        {
            "党组织编码": corpus.PO_BRANCH,
            "党小组名称": "第一党小组",
            "组长公民身份号码": corpus.P_MEMBER,
            "成立日期": "2021-06-01",
            "撤销日期": "",
        },
    ],
    "meetings": [
        {
            "党组织编码": corpus.PO_BRANCH,
            "会议类型": "支部党员大会",
            "召开日期": "2024-03-15",
            "主题": "学习党章",
            "应到人数": "1",
            "实到人数": "1",
            "职责分类": "保证政治方向",
            "出席人员": corpus.P_MEMBER,
            "会议记录": "一、学习\n二、讨论",
        },
        {
            "党组织编码": corpus.PO_BRANCH,
            "会议类型": "党课",
            "召开日期": "2024-04-01",
            "主题": "党课：初心使命",
        },
    ],
    "trainings": [
        {
            "公民身份号码": corpus.P_MEMBER,
            "培训名称": "2024年度书记示范培训班",
            "培训类别": "集中培训",
            "举办单位": "长沙市委党校",
            "开始日期": "2024-05-06",
            "结束日期": "2024-05-10",
            "培训天数": "4.5",
        },
    ],
    "applicants": [  # written (群众), or refused (a member already): both paths are fuzzed
        {
            "公民身份号码": corpus.P_MASSES,
            "党组织编码": corpus.PO_BRANCH,
            "入党申请日期": "2024-03-01",
            "谈话日期": "2024-03-20",
            "确定入党积极分子日期": "2024-06-01",
            "确定发展对象日期": "2025-06-01",
            "培养状态": "培养中",
        },
        {
            "公民身份号码": corpus.P_MEMBER,
            "党组织编码": corpus.PO_BRANCH,
            "入党申请日期": "2024-03-01",
            "培养状态": "已停止培养",
            "状态变更日期": "2024-09-01",
        },
    ],
    "transfers": [  # the member's relation is in PO_BRANCH: issued from it, received by another
        {
            "公民身份号码": corpus.P_MEMBER,
            "转出党组织编码": corpus.PO_BRANCH,
            "转入党组织编码": corpus.PO_GENERAL,
            "介绍信编号": "芙组转〔2024〕1号",
            "开出日期": "2024-03-01",
            "状态": "已接收",
            "接收日期": "2024-03-15",
        },
        {
            "公民身份号码": corpus.P_MEMBER,
            "转出党组织编码": corpus.PO_GENERAL,
            "转入党组织名称": "北京市某街道党工委",
            "开出日期": "2024-06-01",
            "状态": "办理中",
        },
    ],
    "studies": [
        {"研究主体": "芙蓉区", "研究日期": "2024-03-01", "主题": "研究社会组织党建工作"},
        {"研究主体": corpus.SUPERVISOR, "研究日期": "2024-04-01", "主题": "研究行业党建"},
    ],
    "recommendations": [  # refused (not a leader) or written: both paths are fuzzed
        {
            "公民身份号码": corpus.P_MEMBER,
            "推荐类别": "人大代表",
            "推荐日期": "2024-03-01",
            "征求意见党组织编码": corpus.PO_BRANCH,
            "党组织意见": "同意",
        },
    ],
    "dues": [  # the member's dues (written), or a student's with a base (refused)
        {
            "公民身份号码": corpus.P_MEMBER,
            "月份": "2024-03",
            "人员类别": "在职",
            "计缴基数": "5000.01",
            "实缴金额": "75.00",
            "缴纳日期": "2024-03-10",
            "应缴金额": "75.00",
        },
        {
            "公民身份号码": corpus.P_MEMBER,
            "月份": "2024-04",
            "人员类别": "学生",
            "实缴金额": "0.20",
            "缴纳日期": "2024-04-10",
        },
    ],
    "dues-returns": [
        {
            "党组织编码": corpus.PO_BRANCH,
            "年度": "2023",
            "上缴金额": "1200.00",
            "返还金额": "1200.00",
            "返还日期": "2024-02-01",
        },
    ],
    "funds": [
        {"党组织编码": corpus.PO_BRANCH, "年度": "2024", "经费来源": "税前列支", "金额": "5000"},
    ],
    "inspections": [
        {
            "统一社会信用代码": corpus.ORG_A,
            "年检年度": "2023",
            "年检结论": "合格",
            "党建情况已填报": "否",
            "年检日期": "2024-04-10",
        },
    ],
    "evaluations": [
        {
            "统一社会信用代码": corpus.ORG_A,
            "评估日期": "2023-10-20",
            "评估等级": "4A",
            "有效期至": "2028-10-19",
            "党建工作纳入评估": "是",
            "党建工作得分": "90",
        },
    ],
    "rectifications": [
        {
            "党组织编码": corpus.PO_BRANCH,
            "认定日期": "2024-03-01",
            "主要问题": "组织生活不正常",
            "整顿期限": "2024-09-30",
            "整顿完成日期": "",
        },
    ],
    "service-centres": [
        {
            "中心名称": "文艺路街道党群服务中心",
            "所在乡镇(街道)": "文艺路街道",
            "地址": "文艺路1号",
            "面积": "800",
            "容纳人数": "120",
            "开放时间": "周一至周五",
            "管理单位": "文艺路街道",
        },
    ],
    "venues": [
        {
            "党组织编码": corpus.PO_BRANCH,
            "场所名称": "党员活动室",
            "有场所": "是",
            "有设施": "是",
            "有标志": "是",
            "有党旗": "否",
            "有书报": "是",
            "有制度": "是",
            "核查日期": "2024-05-20",
        },
    ],
    "party-workers": [
        {
            "党组织编码": corpus.PO_BRANCH,
            "公民身份号码": corpus.P_MEMBER,
            "是否专职": "是",
            "开始日期": "2022-01-01",
        },
    ],
    "worker-allowances": [  # refused (no worker stored) or written: both paths are fuzzed
        {
            "党组织编码": corpus.PO_BRANCH,
            "公民身份号码": corpus.P_MEMBER,
            "年度": "2024",
            "津贴金额(元)": "3600",
        },
    ],
    "instructor-visits": [  # refused (not assigned there) or written: both paths are fuzzed
        {
            "指导员公民身份号码": corpus.P_MEMBER,
            "统一社会信用代码": corpus.ORG_A,
            "走访日期": "2024-05-01",
            "走访情况": "宣讲政策\n了解党员情况",
            "帮助建立工会": "是",
            "发现入党积极分子人数": "2",
        },
    ],
    "pairings": [
        {
            "党组织编码": corpus.PO_BRANCH,
            "共建党组织编码": corpus.PO_GENERAL,
            "结对日期": "2023-04-01",
            "共建内容": "联学联建",
        },
        {
            "党组织编码": corpus.PO_BRANCH,
            "共建单位党组织名称": "中共长沙市教育局机关委员会",
            "结对日期": "2022-01-01",
            "结束日期": "2024-12-31",
        },
    ],
    "demonstration-sites": [
        {"党组织编码": corpus.PO_BRANCH, "示范点级别": "市级", "命名年度": "2024"},
    ],
    "work-bodies": [
        {
            "机构名称": "芙蓉区社会组织党建工作办公室",
            "所在区县(市)": "芙蓉区",
            "机构类别": "区县",
            "成立日期": "2015-03-01",
        },
        {"机构名称": corpus.SUPERVISOR, "所在区县(市)": "430102", "机构类别": "园区"},
    ],
    "work-body-staff": [  # refused (no body stored) in the corpus' world: fuzzed all the same
        {
            "工作机构": "芙蓉区社会组织党建工作办公室",
            "姓名": "张明",
            "职务": "主任",
            "专兼职": "专职",
            "开始日期": "2020-01-01",
        },
    ],
    "township-cadres": [
        {
            "所在区县(市)": "芙蓉区",
            "乡镇(街道)": "文艺路街道",
            "姓名": "赵丽",
            "职务": "组织委员",
            "专兼职": "兼职",
            "开始日期": "2020-01-01",
            "结束日期": "2024-12-31",
        },
    ],
    "contact-points": [
        {
            "成员单位": corpus.SUPERVISOR,
            "领导姓名": "孙伟",
            "领导职务": "副主席",
            "联系的社会组织统一社会信用代码": corpus.ORG_A,
            "开始日期": "2022-01-01",
        },
    ],
    "joint-groups": [
        {
            "联组名称": "文艺路联组",
            "牵头党组织编码": corpus.PO_BRANCH,
            "成立日期": "2023-01-01",
            "成员党组织编码": corpus.PO_BRANCH,
            "加入日期": "2023-01-01",
        },
    ],
    "activities": [
        {
            "党组织编码": corpus.PO_BRANCH,
            "活动类型": "志愿服务",
            "开展日期": "2024-03-05",
            "活动名称": "学雷锋志愿服务",
            "参加人数": "12",
            "职责分类": "团结凝聚群众",
            "活动内容": "一、集合\n二、清扫街道",
        },
        {
            "党组织编码": corpus.PO_BRANCH,
            "活动类型": "结对共建",
            "开展日期": "2024-04-01",
            "活动名称": "联学联建",
            "共建党组织编码": corpus.PO_GENERAL,
        },
    ],
}


def note(what: str) -> None:
    """For --hypothesis-show-statistics: how far the examples get."""
    if currently_in_test_context():
        event(what)


class Rollback(Exception):
    pass


@pytest.fixture
def world(db):
    """The corpus' world, and its fingerprint: every example starts from it (each runs in
    a savepoint rolled back after it)."""
    build_world()
    return fingerprint()


def import_and_roll_back(world: dict[str, Any], kind: str, path: Path) -> None:
    """Import, check the service's promise, and leave the database as it was."""
    try:
        with transaction.atomic():
            result = import_file(kind, path)
            assert result.error_count == len(result.errors)
            for error in result.errors:
                assert str(error).startswith(("第", "文件"))
            note(
                "imported"
                if result.ok and result.rows
                else "refused: row" + ("s" if result.rows else " 1 (header)")
                if result.errors and result.errors[0].row
                else "refused: file"
                if result.errors
                else "empty"
            )
            if not result.ok:
                assert not result.written
                assert changed_tables(world, fingerprint()) == {}
            else:
                assert result.written
            raise Rollback
    except Rollback:
        pass


def read_all(path: Path, name: str | None = None) -> list[tuple[int, list[Any]]] | FileError:
    """Every row of the file, or the FileError that refuses it: nothing else may come out."""
    try:
        with open_table(path, name) as table:
            assert isinstance(table.headers, list)
            rows = list(table.rows())
    except FileError as exc:
        assert exc.error.message
        note("FileError")
        return exc
    note("read")
    numbers = [number for number, _cells in rows]
    assert numbers == sorted(set(numbers)) and all(n >= 2 for n in numbers)
    return rows


# --- Strategies. -----------------------------------------------------------------------------

SPECIAL_TEXT = [
    "",
    " ",
    "\u3000",
    "\ufeff",
    "\x00",
    "\r",
    "\n",
    '"',
    '",',
    "=1+1",
    "0",
    "-1",
    "1e309",
    "NaN",
    "inf",
    "9" * 5000,
    "2015-02-30",
    "2099-01-01",
    "0000-01-01",
    "2015/1/1",
    "42064",
    "4.30102E+17",
    "民办非企业单位",
    "中共党员",
    "党支部",
    "是",
    "文艺路街道",
    "芙蓉区",
    "430102",
    "430102001",
    corpus.ORG_A,
    corpus.ORG_A.lower(),
    corpus.P_MEMBER,
    corpus.P_MEMBER[:-1] + "x",
    corpus.PO_BRANCH,
    "５１４３０１０２ＭＪ０００００００１Ｐ",
    "٥١٤٣٠١٠٢MJ0000001P",
    "43010219850312001²",
    "\U0001f600",
    "\ud7ff\ue000\uffff",
]
cell_text = st.one_of(
    st.sampled_from(SPECIAL_TEXT),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=40),
    st.text(st.sampled_from("0123456789-/.,; \"'\r\n\tXx长沙市芙蓉区"), max_size=24),
)
huge_text = st.builds(
    lambda piece, count: piece * count,
    st.sampled_from(["x", "长", ",", '"', "\n", "\x00"]),
    st.integers(1000, CSV_FIELD_LIMIT + 5000),
)
text_cell = st.one_of(cell_text, cell_text, cell_text, huge_text)
xlsx_cell = st.one_of(
    cell_text,
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 12, 31)),
    st.times(),
    huge_text,
)


@st.composite
def table_of(draw: st.DrawFn, cell: st.SearchStrategy[Any], kind: str) -> list[list[Any]]:
    """A header (mostly the kind's own) and rows (mostly the kind's valid rows with a cell
    or two replaced, so that the kind's checks run; else anything)."""
    columns = [c.label for c in KINDS[kind].columns]
    keys = [c.key for c in KINDS[kind].columns]
    header: list[Any] = draw(
        st.one_of(
            st.just(columns),
            st.just(columns),
            st.just(columns),
            st.permutations(columns),
            st.just(keys),
            st.lists(st.sampled_from([*columns, *keys]), max_size=12),
            st.lists(cell, max_size=6),
        )
    )
    if draw(st.integers(0, 5)) == 0:
        header = [*header, *draw(st.lists(cell, min_size=1, max_size=2))]
    by_key = dict(zip(keys, columns, strict=True))
    rows: list[list[Any]] = []
    for _ in range(draw(st.integers(0, 4))):
        if draw(st.integers(0, 3)):
            good = draw(st.sampled_from(GOOD_ROWS[kind]))
            row = [good.get(by_key.get(h, h), "") if isinstance(h, str) else "" for h in header]
            for _ in range(draw(st.sampled_from([0, 0, 1, 1, 2, 3]))):
                if row:
                    row[draw(st.integers(0, len(row) - 1))] = draw(cell)
        else:
            row = draw(st.lists(cell, max_size=len(header) + 2))
        rows.append(row)
    return [header, *rows]


def csv_encode(rows: list[list[Any]], encoding: str, line_end: str = "\r\n") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_end)
    writer.writerows([["" if c is None else str(c) for c in row] for row in rows])
    return buffer.getvalue().encode(encoding, errors="replace")


# --- Bytes. ----------------------------------------------------------------------------------

PREFIXES = [b"", b"PK\x03\x04", bytes.fromhex("d0cf11e0a1b11ae1"), b"\xef\xbb\xbf", b"\xff\xfe"]


@FUZZ
@given(
    data=st.binary(max_size=4096),
    prefix=st.sampled_from(PREFIXES),
    name=st.sampled_from(["x.csv", "x.xlsx", "x.xls", "x.txt", "x"]),
)
@example(data=b"\r\n\r\n", prefix=b"", name="x.csv")
@example(data=b"a\rb\r", prefix=b"", name="x.csv")
@example(data=b"\x80" * 10, prefix=b"", name="x.xlsx")
def test_random_bytes_are_read_or_refused(tmp_path_factory, data: bytes, prefix: bytes, name: str):
    path = tmp_path_factory.mktemp("bytes") / name
    path.write_bytes(prefix + data)
    read_all(path)


def _valid_xlsx() -> bytes:
    return corpus.xlsx_bytes(corpus.table(corpus.ORG_COLUMNS, corpus.org(1), corpus.org(2)))


VALID_XLSX = _valid_xlsx()


@FUZZ
@given(
    flips=st.lists(
        st.tuples(st.integers(0, len(VALID_XLSX) - 1), st.integers(0, 255)),
        min_size=1,
        max_size=8,
    ),
    cut=st.one_of(st.none(), st.integers(0, len(VALID_XLSX))),
)
# Found by this test: a central directory entry asking for a zip version zipfile does not
# read (it raises NotImplementedError, not BadZipFile).
@example(flips=[(VALID_XLSX.index(b"PK\x01\x02") + 6, 64)], cut=None)
def test_damaged_xlsx_is_read_or_refused(tmp_path_factory, flips, cut):
    data = bytearray(VALID_XLSX)
    for position, value in flips:
        data[position] = value
    path = tmp_path_factory.mktemp("xlsx") / "damaged.xlsx"
    path.write_bytes(bytes(data[:cut]))
    read_all(path)


@FUZZ
@given(
    kind=st.sampled_from(KIND_NAMES),
    data=st.binary(max_size=2048),
    prefix=st.sampled_from(PREFIXES),
)
def test_random_bytes_through_the_service(world, tmp_path, kind: str, data: bytes, prefix: bytes):
    path = tmp_path / "random.csv"
    path.write_bytes(prefix + data)
    import_and_roll_back(world, kind, path)


# --- CSV text in several encodings. ----------------------------------------------------------

ENCODINGS = ["utf-8", "utf-8", "utf-8-sig", "gb18030", "gb18030", "utf-16", "latin-1", "big5"]


@FUZZ
@given(
    kind=st.sampled_from(KIND_NAMES),
    data=st.data(),
    encoding=st.sampled_from(ENCODINGS),
    line_end=st.sampled_from(["\r\n", "\n", "\r"]),
)
def test_csv_text_through_the_service(world, tmp_path, kind, data, encoding, line_end):
    rows = data.draw(table_of(text_cell, kind))
    path = tmp_path / "fuzz.csv"
    path.write_bytes(csv_encode(rows, encoding, line_end))
    import_and_roll_back(world, kind, path)


@FUZZ
@given(
    rows=st.lists(
        st.lists(
            st.text(
                st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=12
            ),
            min_size=1,
            max_size=5,
        ),
        min_size=1,
        max_size=8,
    ),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
    line_end=st.sampled_from(["\r\n", "\n", "\r"]),
)
def test_csv_reads_as_the_csv_module_does(tmp_path_factory, rows, encoding, line_end):
    """The reader decodes line by line (to name the row of a broken encoding): it must
    still give exactly the rows Python's csv module gives for the decoded text."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=line_end).writerows(rows)
    text = buffer.getvalue()
    expected = list(csv.reader(io.StringIO(text, newline="")))
    assume(expected and any(cell.strip() for cell in expected[0]))
    assume(all(len(cell) <= CSV_FIELD_LIMIT for row in expected for cell in row))
    # GB18030 text of a few characters can happen to be valid UTF-8 too ("录" is C2 BC,
    # "¼"); real files have Chinese column names. Only ask for it where the text says.
    data = text.encode(encoding)
    if encoding == "gb18030" and not data.isascii():
        try:
            data.decode("utf-8")
            assume(False)
        except UnicodeDecodeError:
            pass
    path = tmp_path_factory.mktemp("parity") / "parity.csv"
    path.write_bytes(data)
    result = read_all(path)
    assert not isinstance(result, FileError), result
    # ... except the apostrophe our own CSV writer puts before a formula-like cell ("'="),
    # which the reader takes off again (`lib.sheets.csv_unquote`, issue 12).
    unquoted = [csv_unquote_row(list(row)) for row in expected[1:]]
    assert [cells for _n, cells in result] == unquoted
    assert [n for n, _cells in result] == list(range(2, len(expected) + 1))


# --- Cells of an xlsx. -----------------------------------------------------------------------


def xlsx_file(rows: list[list[Any]]) -> bytes:
    import openpyxl
    from openpyxl.utils.exceptions import IllegalCharacterError

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if isinstance(value, str) and ("\ufffe" in value or "\uffff" in value):
                # Not characters of XML at all: Excel writes them escaped too (openpyxl's lxml
                # writer refuses them when it saves).
                value = value.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
            try:
                sheet.cell(row=r, column=c, value=value)
            except (IllegalCharacterError, ValueError):
                # What openpyxl will not write raw, Excel writes escaped (_x0000_).
                escaped = "".join(f"_x{ord(ch):04X}_" if ord(ch) < 32 else ch for ch in str(value))
                sheet.cell(row=r, column=c, value=escaped)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@settings(FUZZ, max_examples=80)
@given(kind=st.sampled_from(KIND_NAMES), data=st.data())
def test_xlsx_cells_through_the_service(world, tmp_path, kind, data):
    rows = data.draw(table_of(xlsx_cell, kind))
    path = tmp_path / "fuzz.xlsx"
    path.write_bytes(xlsx_file(rows))
    import_and_roll_back(world, kind, path)


# --- One cell, one column. -------------------------------------------------------------------

COLUMNS = [(kind.name, column) for kind in KINDS.values() for column in kind.columns]


@settings(FUZZ, max_examples=400)
@given(
    column=st.sampled_from(COLUMNS),
    raw=st.one_of(xlsx_cell, st.text(st.characters(exclude_categories=["Cs"]), max_size=25)),
)
def test_every_column_parses_any_cell_or_says_why(column, raw):
    _kind, col = column
    try:
        col.parse(raw)
    except CellError as exc:
        assert str(exc)


def test_seeded_noise_of_every_size(tmp_path):
    """Deterministic and larger than hypothesis draws: 1 KiB to 1 MiB of noise bytes, and
    of CSV-ish text (many lines cut across the reader's 64 KiB blocks), which must read
    exactly as Python's csv module reads it."""
    rng = random.Random(20240101)
    path = tmp_path / "noise.csv"
    for size in (1 << 10, 1 << 14, 1 << 17, 1 << 20):
        for prefix in PREFIXES:
            path.write_bytes(prefix + rng.randbytes(size))
            read_all(path)
        text = "".join(rng.choice('ab,"\r\n\r长沙') for _ in range(size // 3))
        path.write_bytes(text.encode("utf-8"))
        csv.field_size_limit(CSV_FIELD_LIMIT)
        try:
            expected: list[list[str]] | None = list(
                csv.reader(io.StringIO(text, newline=""), strict=False)
            )
        except csv.Error:
            expected = None
        result = read_all(path)
        if expected and any(cell.strip() for cell in expected[0]):
            assert not isinstance(result, FileError), result
            assert [cells for _n, cells in result] == expected[1:]
        else:
            assert isinstance(result, FileError)
