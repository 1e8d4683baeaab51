"""Columns of the import files and how each cell is read (CONTRACT.md, "Import files").

A parser takes the raw cell (text from a CSV; str, int, float, bool or date from an xlsx)
and returns the Python value, or raises CellError with the reason in Chinese.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dangjian.imports.errors import CellError

Parser = Callable[[Any], Any]

# Excel shows a long number as 4.30102E+17: always with the sign. Without one, "E" between
# digits is a letter of a real code (USCCs may hold an E), never Excel's damage.
_EXCEL_NUMBER = re.compile(r"^\d+(\.\d+)?[eE][+-]\d+$")
_DATE_TEXT = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_CONTROL = re.compile(r"[\x00-\x1f]")  # what `ord(c) < 32` finds, in one pass


# Excel's error values, with what each means: a cell that holds one (a formula's result pasted
# as a value) is named as such, never taken for its text or for an empty cell.
EXCEL_ERRORS = {
    "#REF!": "引用无效",
    "#VALUE!": "值的类型不对",
    "#DIV/0!": "除数为零",
    "#N/A": "值不可用",
    "#NAME?": "无法识别的名称",
    "#NUM!": "数值无效",
    "#NULL!": "区域没有交集",
    "#SPILL!": "溢出区域不为空",
    "#CALC!": "计算出错",
    "#GETTING_DATA": "数据尚未取得",
}


class ExcelError(str):
    """An xlsx cell of type error ("e"): its text is the error value, e.g. "#REF!"."""

    __slots__ = ()

    @property
    def reason(self) -> str:
        gloss = EXCEL_ERRORS.get(str(self))
        meaning = f"（{gloss}）" if gloss else ""
        return f"单元格是 Excel 错误值 {self}{meaning}，请改为实际内容"


def pure(parse: Parser) -> Parser:
    """Mark a parser whose value depends on the cell alone (not on today, the database or
    the settings): the import remembers its value for each distinct text of a column
    (`service._Parser`), so a value a file repeats — a member's amounts, month by month — is
    parsed once. Its values must be immutable."""
    parse.pure = True  # type: ignore[attr-defined]
    return parse


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def as_text(raw: Any) -> str:
    """A cell as the text the user sees: 25.0 from Excel is "25"."""
    if type(raw) is str:  # most cells: what the last line does, without the tests before it
        return raw.strip()
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float) and raw.is_integer() and abs(raw) < 1e15:
        return str(int(raw))
    if isinstance(raw, float) and abs(raw) >= 1e15 and raw == raw and abs(raw) != float("inf"):
        # As Excel shows it ("常规" format): an 18-digit number is 4.30102E+17. Never more
        # digits than that: they would give away most of an identity number.
        mantissa, exponent = f"{raw:.5E}".split("E")
        return f"{mantissa.rstrip('0').rstrip('.')}E{exponent}"
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return str(raw).strip()


def text(max_length: int) -> Parser:
    def parse(raw: Any) -> str:
        value = as_text(raw)
        if len(value) > max_length:
            raise CellError(f"超过{max_length}个字（实为{len(value)}个字）")
        if _CONTROL.search(value):
            raise CellError("含有换行或控制字符，请删除")
        return value

    return pure(parse)


_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b-\x1f]")


def long_text(max_length: int) -> Parser:
    """Text of several lines (minutes): line breaks are kept (a CSV's CR LF as LF), other
    control characters refused."""

    def parse(raw: Any) -> str:
        value = as_text(raw).replace("\r\n", "\n").replace("\r", "\n")
        if len(value) > max_length:
            raise CellError(f"超过{max_length}个字（实为{len(value)}个字）")
        if _CONTROL_BUT_LINES.search(value):
            raise CellError("含有控制字符，请删除")
        return value

    return pure(parse)


def code(what: str, *, length: int | None = None) -> Parser:
    """A code (USCC, identity number): text, and a clear word about Excel's damage to it."""

    def parse(raw: Any) -> str:
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            raise CellError(
                f"{what}被 Excel 存成了数字，长号码已丢失精度：请将该列设为「文本」格式后重新录入"
            )
        # Full-width digits and letters (typed with a Chinese input method) are the same code.
        value = unicodedata.normalize("NFKC", as_text(raw)).replace(" ", "").upper()
        odd = None if value.isascii() else next(c for c in value if not c.isascii())
        if odd is not None:
            raise CellError(
                f"含有不应出现的字符「{odd}」（U+{ord(odd):04X}）：只能是数字和大写字母，"
                "请删除后重新录入"
            )
        if _EXCEL_NUMBER.match(value):
            raise CellError(
                f"{what}显示为科学计数法，已被 Excel 转成数字并丢失了后几位："
                "请将该列设为「文本」格式后重新录入原始号码"
            )
        if length and len(value) == length - 1 and value.isdigit():
            raise CellError(
                f"应为{length}位，实为{len(value)}位：可能被 Excel 当作数字去掉了开头的字符，"
                "请将该列设为「文本」格式后重新录入"
            )
        return value

    return pure(parse)


_uscc_text = code("统一社会信用代码", length=18)
_id_text = code("公民身份号码", length=18)


def uscc_code(raw: Any) -> str:
    from dangjian.lib.codes import uscc_problem

    value = _uscc_text(raw)
    problem = uscc_problem(value)
    if problem:
        raise CellError(problem)
    return value


def id_code(raw: Any) -> str:
    from dangjian.lib.codes import id_number_problem

    if type(raw) is str:
        # A number found valid stays valid, once its birth date has come (the one check that
        # depends on today): a year of dues names each member twelve times.
        known = _VALID_IDS.get(raw)
        if known is not None and known[1] <= _today():
            return known[0]
    value = _id_text(raw)
    problem = id_number_problem(value)
    if problem:
        raise CellError(problem)
    if type(raw) is str:
        if len(_VALID_IDS) >= 200_000:
            _VALID_IDS.clear()
        _VALID_IDS[raw] = (value, dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14])))
    return value


_VALID_IDS: dict[str, tuple[str, dt.date]] = {}
_TODAY: list[Any] = [None, None]  # [the minute (Unix time // 60), the local date then]


def _today() -> dt.date:
    """`date.today()`, asked again only when the minute changes (a day starts on a whole
    minute in every time zone): the call costs more than checking a row's number."""
    minute = int(time.time()) // 60
    if _TODAY[0] != minute:
        _TODAY[1] = dt.date.today()
        _TODAY[0] = minute
    day: dt.date = _TODAY[1]
    return day


@pure
def date(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raise CellError(
            f"日期被存成了数字 {as_text(raw)}：请将该列设为「日期」格式，或按 YYYY-MM-DD 填写"
        )
    return _date_text(as_text(raw))


@functools.lru_cache(maxsize=8192)  # a file's dates repeat (a year of dues: 365 days at most)
def _date_text(value: str) -> dt.date:
    match = _DATE_TEXT.match(value)
    if not match:
        raise CellError("不是日期：请按 YYYY-MM-DD 或 YYYY/M/D 填写")
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise CellError("日期不存在") from None


def integer(*, minimum: int = 0, maximum: int = 10_000_000) -> Parser:
    def parse(raw: Any) -> int:
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        if isinstance(raw, int) and not isinstance(raw, bool):
            value = raw
        else:
            text_value = as_text(raw).replace(",", "")
            if not re.fullmatch(r"[+-]?\d+", text_value):
                raise CellError("应为整数")
            # int() refuses more than 4300 digits; so many are out of range anyway.
            value = int(text_value) if len(text_value) <= 30 else maximum + 1
        if value < minimum or value > maximum:
            raise CellError(f"应在{minimum}到{maximum}之间")
        return value

    return pure(parse)


def tenths(*, maximum: int = 9999) -> Parser:
    """A number greater than 0 with at most one decimal (培训天数: 0.5, 3, 4.5), as a Decimal."""

    def parse(raw: Any) -> Decimal:
        if isinstance(raw, bool):
            raise CellError("应为大于0的数，最多一位小数")
        if isinstance(raw, (int, float)):
            text_value = repr(float(raw)) if isinstance(raw, float) else str(raw)
        else:
            text_value = as_text(raw).replace(",", "")
        if not re.fullmatch(r"\d{1,6}(\.\d+)?", text_value):
            raise CellError("应为大于0的数，最多一位小数")
        value = Decimal(text_value)
        if value != value.quantize(Decimal("0.1")):
            raise CellError("最多一位小数")
        if value <= 0 or value > maximum:
            raise CellError(f"应大于0且不超过{maximum}")
        return value.quantize(Decimal("0.1"))

    return pure(parse)


def yuan(*, maximum: int = 100_000_000) -> Parser:
    """An amount of yuan ≥ 0 with at most two decimals (分), as a Decimal."""

    def parse(raw: Any) -> Decimal:
        if isinstance(raw, bool):
            raise CellError("应为金额（元），最多两位小数")
        if isinstance(raw, (int, float)):
            text_value = repr(float(raw)) if isinstance(raw, float) else str(raw)
        else:
            text_value = as_text(raw).replace(",", "").removesuffix("元").strip()
        return _yuan_text(text_value, maximum)

    return pure(parse)


@functools.lru_cache(maxsize=8192)  # a file's amounts repeat (a member's dues, month by month)
def _yuan_text(text_value: str, maximum: int) -> Decimal:
    if not _YUAN_TEXT.fullmatch(text_value):
        raise CellError("应为金额（元），最多两位小数")
    value = Decimal(text_value)
    if value != value.quantize(FEN):
        raise CellError("最多两位小数（分）")
    if value > maximum:
        raise CellError(f"不能超过{maximum}元")
    return value.quantize(FEN)


_YUAN_TEXT = re.compile(r"\d{1,12}(\.\d+)?")
FEN = Decimal("0.01")


def choice(options: dict[str, str], aliases: dict[str, str] | None = None) -> Parser:
    """`options`: Chinese label -> stored value; `aliases`: other accepted labels."""
    accepted = {**options, **(aliases or {})}
    listing = "、".join(options)

    def parse(raw: Any) -> str:
        value = as_text(raw)
        if value in accepted:
            return accepted[value]
        raise CellError(f"不是可选值，应为：{listing}")

    return pure(parse)


@pure
def yes_no(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    value = as_text(raw)
    if value in {"是", "Y", "y", "1", "true", "TRUE", "True"}:
        return True
    if value in {"否", "N", "n", "0", "false", "FALSE", "False"}:
        return False
    raise CellError("应为「是」或「否」")


@pure
def strictly_yes_no(raw: Any) -> bool:
    """「是」 or 「否」 and nothing else: the flags CONTRACT.md gives as 是 / 否 in the kinds
    of issue 18 (`inspections`, `venues`, …), where a register's 「有」 or 「Y」 is a mistake
    to be told, not guessed (docs/dynamics.md)."""
    value = as_text(raw)
    if value == "是":
        return True
    if value == "否":
        return False
    raise CellError("应为「是」或「否」")


def yes_no_column(key: str, label: str, *, required: bool = True) -> Column:
    return Column(key, label, strictly_yes_no, required=required, options=("是", "否"),
                  hint="是 / 否")  # fmt: skip


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    parse: Parser
    required: bool = False
    # For templates and hints: the allowed values, and a short hint for the user.
    options: tuple[str, ...] = ()
    hint: str = ""
    is_date: bool = False
    personal: bool = False  # an identity number: masked on export unless asked
    extra: dict[str, Any] = field(default_factory=dict)


def choice_column(
    key: str,
    label: str,
    options: dict[str, str],
    *,
    required: bool = False,
    aliases: dict[str, str] | None = None,
) -> Column:
    return Column(
        key,
        label,
        choice(options, aliases),
        required=required,
        options=tuple(options),
        hint=" / ".join(options),
    )


def date_column(key: str, label: str, *, required: bool = False) -> Column:
    return Column(key, label, date, required=required, is_date=True, hint="YYYY-MM-DD")


def labels_of(choices: Any) -> dict[str, str]:
    """Label -> value for a Django TextChoices class, skipping the blank choice."""
    return {str(label): value for value, label in choices.choices if value}
