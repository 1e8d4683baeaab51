"""The bad-input corpus of the import (tests/test_import_corpus.py): real CSV and xlsx files,
each breaking exactly one thing, and what the import must say about it.

Regenerate the files after changing a case (the output is byte-for-byte deterministic):

    .venv/bin/python -m tests.import_corpus.make_corpus

Every file is written for the small world `build_world()` of the test makes (a few real
Changsha divisions, the registries, a supervisory unit, three organizations, two people,
three Party organizations): the names and codes below are that world's. A bad file holds a valid row first (row 2),
so that the test also sees that a valid row is not written when another one is wrong, and
then the broken row; `errors` are the exact messages, `第N行 列名「值」: 原因`, counting
the header as row 1. A valid file has `errors == ()` and the counts it must import.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import sys
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from dangjian.lib.codes import make_id_number, make_uscc

CORPUS_DIR = Path(__file__).resolve().parent

# --- The world every file refers to (tests/test_import_corpus.py builds it). ---------------

ORG_A = make_uscc("51430102MJ0000001")  # 长沙市芙蓉区文艺路商会, 文艺路街道
ORG_B = make_uscc("52430102MJ0000002")  # 长沙市芙蓉区朝阳养老服务中心, 朝阳街街道
ORG_C = make_uscc("51430103MJ0000003")  # 长沙市天心区坡子街餐饮行业协会, 坡子街街道
SUPERVISOR = "长沙市科学技术协会"  # a supervisory unit, not a registry
P_MEMBER = make_id_number("43010219850312001")  # 张伟, 中共党员, works at ORG_A
P_MASSES = make_id_number("43010319900101002")  # 李娜, 群众, works at ORG_B
PO_COMMITTEE = "430102D001"  # 党委, no parent
PO_GENERAL = "430102D002"  # 党总支 under PO_COMMITTEE
PO_BRANCH = "430102D003"  # 党支部 under PO_GENERAL, covers ORG_A

# Codes no world and no file defines.
UNKNOWN_USCC = make_uscc("51430102MJ0099999")
UNKNOWN_ID = make_id_number("43010219791111099")
UNKNOWN_PARTY_ORG = "430102D999"


def mask(number: str) -> str:
    """How identity numbers appear in messages: first 6, ********, last 4."""
    return number[:6] + "********" + number[-4:]


def err(row: int, column: str, value: str, message: str) -> str:
    return f"第{row}行 {column}「{value}」: {message}"


# --- Rows. -------------------------------------------------------------------------------

ORG_COLUMNS = [
    "统一社会信用代码",
    "社会组织名称",
    "社会组织类型",
    "登记管理机关",
    "登记方式",
    "业务主管单位",
    "行业类别",
    "所在区县",
    "所在乡镇(街道)",
    "所在村(社区)",
    "成立登记日期",
    "登记状态",
    "状态变更日期",
    "从业人员数",
    "党建管理方式",
]
ORG_KEYS = [
    "uscc",
    "name",
    "kind",
    "registry",
    "registration_mode",
    "supervisor",
    "industry",
    "district",
    "township",
    "community",
    "registered_on",
    "status",
    "status_changed_on",
    "staff_count",
    "party_management",
]
ORG_NAMES = ["书法家协会", "志愿者协会", "摄影家协会", "餐饮行业协会", "青年创业促进会"]


def new_uscc(n: int, kind: str = "1", division: str = "430102") -> str:
    return make_uscc(f"5{kind}{division}MJ1{n:06d}")


def org(n: int, changes: dict[str, object] | None = None) -> dict[str, object]:
    """A valid new organization of 芙蓉区 (number `n` makes its USCC), with `changes`."""
    row: dict[str, object] = {
        "统一社会信用代码": new_uscc(n),
        "社会组织名称": f"长沙市芙蓉区{ORG_NAMES[n % len(ORG_NAMES)]}{n}",
        "社会组织类型": "社会团体",
        "登记管理机关": "芙蓉区民政局",
        "登记方式": "直接登记",
        "业务主管单位": "",
        "行业类别": "行业协会商会",
        "所在区县": "芙蓉区",
        "所在乡镇(街道)": "文艺路街道",
        "所在村(社区)": "",
        "成立登记日期": "2015-03-01",
        "登记状态": "正常",
        "状态变更日期": "",
        "从业人员数": "12",
        "党建管理方式": "",
    }
    row.update(changes or {})
    return row


PEOPLE_COLUMNS = [
    "姓名",
    "公民身份号码",
    "工作单位统一社会信用代码",
    "职务类别",
    "入职日期",
    "离职日期",
    "政治面貌",
    "入党日期",
    "转正日期",
    "组织关系所在党组织编码",
]


def new_id(n: int, birth: str = "19880815") -> str:
    return make_id_number(f"430102{birth}{n:03d}")


def person(n: int, changes: dict[str, object] | None = None) -> dict[str, object]:
    """A valid new Party member working at ORG_A, with `changes`."""
    row: dict[str, object] = {
        "姓名": ["王芳", "陈静", "刘洋", "杨帆", "黄磊"][n % 5],
        "公民身份号码": new_id(n),
        "工作单位统一社会信用代码": ORG_A,
        "职务类别": "管理层",
        "入职日期": "2016-04-01",
        "离职日期": "",
        "政治面貌": "中共党员",
        "入党日期": "2010-07-01",
        "转正日期": "2011-07-01",
        "组织关系所在党组织编码": PO_BRANCH,
    }
    row.update(changes or {})
    return row


PARTY_ORG_COLUMNS = [
    "党组织编码",
    "党组织名称",
    "党组织类别",
    "组建方式",
    "上级党组织编码",
    "覆盖社会组织",
    "所在乡镇(街道)",
    "成立日期",
    "本届任期开始日期",
    "状态",
    "撤销日期",
]


def party_org(n: int, changes: dict[str, object] | None = None) -> dict[str, object]:
    """A valid new Party branch under PO_GENERAL covering ORG_B, with `changes`."""
    row: dict[str, object] = {
        "党组织编码": f"430102D{n:03d}",
        "党组织名称": f"长沙市芙蓉区第{n}联合党支部",
        "党组织类别": "党支部",
        "组建方式": "联合组建",
        "上级党组织编码": PO_GENERAL,
        "覆盖社会组织": ORG_B,
        "所在乡镇(街道)": "文艺路街道",
        "成立日期": "2016-05-01",
        "本届任期开始日期": "2021-05-01",
        "状态": "正常",
        "撤销日期": "",
    }
    row.update(changes or {})
    return row


COMMITTEE_COLUMNS = ["党组织编码", "公民身份号码", "职务", "任职日期", "离任日期", "是否专职"]


def committee(changes: dict[str, object] | None = None) -> dict[str, object]:
    """张伟 (P_MEMBER) as secretary of PO_BRANCH, with `changes`."""
    row: dict[str, object] = {
        "党组织编码": PO_BRANCH,
        "公民身份号码": P_MEMBER,
        "职务": "书记",
        "任职日期": "2021-05-01",
        "离任日期": "",
        "是否专职": "否",
    }
    row.update(changes or {})
    return row


INSTRUCTOR_COLUMNS = [
    "姓名",
    "公民身份号码",
    "来源",
    "派驻社会组织统一社会信用代码",
    "派驻日期",
    "结束日期",
]


def instructor(n: int, changes: dict[str, object] | None = None) -> dict[str, object]:
    """A new instructor (a retired cadre) assigned to ORG_A, with `changes`."""
    row: dict[str, object] = {
        "姓名": ["赵强", "孙丽", "周敏"][n % 3],
        "公民身份号码": new_id(n, birth="19580520"),
        "来源": "离退休干部",
        "派驻社会组织统一社会信用代码": ORG_A,
        "派驻日期": "2020-03-01",
        "结束日期": "",
    }
    row.update(changes or {})
    return row


# --- Writers. ----------------------------------------------------------------------------

Table = list[list[object]]


def table(columns: list[str], *rows: dict[str, object] | None) -> Table:
    """The header and the rows in `columns` order; None is a blank row."""
    out: Table = [list(columns)]
    for row in rows:
        out.append([] if row is None else [row.get(c, "") for c in columns])
    return out


def csv_text(rows: Table) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def csv_bytes(rows: Table, encoding: str = "utf-8") -> bytes:
    return csv_text(rows).encode(encoding)


_STAMP = (2024, 1, 1, 0, 0, 0)
_W3CDTF = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def _deterministic_zip(data: bytes, patch: dict[bytes, bytes] | None = None) -> bytes:
    """openpyxl stamps the time of saving into the file; make it the same every run."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _W3CDTF.sub(b"2024-01-01T00:00:00Z", body)
            if info.filename.startswith("xl/worksheets/"):
                for old, new in (patch or {}).items():
                    body = body.replace(old, new)
            stamped = zipfile.ZipInfo(info.filename, date_time=_STAMP)
            stamped.compress_type = zipfile.ZIP_DEFLATED
            stamped.external_attr = 0o600 << 16
            dst.writestr(stamped, body)
    return out.getvalue()


def xlsx_bytes(
    rows: Table,
    *,
    first_column: int = 1,
    dates: bool = True,
    numbers: bool = True,
    patch: dict[bytes, bytes] | None = None,
) -> bytes:
    """An xlsx as Excel would save it: YYYY-MM-DD text becomes a date cell and integer
    text a number cell (unless turned off), the rest stays text."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sheet1"
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=first_column):
            if value == "" or value is None:
                continue
            cell_value = value
            if isinstance(value, str) and r > 1:
                if dates and re.fullmatch(r"\d{4}-\d\d-\d\d", value):
                    cell_value = dt.date.fromisoformat(value)
                elif numbers and re.fullmatch(r"-?\d{1,9}", value):
                    cell_value = int(value)
            cell = sheet.cell(row=r, column=c, value=cell_value)
            if isinstance(cell_value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    book.save(out)
    return _deterministic_zip(out.getvalue(), patch)


# --- Cases. ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    path: str  # under tests/import_corpus/
    kind: str
    build: Callable[[], bytes]
    errors: tuple[str, ...] = ()  # exact, in the order the import reports them
    created: int | None = None  # a valid file: how many rows it creates
    rows: int | None = None  # a valid file: how many data rows it has
    setup: str = ""  # more world the case needs (see the test's `world` fixture)
    why: str = ""
    xfail: str = ""  # a known bug of the import outside the readers (see the test)

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def file(self) -> Path:
        return CORPUS_DIR / self.path


CASES: list[Case] = []


def case(path: str, kind: str, build: Callable[[], bytes], *errors: str, **kw: object) -> None:
    CASES.append(Case(path, kind, build, tuple(errors), **kw))  # type: ignore[arg-type]


def csv_case(path: str, kind: str, rows: Table, *errors: str, **kw: object) -> None:
    case(path, kind, lambda: csv_bytes(rows), *errors, **kw)


def valid_csv(path: str, kind: str, rows: Table, *, created: int, **kw: object) -> None:
    data_rows = sum(1 for r in rows[1:] if any(str(c).strip() for c in r))
    case(path, kind, lambda: csv_bytes(rows), created=created, rows=data_rows, **kw)


_FULL_WIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}

# orgs ---------------------------------------------------------------------------------------
O = ORG_COLUMNS  # noqa: E741


def org_bad(name: str, changes: dict[str, object], column: str, value: str, message: str):
    csv_case(
        f"orgs/{name}.csv",
        "orgs",
        table(O, org(1), org(2, changes)),
        err(3, column, value, message),
    )


bad = new_uscc(2)[:17] + ("0" if new_uscc(2)[17] != "0" else "1")
org_bad(
    "uscc-check-character",
    {"统一社会信用代码": bad},
    "统一社会信用代码",
    bad,
    f"校验位不正确（按前17位应为{new_uscc(2)[17]}），请核对是否录入有误",
)
business = make_uscc("91430102MA4L00002")  # a company's: issued by market regulation
org_bad(
    "uscc-not-civil-affairs",
    {"统一社会信用代码": business},
    "统一社会信用代码",
    business,
    "不是民政部门登记的社会组织代码（首位应为5）",
)
org_bad(
    "uscc-kind-mismatch",
    {"统一社会信用代码": new_uscc(2, kind="2")},
    "统一社会信用代码",
    new_uscc(2, kind="2"),
    "第2位为2，与社会组织类型「社会团体」不符（应为1）",
)
org_bad(
    "unknown-kind",
    {"社会组织类型": "民间组织"},
    "社会组织类型",
    "民间组织",
    "不是可选值，应为：社会团体、社会服务机构、基金会",
)
valid_csv(
    "orgs/alias-minfei.csv",
    "orgs",
    table(
        O,
        org(1),
        org(2, {"统一社会信用代码": new_uscc(2, kind="2"), "社会组织类型": "民办非企业单位"}),
    ),
    created=2,
    why="民办非企业单位 is the old name of 社会服务机构 (CONTRACT.md): accepted",
)
org_bad(
    "supervised-without-supervisor",
    {"登记方式": "业务主管单位"},
    "业务主管单位",
    "",
    "登记方式为「业务主管单位」时必填",
)
org_bad(
    "direct-with-supervisor",
    {"业务主管单位": SUPERVISOR},
    "业务主管单位",
    SUPERVISOR,
    "直接登记的社会组织没有业务主管单位：请清空，或将登记方式改为「业务主管单位」",
)
org_bad(
    "township-outside-district",
    {"所在乡镇(街道)": "坡子街街道"},
    "所在乡镇(街道)",
    "坡子街街道",
    "芙蓉区（430102）内没有名为「坡子街街道」的乡镇(街道)，请核对名称或填写区划代码",
)
org_bad(
    "township-code-outside-district",
    {"所在乡镇(街道)": "430103001"},
    "所在乡镇(街道)",
    "430103001",
    "「坡子街街道」不在芙蓉区（430102）内",
)
csv_case(
    "orgs/township-ambiguous.csv",
    "orgs",
    table(O, org(1, {"所在乡镇(街道)": "朝阳街街道"}), org(2)),
    err(
        3,
        "所在乡镇(街道)",
        "文艺路街道",
        "名称对应多个乡镇(街道)：430102001（芙蓉区）、430102099（芙蓉区），请填写区划代码",
    ),
    setup="township-twin-in-district",
    why="no township name repeats in Changsha, so the test adds a second 文艺路街道 to 芙蓉区",
)
org_bad(
    "community-outside-township",
    {"所在乡镇(街道)": "朝阳街街道", "所在村(社区)": "识字里社区"},
    "所在村(社区)",
    "识字里社区",
    "朝阳街街道（430102002）内没有名为「识字里社区」的村(社区)，请核对名称或填写区划代码",
)
org_bad(
    "unknown-district",
    {"所在区县": "望城县"},
    "所在区县",
    "望城县",
    "没有名为「望城县」的区县(市)，请核对名称或填写区划代码",
)
org_bad(
    "unknown-district-code",
    {"所在区县": "430199"},
    "所在区县",
    "430199",
    "区划代码不存在（应为区县(市)的代码）",
)
org_bad(
    "district-code-is-a-township",
    {"所在区县": "430102001"},
    "所在区县",
    "430102001",
    "区划代码是乡镇(街道)「文艺路街道」，不是区县(市)",
)
org_bad(
    "unknown-registry",
    {"登记管理机关": "芙蓉区社会组织管理局"},
    "登记管理机关",
    "芙蓉区社会组织管理局",
    "未登记的登记管理机关：请填写民政部门全称，如「长沙市民政局」「芙蓉区民政局」",
)
org_bad(
    "registry-is-a-supervisor",
    {"登记管理机关": SUPERVISOR},
    "登记管理机关",
    SUPERVISOR,
    "该单位不是民政部门（登记管理机关）",
)
org_bad(
    "status-without-date",
    {"登记状态": "注销"},
    "状态变更日期",
    "",
    "登记状态不是「正常」时必填",
)
org_bad(
    "active-with-status-date",
    {"状态变更日期": "2020-06-30"},
    "状态变更日期",
    "2020-06-30",
    "登记状态为「正常」时不填写状态变更日期",
)
org_bad(
    "status-change-before-registration",
    {"登记状态": "注销", "状态变更日期": "2014-12-31"},
    "状态变更日期",
    "2014-12-31",
    "早于成立登记日期 2015-03-01",
)
org_bad(
    "registration-in-future",
    {"成立登记日期": "2099-01-01"},
    "成立登记日期",
    "2099-01-01",
    "晚于今天",
)
org_bad("negative-staff-count", {"从业人员数": "-3"}, "从业人员数", "-3", "应在0到10000000之间")
org_bad("non-integer-staff-count", {"从业人员数": "十二"}, "从业人员数", "十二", "应为整数")
org_bad("fractional-staff-count", {"从业人员数": "12.5"}, "从业人员数", "12.5", "应为整数")
org_bad(
    "bad-date",
    {"成立登记日期": "2015年3月1日"},
    "成立登记日期",
    "2015年3月1日",
    "不是日期：请按 YYYY-MM-DD 或 YYYY/M/D 填写",
)
org_bad(
    "impossible-date", {"成立登记日期": "2015-02-30"}, "成立登记日期", "2015-02-30", "日期不存在"
)
org_bad(
    "unknown-industry",
    {"行业类别": "环保"},
    "行业类别",
    "环保",
    "不是可选值，应为：行业协会商会、科技类、公益慈善类、城乡社区服务类、教育、卫生健康、文化、"
    "体育、养老服务、法律服务、农业农村、生态环境、其他",
)
org_bad(
    "uscc-wrong-length",
    {"统一社会信用代码": new_uscc(2)[:16]},
    "统一社会信用代码",
    new_uscc(2)[:16],
    "应为18位，实为16位",
)
org_bad(
    "uscc-bad-character",
    {"统一社会信用代码": new_uscc(2)[:10] + "O" + new_uscc(2)[11:]},
    "统一社会信用代码",
    new_uscc(2)[:10] + "O" + new_uscc(2)[11:],
    "格式不正确：前8位应为数字，其余为数字或大写字母（不含I、O、Z、S、V）",
)
org_bad(
    "unknown-registration-mode",
    {"登记方式": "备案"},
    "登记方式",
    "备案",
    "不是可选值，应为：直接登记、业务主管单位",
)
org_bad(
    "unknown-status",
    {"登记状态": "存续"},
    "登记状态",
    "存续",
    "不是可选值，应为：正常、注销、撤销、停止活动",
)
org_bad(
    "unknown-party-management",
    {"党建管理方式": "自管"},
    "党建管理方式",
    "自管",
    "不是可选值，应为：委托乡镇(街道)、属地乡镇(街道)、属地村(社区)",
)
org_bad(
    "supervisor-is-a-registry",
    {"登记方式": "业务主管单位", "业务主管单位": "天心区民政局"},
    "业务主管单位",
    "天心区民政局",
    "该单位不是业务主管单位",
)
org_bad(
    "unknown-township",
    {"所在乡镇(街道)": "五一广场街道"},
    "所在乡镇(街道)",
    "五一广场街道",
    "芙蓉区（430102）内没有名为「五一广场街道」的乡镇(街道)，请核对名称或填写区划代码",
)
org_bad("required-name-blank", {"社会组织名称": "  "}, "社会组织名称", "", "必填")
org_bad(
    "name-too-long",
    {"社会组织名称": "长" * 201},
    "社会组织名称",
    "长" * 100,
    "超过200个字（实为201个字）",
)
org_bad(
    "name-with-line-break",
    {"社会组织名称": "长沙市芙蓉区\n书法家协会"},
    "社会组织名称",
    "长沙市芙蓉区\n书法家协会",
    "含有换行或控制字符，请删除",
)
org_bad(
    "community-management-without-community",
    {"党建管理方式": "属地村(社区)"},
    "党建管理方式",
    "属地村(社区)",
    "「属地村(社区)」须同时填写所在村(社区)",
)
org_bad(
    "uscc-arabic-digits",
    {"统一社会信用代码": new_uscc(2).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))},
    "统一社会信用代码",
    new_uscc(2).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),
    "含有不应出现的字符「٥」（U+0665）：只能是数字和大写字母，请删除后重新录入",
)
valid_csv(
    "orgs/uscc-full-width.csv",
    "orgs",
    table(O, org(1), org(2, {"统一社会信用代码": new_uscc(2).translate(_FULL_WIDTH)})),
    created=2,
    why="full-width digits and letters, as a Chinese input method types them, are the same code",
)
org_bad(
    "staff-count-thousands-of-digits",
    {"从业人员数": "9" * 5000},
    "从业人员数",
    "9" * 100,
    "应在0到10000000之间",
)
csv_case(
    "orgs/duplicate-uscc.csv",
    "orgs",
    table(O, org(1), org(1, {"社会组织名称": "长沙市芙蓉区另一个协会"})),
    err(3, "统一社会信用代码", new_uscc(1), "与第2行重复：同一社会组织只能出现一次"),
)
csv_case(
    "orgs/blank-row-numbering.csv",
    "orgs",
    table(O, org(1), None, org(2, {"从业人员数": "-1"})),
    err(4, "从业人员数", "-1", "应在0到10000000之间"),
    why="a blank row is skipped but still counted, as a spreadsheet counts it",
)
csv_case(
    "orgs/unknown-column.csv",
    "orgs",
    [[*O, "备注"], [*org(1).values(), "无"]],
    err(1, "列名", "备注", "未知的列，社会组织文件可用的列：" + "、".join(O)),
)
csv_case(
    "orgs/duplicated-column.csv",
    "orgs",
    [
        [*O[:2], "社会组织名称", *O[2:]],
        [*list(org(1).values())[:2], "又一个名称", *list(org(1).values())[2:]],
    ],
    err(1, "列名", "社会组织名称", "与第2列重复（都是「社会组织名称」）"),
)
csv_case(
    "orgs/duplicated-column-by-key.csv",
    "orgs",
    [[*O, "name"], [*org(1).values(), "又一个名称"]],
    err(1, "列名", "name", "与第2列重复（都是「社会组织名称」）"),
    why="the English key names the same column as the Chinese name",
)
csv_case(
    "orgs/missing-required-column.csv",
    "orgs",
    [[c for c in O if c != "登记状态"], [v for k, v in org(1).items() if k != "登记状态"]],
    err(1, "列名", "登记状态", "缺少必填列"),
)
csv_case(
    "orgs/data-without-header.csv",
    "orgs",
    [*table(O, org(1)), [*org(2).values(), "备用电话 0731-8888"]],
    err(3, "第16列", "备用电话 0731-8888", "该列没有列名：请补上列名或删除该列内容"),
)
valid_csv(
    "orgs/valid.csv",
    "orgs",
    table(
        O,
        org(1),
        org(
            2,
            {
                "统一社会信用代码": new_uscc(2, kind="2"),
                "社会组织类型": "社会服务机构",
                "登记方式": "业务主管单位",
                "业务主管单位": SUPERVISOR,
                "行业类别": "科技类",
                "所在乡镇(街道)": "430102002",
                "从业人员数": "",
            },
        ),
        org(
            3,
            {
                "统一社会信用代码": new_uscc(3, kind="3", division="430100"),
                "社会组织名称": "长沙市芙蓉区识字里慈善基金会",
                "社会组织类型": "基金会",
                "登记管理机关": "长沙市民政局",
                "所在村(社区)": "识字里社区",
                "成立登记日期": "2012/6/8",
                "登记状态": "注销",
                "状态变更日期": "2020-12-31",
                "党建管理方式": "属地村(社区)",
            },
        ),
    ),
    created=3,
)
case(
    "orgs/valid.xlsx",
    "orgs",
    lambda: xlsx_bytes(table(O, org(1), org(2, {"从业人员数": "0"}), org(3))),
    created=3,
    rows=3,
    why="dates as date cells, the staff count as a number cell",
)
valid_csv(
    "orgs/english-keys.csv",
    "orgs",
    [list(reversed(ORG_KEYS)), list(reversed(list(org(1).values())))],
    created=1,
    why="English keys are accepted, in any column order",
)
valid_csv(
    "orgs/blank-rows.csv",
    "orgs",
    [*table(O, None, org(1), None, org(2)), [""] * len(O), [" "] * 3],
    created=2,
    why="blank rows (empty lines, empty cells, spaces) are skipped",
)
case(
    "orgs/date-as-excel-serial.xlsx",
    "orgs",
    lambda: xlsx_bytes(table(O, org(1), org(2, {"成立登记日期": "42064"})), dates=True),
    err(
        3,
        "成立登记日期",
        "42064",
        "日期被存成了数字 42064：请将该列设为「日期」格式，或按 YYYY-MM-DD 填写",
    ),
    why="a date cell without a date format is a number, the Excel serial 42064 (2015-03-01)",
)

# people -------------------------------------------------------------------------------------
PP = PEOPLE_COLUMNS


def people_bad(name: str, changes: dict[str, object], column: str, value: str, message: str):
    csv_case(
        f"people/{name}.csv",
        "people",
        table(PP, person(1), person(2, changes)),
        err(3, column, value, message),
    )


wrong_check = new_id(2)[:17] + ("1" if new_id(2)[17] != "1" else "2")
people_bad(
    "id-check-digit",
    {"公民身份号码": wrong_check},
    "公民身份号码",
    mask(wrong_check),
    "校验位不正确，请核对是否录入有误",
)
old_id = new_id(2)[:6] + new_id(2)[8:17]
people_bad(
    "id-15-digits",
    {"公民身份号码": old_id},
    "公民身份号码",
    mask(old_id),
    "应为18位，实为15位",
)
people_bad(
    "id-scientific-notation",
    {"公民身份号码": "4.30102E+17"},
    "公民身份号码",
    "4.30102E+17",
    "公民身份号码显示为科学计数法，已被 Excel 转成数字并丢失了后几位："
    "请将该列设为「文本」格式后重新录入原始号码",
)
bad_birth = make_id_number("43010219851332002")
people_bad(
    "id-impossible-birth-date",
    {"公民身份号码": bad_birth},
    "公民身份号码",
    mask(bad_birth),
    "出生日期「19851332」不存在",
)
digits_uscc = "524301020000001040"  # all digits, check character included
people_bad(
    "employer-uscc-17-characters",
    {"工作单位统一社会信用代码": digits_uscc[1:]},
    "工作单位统一社会信用代码",
    digits_uscc[1:],
    "应为18位，实为17位：可能被 Excel 当作数字去掉了开头的字符，请将该列设为「文本」格式后重新录入",
)
people_bad(
    "member-without-confirmation",
    {"转正日期": ""},
    "转正日期",
    "",
    "正式党员（中共党员）须填写转正日期",
)
people_bad(
    "probationary-with-confirmation",
    {"政治面貌": "中共预备党员"},
    "转正日期",
    "2011-07-01",
    "预备党员尚未转正，不填写转正日期；已转正的请将政治面貌改为「中共党员」",
)
people_bad(
    "masses-with-joined-date",
    {"政治面貌": "群众", "转正日期": "", "组织关系所在党组织编码": ""},
    "入党日期",
    "2010-07-01",
    "政治面貌为「群众」时不填写此项",
)
people_bad(
    "confirmed-before-joined",
    {"转正日期": "2009-07-01"},
    "转正日期",
    "2009-07-01",
    "早于入党日期 2010-07-01",
)
people_bad(
    "left-before-employed",
    {"离职日期": "2016-03-31"},
    "离职日期",
    "2016-03-31",
    "早于入职日期 2016-04-01",
)
people_bad(
    "unknown-employer",
    {"工作单位统一社会信用代码": UNKNOWN_USCC},
    "工作单位统一社会信用代码",
    UNKNOWN_USCC,
    "不在社会组织名录中（请先导入社会组织）",
)
people_bad(
    "unknown-relation-party-org",
    {"组织关系所在党组织编码": UNKNOWN_PARTY_ORG},
    "组织关系所在党组织编码",
    UNKNOWN_PARTY_ORG,
    "党组织编码不存在（请先导入党组织）",
)
people_bad(
    "position-without-employer",
    {"工作单位统一社会信用代码": "", "入职日期": ""},
    "职务类别",
    "管理层",
    "没有填写工作单位时不填写此项",
)
people_bad(
    "member-without-joined-date",
    {"入党日期": ""},
    "入党日期",
    "",
    "政治面貌为「中共党员」时必填",
)
people_bad(
    "joined-in-future",
    {"政治面貌": "中共预备党员", "转正日期": "", "入党日期": "2099-07-01"},
    "入党日期",
    "2099-07-01",
    "晚于今天",
)
people_bad(
    "employed-in-future",
    {"入职日期": "2099-04-01"},
    "入职日期",
    "2099-04-01",
    "晚于今天",
)
people_bad(
    "masses-with-relation",
    {"政治面貌": "群众", "入党日期": "", "转正日期": ""},
    "组织关系所在党组织编码",
    PO_BRANCH,
    "政治面貌为「群众」时不填写此项",
)
unknown_region = make_id_number("99010219850312002")
people_bad(
    "id-unknown-region",
    {"公民身份号码": unknown_region},
    "公民身份号码",
    mask(unknown_region),
    "前6位「990102」不是有效的行政区划代码",
)
future_birth = make_id_number("43010220990101002")
people_bad(
    "id-born-in-future",
    {"公民身份号码": future_birth},
    "公民身份号码",
    mask(future_birth),
    "出生日期「20990101」不存在",
)
people_bad(
    "unknown-political-status",
    {"政治面貌": "党员"},
    "政治面貌",
    "党员",
    "不是可选值，应为：中共党员、中共预备党员、共青团员、群众、民主党派、无党派人士",
)
csv_case(
    "people/same-person-different-names.csv",
    "people",
    table(PP, person(1), person(1, {"姓名": "王方", "工作单位统一社会信用代码": ORG_B})),
    err(
        3,
        "公民身份号码",
        mask(new_id(1)),
        "与第2行是同一人，但姓名、政治面貌或党员信息不一致：同一人的各行须一致",
    ),
)
csv_case(
    "people/duplicate-employment.csv",
    "people",
    table(PP, person(1), person(1, {"职务类别": "负责人"})),
    err(
        3,
        "入职日期",
        "2016-04-01",
        "与第2行重复：同一人在同一单位同一入职日期只能有一行",
    ),
)
case(
    "people/id-as-number.xlsx",
    "people",
    lambda: _id_as_number_xlsx(),
    err(
        3,
        "公民身份号码",
        "4.30102E+17",
        "公民身份号码被 Excel 存成了数字，长号码已丢失精度：请将该列设为「文本」格式后重新录入",
    ),
    why="Excel shows an 18-digit number as 4.30102E+17; the message must not show more of it",
)


def _id_as_number_xlsx() -> bytes:
    import openpyxl

    rows = table(PP, person(1), person(2))
    data = xlsx_bytes(rows)
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.active
    assert sheet is not None
    sheet.cell(row=3, column=2, value=int(new_id(2)))
    out = io.BytesIO()
    book.save(out)
    return _deterministic_zip(out.getvalue())


x_id = make_id_number("43010219900101018")
assert x_id.endswith("X")
valid_csv(
    "people/valid.csv",
    "people",
    table(
        PP,
        person(1),
        person(
            1, {"工作单位统一社会信用代码": ORG_B, "职务类别": "负责人", "离职日期": "2020-01-31"}
        ),
        person(
            2,
            {
                "政治面貌": "中共预备党员",
                "转正日期": "",
                "工作单位统一社会信用代码": "",
                "职务类别": "",
                "入职日期": "",
                "入党日期": "2024-06-30",
            },
        ),
        person(
            3,
            {
                "公民身份号码": x_id.lower(),
                "政治面貌": "群众",
                "入党日期": "",
                "转正日期": "",
                "组织关系所在党组织编码": "",
                "工作单位统一社会信用代码": ORG_B,
            },
        ),
    ),
    created=4,
    why="a second employment of the same person, a probationary member, a lower-case x",
)

# party-orgs ---------------------------------------------------------------------------------
PO = PARTY_ORG_COLUMNS


def party_bad(name: str, changes: dict[str, object], column: str, value: str, message: str):
    csv_case(
        f"party-orgs/{name}.csv",
        "party-orgs",
        table(PO, party_org(10), party_org(11, changes)),
        err(3, column, value, message),
    )


party_bad(
    "unknown-parent",
    {"上级党组织编码": UNKNOWN_PARTY_ORG},
    "上级党组织编码",
    UNKNOWN_PARTY_ORG,
    "党组织编码不存在：请先导入上级党组织，或在同一文件中列出",
)
party_bad(
    "parent-is-a-branch",
    {"上级党组织编码": PO_BRANCH},
    "上级党组织编码",
    PO_BRANCH,
    "上级是党支部：党支部不设下级党组织",
)
csv_case(
    "party-orgs/parent-is-a-branch-later-in-file.csv",
    "party-orgs",
    table(
        PO,
        party_org(10),
        party_org(11, {"上级党组织编码": "430102D012"}),
        party_org(12, {"覆盖社会组织": ""}),
    ),
    err(3, "上级党组织编码", "430102D012", "上级是党支部：党支部不设下级党组织"),
)
csv_case(
    "party-orgs/parent-is-self.csv",
    "party-orgs",
    table(PO, party_org(10), party_org(11, {"上级党组织编码": "430102D011"})),
    err(3, "上级党组织编码", "430102D011", "不能是本组织自己"),
)
csv_case(
    "party-orgs/cycle-with-known.csv",
    "party-orgs",
    table(
        PO,
        party_org(10),
        {
            "党组织编码": PO_COMMITTEE,
            "党组织名称": "中共长沙市芙蓉区社会组织综合委员会",
            "党组织类别": "党委",
            "组建方式": "行业党委",
            "上级党组织编码": PO_GENERAL,
            "所在乡镇(街道)": "文艺路街道",
            "成立日期": "2014-06-01",
            "状态": "正常",
        },
    ),
    err(3, "上级党组织编码", PO_GENERAL, "是本组织的下级党组织：上下级关系不能成环"),
    why="the known 党委 made a child of its own 党总支",
)
csv_case(
    "party-orgs/cycle-in-file.csv",
    "party-orgs",
    table(
        PO,
        party_org(10),
        party_org(11, {"党组织类别": "党总支", "上级党组织编码": "430102D012", "覆盖社会组织": ""}),
        party_org(12, {"党组织类别": "党总支", "上级党组织编码": "430102D011", "覆盖社会组织": ""}),
    ),
    err(3, "上级党组织编码", "430102D012", "上级党组织也在等待其上级，上下级关系成环或上级不存在"),
    err(4, "上级党组织编码", "430102D011", "上级党组织也在等待其上级，上下级关系成环或上级不存在"),
)
csv_case(
    "party-orgs/cycle-through-known.csv",
    "party-orgs",
    table(
        PO,
        party_org(10),
        party_org(11, {"党组织类别": "党总支", "上级党组织编码": "430102D012", "覆盖社会组织": ""}),
        party_org(12, {"党组织类别": "党委", "上级党组织编码": PO_COMMITTEE, "覆盖社会组织": ""}),
        {
            "党组织编码": PO_COMMITTEE,
            "党组织名称": "中共长沙市芙蓉区社会组织综合委员会",
            "党组织类别": "党委",
            "组建方式": "行业党委",
            "上级党组织编码": "430102D011",
            "所在乡镇(街道)": "文艺路街道",
            "成立日期": "2014-06-01",
            "状态": "正常",
        },
    ),
    err(5, "上级党组织编码", "430102D011", "是本组织的下级党组织：上下级关系不能成环"),
    why="D011 → D012 → the known 党委 → D011: every parent exists by the end of the file",
)
party_bad(
    "dissolved-without-date",
    {"状态": "已撤销"},
    "撤销日期",
    "",
    "状态为「已撤销」时必填",
)
party_bad(
    "active-with-dissolution-date",
    {"撤销日期": "2022-01-01"},
    "撤销日期",
    "2022-01-01",
    "状态为「正常」时不填写撤销日期",
)
party_bad(
    "dissolved-before-founded",
    {"状态": "已撤销", "撤销日期": "2016-04-30"},
    "撤销日期",
    "2016-04-30",
    "早于成立日期 2016-05-01",
)
party_bad(
    "unknown-covered-uscc",
    {"覆盖社会组织": f"{ORG_B}；{UNKNOWN_USCC}"},
    "覆盖社会组织",
    f"{ORG_B}；{UNKNOWN_USCC}",
    f"这些统一社会信用代码不在社会组织名录中：{UNKNOWN_USCC}（请先导入社会组织）",
)
party_bad(
    "covered-twice",
    {"覆盖社会组织": f"{ORG_B}、{ORG_B}"},
    "覆盖社会组织",
    f"{ORG_B}、{ORG_B}",
    "同一社会组织重复列出",
)
party_bad(
    "unknown-level",
    {"党组织类别": "党小组"},
    "党组织类别",
    "党小组",
    "不是可选值，应为：党委、党总支、党支部",
)
party_bad(
    "founded-in-future",
    {"成立日期": "2099-05-01", "本届任期开始日期": ""},
    "成立日期",
    "2099-05-01",
    "晚于今天",
)
party_bad(
    "term-before-founded",
    {"本届任期开始日期": "2016-04-30"},
    "本届任期开始日期",
    "2016-04-30",
    "早于成立日期 2016-05-01",
)
party_bad(
    "unknown-township",
    {"所在乡镇(街道)": "五一广场街道"},
    "所在乡镇(街道)",
    "五一广场街道",
    "没有名为「五一广场街道」的乡镇(街道)，请核对名称或填写区划代码",
)
party_bad(
    "township-form-covers-orgs",
    {"组建方式": "乡镇(街道)"},
    "覆盖社会组织",
    ORG_B,
    "乡镇(街道)、村(社区)党组织不登记覆盖的社会组织",
)
csv_case(
    "party-orgs/parent-row-rejected.csv",
    "party-orgs",
    table(
        PO,
        party_org(
            12, {"党组织类别": "党委", "上级党组织编码": "", "覆盖社会组织": "", "状态": "已撤销"}
        ),
        party_org(11, {"上级党组织编码": "430102D012"}),
    ),
    err(2, "撤销日期", "", "状态为「已撤销」时必填"),
    err(3, "上级党组织编码", "430102D012", "上级党组织所在的第2行有错误，未能导入"),
    why="the child names its parent's row, whose own error is the one to fix",
)
csv_case(
    "party-orgs/duplicate-code.csv",
    "party-orgs",
    table(PO, party_org(10), party_org(10, {"党组织名称": "另一个名称"})),
    err(3, "党组织编码", "430102D010", "与第2行重复：同一党组织只能出现一次"),
)
csv_case(
    "party-orgs/township-ambiguous.csv",
    "party-orgs",
    table(PO, party_org(10, {"所在乡镇(街道)": "430102001"}), party_org(11)),
    err(
        3,
        "所在乡镇(街道)",
        "文艺路街道",
        "名称对应多个乡镇(街道)：430102001（芙蓉区）、430103099（天心区），请填写区划代码",
    ),
    setup="township-twin-elsewhere",
    why="a Party organization names its township without a district: the test adds a second "
    "文艺路街道 to 天心区 (none repeats in Changsha, many do in a province)",
)
valid_csv(
    "party-orgs/parent-later-in-file.csv",
    "party-orgs",
    table(
        PO,
        party_org(11, {"上级党组织编码": "430102D012"}),
        party_org(
            12,
            {
                "党组织类别": "党委",
                "组建方式": "行业党委",
                "上级党组织编码": "",
                "覆盖社会组织": "",
                "党组织名称": "中共长沙市芙蓉区养老服务行业委员会",
            },
        ),
    ),
    created=2,
    why="a parent may appear after its children (CONTRACT.md)",
)
valid_csv(
    "party-orgs/valid.csv",
    "party-orgs",
    table(
        PO,
        party_org(10),
        party_org(
            11,
            {
                "党组织类别": "党总支",
                "组建方式": "单独组建",
                "上级党组织编码": PO_COMMITTEE,
                "覆盖社会组织": ORG_C,
                "所在乡镇(街道)": "坡子街街道",
                "状态": "已撤销",
                "撤销日期": "2023-12-31",
            },
        ),
    ),
    created=2,
)

# committees ---------------------------------------------------------------------------------
CM = COMMITTEE_COLUMNS


def committee_bad(name: str, changes: dict[str, object], column: str, value: str, message: str):
    second = committee({"公民身份号码": P_MASSES, "职务": "委员", **changes})
    csv_case(
        f"committees/{name}.csv",
        "committees",
        table(CM, committee(), second),
        err(3, column, value, message),
    )


committee_bad(
    "unknown-person",
    {"公民身份号码": UNKNOWN_ID},
    "公民身份号码",
    mask(UNKNOWN_ID),
    "不是已登记的人员（请先在人员文件中导入此人）",
)
committee_bad(
    "unknown-party-org",
    {"党组织编码": UNKNOWN_PARTY_ORG},
    "党组织编码",
    UNKNOWN_PARTY_ORG,
    "党组织编码不存在（请先导入党组织）",
)
committee_bad(
    "ended-before-started",
    {"离任日期": "2021-04-30"},
    "离任日期",
    "2021-04-30",
    "早于任职日期 2021-05-01",
)
committee_bad("bad-full-time", {"是否专职": "专职"}, "是否专职", "专职", "应为「是」或「否」")
committee_bad(
    "unknown-role",
    {"职务": "组织委员"},
    "职务",
    "组织委员",
    "不是可选值，应为：书记、副书记、委员",
)
committee_bad(
    "started-in-future",
    {"任职日期": "2099-05-01"},
    "任职日期",
    "2099-05-01",
    "晚于今天",
)
csv_case(
    "committees/duplicate-office.csv",
    "committees",
    table(CM, committee(), committee({"是否专职": "是"})),
    err(3, "任职日期", "2021-05-01", "与第2行重复"),
)
valid_csv(
    "committees/valid.csv",
    "committees",
    table(
        CM,
        committee(),
        committee(
            {"公民身份号码": P_MASSES, "职务": "委员", "离任日期": "2023-05-01", "是否专职": ""}
        ),
    ),
    created=2,
)

# instructors --------------------------------------------------------------------------------
IN = INSTRUCTOR_COLUMNS


def instructor_bad(name: str, changes: dict[str, object], column: str, value: str, message: str):
    csv_case(
        f"instructors/{name}.csv",
        "instructors",
        table(IN, instructor(1), instructor(2, changes)),
        err(3, column, value, message),
    )


instructor_bad(
    "name-disagrees-with-person",
    {"姓名": "张卫", "公民身份号码": P_MEMBER},
    "姓名",
    "张卫",
    "与已登记的同一公民身份号码的姓名「张伟」不一致",
)
instructor_bad(
    "unknown-org",
    {"派驻社会组织统一社会信用代码": UNKNOWN_USCC},
    "派驻社会组织统一社会信用代码",
    UNKNOWN_USCC,
    "不在社会组织名录中（请先导入社会组织）",
)
instructor_bad(
    "ended-before-assigned",
    {"结束日期": "2020-02-29"},
    "结束日期",
    "2020-02-29",
    "早于派驻日期 2020-03-01",
)
instructor_bad(
    "unknown-source",
    {"来源": "志愿者"},
    "来源",
    "志愿者",
    "不是可选值，应为：党政机关、国有企事业单位、离退休干部、复转军人、大学生村官、其他",
)
instructor_bad(
    "assigned-in-future",
    {"派驻日期": "2099-03-01"},
    "派驻日期",
    "2099-03-01",
    "晚于今天",
)
csv_case(
    "instructors/same-person-different-source.csv",
    "instructors",
    table(
        IN, instructor(1), instructor(1, {"来源": "其他", "派驻社会组织统一社会信用代码": ORG_B})
    ),
    err(3, "来源", "其他", "与第2行是同一人，但姓名或来源不一致"),
)
csv_case(
    "instructors/duplicate-assignment.csv",
    "instructors",
    table(IN, instructor(1), instructor(1, {"结束日期": "2022-03-01"})),
    err(3, "派驻日期", "2020-03-01", "与第2行重复"),
)
valid_csv(
    "instructors/valid.csv",
    "instructors",
    table(
        IN,
        instructor(1),
        instructor(
            1,
            {
                "派驻社会组织统一社会信用代码": ORG_B,
                "派驻日期": "2018-01-01",
                "结束日期": "2019-12-31",
            },
        ),
        instructor(2, {"姓名": "李娜", "公民身份号码": P_MASSES, "来源": "其他"}),
    ),
    created=3,
    why="two assignments of one instructor; a known person under the name on record",
)

# malformed files (imported as orgs) ---------------------------------------------------------
GOOD = table(O, org(1), org(2))


def _garbage(seed: int, size: int, alphabet: bytes | None = None) -> bytes:
    rng = random.Random(seed)
    if alphabet is None:
        return rng.randbytes(size)
    return bytes(rng.choice(alphabet) for _ in range(size))


FILE_ERROR_BINARY = "文件: 文件含有二进制内容，不是文本格式的 CSV：请上传 .csv（UTF-8 或 GB18030 编码）或 .xlsx 文件"
FILE_ERROR_BROKEN_XLSX = "文件: xlsx 文件已损坏或不完整，无法读取：请在 Excel 中重新保存后再导入"
case("malformed/binary-garbage.csv", "orgs", lambda: _garbage(1, 4096), FILE_ERROR_BINARY)
case(
    "malformed/binary-garbage-no-nul.csv",
    "orgs",
    lambda: _garbage(2, 4096, bytes(range(0x80, 0x100))),
    "文件: 无法识别文件编码：请将文件另存为 UTF-8 编码的 CSV，或直接上传 .xlsx",
)
case(
    "malformed/truncated.xlsx",
    "orgs",
    lambda: (lambda data: data[: len(data) // 2])(xlsx_bytes(GOOD)),
    FILE_ERROR_BROKEN_XLSX,
)
case("malformed/empty.csv", "orgs", lambda: b"", "文件: 文件是空的：第1行应为列名")
case("malformed/empty.xlsx", "orgs", lambda: xlsx_bytes([]), "文件: 文件是空的：第1行应为列名")
case(
    "malformed/only-blank-lines.csv",
    "orgs",
    lambda: b"\r\n\r\n",
    "文件: 文件是空的：第1行应为列名",
)
case(
    "malformed/header-only.csv",
    "orgs",
    lambda: csv_bytes([O]),
    created=0,
    rows=0,
    why="CONTRACT.md: the first row holds the column names and rows follow; none is no error",
)
case(
    "malformed/header-only.xlsx",
    "orgs",
    lambda: xlsx_bytes([O]),
    created=0,
    rows=0,
)
case(
    "malformed/huge-cell.csv",
    "orgs",
    lambda: csv_bytes(table(O, org(1), org(2, {"社会组织名称": "x" * (1 << 20)}))),
    "第3行: 有单元格超过131072个字符，文件可能已损坏（例如引号不成对）",
    why="a 1 MiB cell",
)
case(
    "malformed/huge-cell.xlsx",
    "orgs",
    lambda: xlsx_bytes(
        table(O, org(1), org(2, {"社会组织名称": "x" * 32767})),
        patch={b"x" * 32767: b"x" * (1 << 20)},  # openpyxl stops at Excel's 32767
    ),
    "第3行: 有单元格超过32,767个字符（Excel 单元格的上限）：文件可能已损坏，"
    "请检查后在 Excel 中重新保存再导入",
    why="refused by the reader (IMPORT_MAX_CELL_CHARS) before calamine holds the cell",
)
case(
    "malformed/formula.xlsx",
    "orgs",
    lambda: xlsx_bytes(
        table(O, org(1), org(2, {"社会组织名称": '=CONCATENATE("长沙市","书法家协会")'}))
    ),
    err(
        3,
        "社会组织名称",
        '=CONCATENATE("长沙市","书法家协会")',
        "是公式：请将公式复制后「选择性粘贴为数值」再导入",
    ),
)
case(
    "malformed/mixed-encodings.csv",
    "orgs",
    lambda: csv_bytes(GOOD[:2]) + csv_bytes([GOOD[2]], "gb18030"),
    "第3行: 文件编码不一致：该行不是UTF-8编码（文件可能由不同来源拼接而成）。"
    "请将整个文件另存为 UTF-8 编码后再导入",
    why="a UTF-8 file with a row pasted from a GB18030 one",
)
case(
    "malformed/gb18030.csv",
    "orgs",
    lambda: csv_bytes(GOOD, "gb18030"),
    created=2,
    rows=2,
    why="what Excel writes for 「CSV（逗号分隔）」 on a Chinese Windows",
)
case(
    "malformed/utf8-bom.csv",
    "orgs",
    lambda: csv_bytes(GOOD, "utf-8-sig"),
    created=2,
    rows=2,
    why="what Excel writes for 「CSV UTF-8（逗号分隔）」",
)
case(
    "malformed/old-excel.xls",
    "orgs",
    lambda: bytes.fromhex("d0cf11e0a1b11ae1") + bytes(24) + _garbage(3, 480),
    "文件: 这是旧版 Excel 97-2003（.xls）文件：请在 Excel 中另存为 .xlsx 后再导入",
)
case(
    "malformed/csv-renamed.xlsx",
    "orgs",
    lambda: csv_bytes(GOOD),
    "文件: 文件扩展名是 Excel，但内容是文本（CSV）而不是 .xlsx：请将扩展名改为 .csv，"
    "或在 Excel 中另存为 .xlsx 后再导入",
)


case(
    "malformed/blank-first-line.csv",
    "orgs",
    lambda: b"\r\n" + csv_bytes(GOOD),
    "文件: 第1行是空的：第1行应为列名，请删除文件开头的空行",
)
case(
    "malformed/blank-first-row.xlsx",
    "orgs",
    lambda: xlsx_bytes([[], *GOOD]),
    "文件: 第1行是空的：第1行应为列名，请删除文件开头的空行",
)
case(
    "malformed/utf16.csv",
    "orgs",
    lambda: csv_text(GOOD).replace(",", "\t").encode("utf-16"),
    "文件: 文件是 UTF-16 编码（Excel 的「Unicode 文本」）：请在 Excel 中另存为"
    "「CSV UTF-8（逗号分隔）」或 .xlsx 后再导入",
)
case(
    "malformed/old-excel-named-csv.csv",
    "orgs",
    lambda: bytes.fromhex("d0cf11e0a1b11ae1") + bytes(24) + _garbage(3, 480),
    "文件: 这是旧版 Excel 97-2003（.xls）文件：请在 Excel 中另存为 .xlsx 后再导入",
)
case(
    "malformed/sheet-starts-at-column-b.xlsx",
    "orgs",
    lambda: xlsx_bytes([*table(O, org(1)), [*org(2).values(), "备用电话"]], first_column=2),
    err(3, "第17列", "备用电话", "该列没有列名：请补上列名或删除该列内容"),
    why="column A is empty: the columns are still counted from A",
)
case(
    "malformed/sheet-starts-at-column-b-valid.xlsx",
    "orgs",
    lambda: xlsx_bytes(GOOD, first_column=2),
    created=2,
    rows=2,
)

# Bombs (IMPORT_MAX_* in the settings): small files that decompress to far more than any
# import may hold, refused before they are read into memory.
_SPREADSHEET_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_PACKAGE_RELS = b"http://schemas.openxmlformats.org/package/2006/relationships"
_DOCUMENT_RELS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _bomb_xlsx(rows: Iterable[bytes], shared: Iterable[bytes] = ()) -> bytes:
    """An xlsx written part by part, streamed: `rows` (<row> elements) in its sheet and
    `shared` (<si> elements) in its shared strings."""
    parts = {
        "[Content_Types].xml": b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="'
        b'http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="'
        b'rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        b'<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        b'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sheet.main+xml"/></Types>',
        "_rels/.rels": b'<Relationships xmlns="' + _PACKAGE_RELS + b'"><Relationship Id="rId1" '
        b'Type="' + _DOCUMENT_RELS + b'/officeDocument" Target="xl/workbook.xml"/>'
        b"</Relationships>",
        "xl/workbook.xml": b"<workbook "
        + _SPREADSHEET_NS
        + b' xmlns:r="'
        + _DOCUMENT_RELS
        + b'"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": b'<Relationships xmlns="' + _PACKAGE_RELS + b'">'
        b'<Relationship Id="rId1" Type="' + _DOCUMENT_RELS + b'/worksheet" '
        b'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="'
        + _DOCUMENT_RELS
        + b'/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    }
    streamed = {
        "xl/sharedStrings.xml": (b"<sst " + _SPREADSHEET_NS + b">", shared, b"</sst>"),
        "xl/worksheets/sheet1.xml": (
            b"<worksheet " + _SPREADSHEET_NS + b"><sheetData>",
            rows,
            b"</sheetData></worksheet>",
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, body in parts.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=_STAMP), body)
        for name, (start, middle, end) in streamed.items():
            info = zipfile.ZipInfo(name, date_time=_STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=True) as fh:
                fh.write(start)
                for piece in middle:
                    fh.write(piece)
                fh.write(end)
    return out.getvalue()


def _header_row() -> bytes:
    cells = b"".join(
        b'<c r="%s1" t="inlineStr"><is><t>%s</t></is></c>' % (bytes([65 + i]), name.encode())
        for i, name in enumerate(O)
    )
    return b'<row r="1">' + cells + b"</row>"


case(
    "malformed/bomb-huge-cell.xlsx",
    "orgs",
    lambda: _bomb_xlsx(
        [_header_row(), b'<row r="2"><c r="B2" t="s"><v>0</v></c></row>'],
        [b"<si><t>", *[b"x" * (1 << 20)] * 64, b"</t></si>"],
    ),
    "文件: 有单元格超过32,767个字符（Excel 单元格的上限）：文件可能已损坏，"
    "请检查后在 Excel 中重新保存再导入",
    why="a 64 MiB shared string in a file of 64 KB: refused before calamine holds it",
)
case(
    "malformed/bomb-blank-rows.xlsx",
    "orgs",
    lambda: _bomb_xlsx(
        [_header_row(), *[b'<row><c t="inlineStr"><is><t> </t></is></c></row>' * 10_000] * 300]
    ),
    "第213334行: 工作表超过3,200,000个单元格（导入文件的上限，按行数×列数计算，"
    "本表有15列）：请删除多余的行和列，或拆分成多个文件，或改用 CSV 文件导入",
    why="3,000,000 blank rows: skipped, but counted against IMPORT_MAX_CELLS",
)
case(
    "malformed/excel-errors.xlsx",
    "orgs",
    lambda: xlsx_bytes(
        table(O, org(1), org(2, {"社会组织名称": "#REF!", "从业人员数": "#DIV/0!"}))
    ),
    err(3, "社会组织名称", "#REF!", "单元格是 Excel 错误值 #REF!（引用无效），请改为实际内容"),
    err(3, "从业人员数", "#DIV/0!", "单元格是 Excel 错误值 #DIV/0!（除数为零），请改为实际内容"),
    why="openpyxl saves these strings as error cells (type e), as Excel saves pasted errors",
)


def write_all(directory: Path = CORPUS_DIR) -> list[Path]:
    written = []
    for c in CASES:
        target = directory / c.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(c.build())
        written.append(target)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS_DIR
    print(f"{len(write_all(target))} files written under {target}")
