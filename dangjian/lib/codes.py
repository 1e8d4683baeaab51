"""Validation of the codes the system keys on, with python-stdnum doing the checksums.

Each check exists twice over one definition: `*_problem(value)` returns a short Chinese
reason (or None) for an import row — `第N行 列名「值」: 原因` — and `validate_*` raises a
Django ValidationError that names the field and the value, for models and forms.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

from django.core.exceptions import ValidationError
from stdnum import numdb
from stdnum.cn import ric, uscc

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Civil affairs issues the USCC of a social organization: first character 5 (民政),
# second character by kind (POLICY.md, section 1).
USCC_CIVIL_AFFAIRS = "5"
USCC_KIND_CHARACTER = {"association": "1", "service_agency": "2", "foundation": "3"}
KIND_LABEL = {"association": "社会团体", "service_agency": "社会服务机构", "foundation": "基金会"}


def normalize_uscc(value: str) -> str:
    return uscc.compact(value or "")


@functools.lru_cache(maxsize=1 << 16)  # at most a few MiB
def uscc_problem(value: str) -> str | None:
    """Why `value` is not a GB 32100 code (length, alphabet, check character), or None.
    Cached: an organization row checks its code as a code, then as a social
    organization's; the rows of a people file name the same employers again and again."""
    if len(value) != 18:
        return f"应为18位，实为{len(value)}位"
    if not value[:8].isdigit() or any(c not in USCC_ALPHABET for c in value[8:]):
        return "格式不正确：前8位应为数字，其余为数字或大写字母（不含I、O、Z、S、V）"
    check = uscc.calc_check_digit(value[:17])
    if value[17] != check:
        return f"校验位不正确（按前17位应为{check}），请核对是否录入有误"
    return None


def social_org_uscc_problem(value: str, kind: str | None) -> str | None:
    """A social organization's USCC: valid, issued by civil affairs, matching its kind."""
    problem = uscc_problem(value)
    if problem:
        return problem
    if value[0] != USCC_CIVIL_AFFAIRS:
        return "不是民政部门登记的社会组织代码（首位应为5）"
    expected = USCC_KIND_CHARACTER.get(kind or "")
    if expected and value[1] != expected:
        return (
            f"第2位为{value[1]}，与社会组织类型「{KIND_LABEL[kind or '']}」不符（应为{expected}）"
        )
    return None


def validate_uscc(value: str) -> None:
    problem = uscc_problem(value or "")
    if problem:
        raise ValidationError(
            "统一社会信用代码「%(value)s」%(problem)s",
            code="uscc",
            params={"value": value, "problem": problem},
        )


def validate_social_org_uscc(value: str, kind: str | None) -> None:
    problem = social_org_uscc_problem(value or "", kind)
    if problem:
        raise ValidationError(
            "统一社会信用代码「%(value)s」%(problem)s",
            code="uscc",
            params={"value": value, "problem": problem},
        )


def is_valid_uscc(value: str) -> bool:
    return uscc_problem(value or "") is None


def uscc_division_code(value: str) -> str:
    """Characters 3–8: the division code of the registering authority."""
    return value[2:8]


def make_uscc(first17: str) -> str:
    """Complete 17 characters with their GB 32100 check character (for generated data)."""
    return first17 + uscc.calc_check_digit(first17)


def normalize_id_number(value: str) -> str:
    return ric.compact(value or "").upper()


@functools.lru_cache(maxsize=8192)
def _known_region(code: str) -> bool:
    return bool(numdb.get("cn/loc").info(code)[-1][1])


def id_number_problem(value: str, today: dt.date | None = None) -> str | None:
    """`_id_number_problem` on `today` (the real today by default)."""
    return _id_number_problem(value, today or dt.date.today())


@functools.lru_cache(maxsize=65536)  # a file names a person once a row: a year of dues, 12 times
def _id_number_problem(value: str, today: dt.date) -> str | None:
    """GB 11643 with python-stdnum: length, format, check digit, birth date, address code.

    stdnum's own `ric.validate` also demands that the address code existed in the birth
    year. That rejects real people: numbers were first issued in 1984–85 to everyone alive,
    with the county codes of that time, so a member born in 1960 in 芙蓉区 holds 430102
    although that code dates from 1983. So the address code must be a known division code
    of any year (stdnum's own table), not of the birth year.
    """
    if len(value) != 18:
        return f"应为18位，实为{len(value)}位"
    if not value[:17].isdigit() or value[17] not in "0123456789X":
        return "格式不正确：前17位应为数字，末位为数字或X"
    if value[17] != ric.calc_check_digit(value):
        return "校验位不正确，请核对是否录入有误"
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        birth = None
    if birth is None or birth > today:
        return f"出生日期「{value[6:14]}」不存在"
    if not _known_region(value[:6]):
        return f"前6位「{value[:6]}」不是有效的行政区划代码"
    return None


def validate_id_number(value: str) -> None:
    problem = id_number_problem(value or "")
    if problem:
        raise ValidationError(
            "公民身份号码「%(value)s」%(problem)s",
            code="id_number",
            params={"value": mask_id_number(value), "problem": problem},
        )


def id_birth_date(value: str) -> dt.date:
    return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def id_gender(value: str) -> str:
    """GB 11643: the 17th digit is odd for men, even for women."""
    return "male" if int(value[16]) % 2 else "female"


def make_id_number(first17: str) -> str:
    # stdnum's calc_check_digit expects the number with a check-digit placeholder.
    return first17 + ric.calc_check_digit(first17 + "0")


def mask_id_number(value: str) -> str:
    """First 6 + ******** + last 4 (CONTRACT.md); anything too short to mask is hidden whole."""
    if not value or len(value) < 10:
        return "*" * len(value or "")
    return value[:6] + "********" + value[-4:]


# An identity number inside other text: 17 digits and a digit or X, or the old 15 digits,
# not part of a longer code.
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")


def _mask_found(match: re.Match[str]) -> str:
    found = match.group()
    if uscc_problem(found) is None and id_number_problem(found.upper()) is not None:
        return found  # an all-digit USCC, not a person's number
    return mask_id_number(found)


def mask_id_numbers_in(text: str) -> str:
    """`text` with every identity number in it masked — a valid one or not (a mistyped
    number is still close to someone's) — for files and messages that quote what a user
    wrote (an import's errors file)."""
    return _ID_IN_TEXT.sub(_mask_found, text) if len(text) >= 15 else text
