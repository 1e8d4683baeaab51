"""Validation of the codes the system keys on, with python-stdnum doing the checksums.

Messages are Chinese and name the value, so a form, an import row or the admin can show
them as they are.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError

# Civil affairs issues the USCC of a social organization: first character 5 (民政),
# second character by kind (POLICY.md, section 1).
USCC_CIVIL_AFFAIRS = "5"
USCC_KIND_CHARACTER = {"association": "1", "service_agency": "2", "foundation": "3"}


def normalize_uscc(value: str) -> str:
    return uscc.compact(value or "")


def validate_uscc(value: str) -> None:
    """Any valid GB 32100 code (the length, alphabet and check character)."""
    try:
        uscc.validate(value)
    except InvalidLength:
        raise ValidationError(
            "统一社会信用代码「%(value)s」应为18位，实为%(n)d位",
            code="uscc_length",
            params={"value": value, "n": len(value or "")},
        ) from None
    except InvalidChecksum:
        raise ValidationError(
            "统一社会信用代码「%(value)s」校验位不正确（应为%(check)s），请核对是否录入有误",
            code="uscc_checksum",
            params={"value": value, "check": uscc.calc_check_digit(value[:17])},
        ) from None
    except StdnumError:
        raise ValidationError(
            "统一社会信用代码「%(value)s」格式不正确：前8位应为数字，其余为数字或大写字母（不含I、O、Z、S、V）",
            code="uscc_format",
            params={"value": value},
        ) from None


def is_valid_uscc(value: str) -> bool:
    return uscc.is_valid(value or "")


def validate_social_org_uscc(value: str, kind: str | None) -> None:
    """A social organization's USCC: valid, issued by civil affairs, matching its kind."""
    validate_uscc(value)
    if value[0] != USCC_CIVIL_AFFAIRS:
        raise ValidationError(
            "统一社会信用代码「%(value)s」不是民政部门登记的社会组织代码（首位应为5）",
            code="uscc_not_civil_affairs",
            params={"value": value},
        )
    if kind in USCC_KIND_CHARACTER and value[1] != USCC_KIND_CHARACTER[kind]:
        from dangjian.orgs.models import OrgKind

        expected = USCC_KIND_CHARACTER[kind]
        raise ValidationError(
            "统一社会信用代码「%(value)s」第2位为%(got)s，与社会组织类型「%(kind)s」不符（应为%(expected)s）",
            code="uscc_kind_mismatch",
            params={
                "value": value,
                "got": value[1],
                "kind": OrgKind(kind).label,
                "expected": expected,
            },
        )


def uscc_division_code(value: str) -> str:
    """Characters 3–8: the division code of the registering authority."""
    return value[2:8]


def make_uscc(first17: str) -> str:
    """Complete 17 characters with their GB 32100 check character (for generated data)."""
    return first17 + uscc.calc_check_digit(first17)


def normalize_id_number(value: str) -> str:
    return ric.compact(value or "").upper()


def validate_id_number(value: str) -> None:
    """GB 11643 with python-stdnum: length, format, check digit, birth date and address code.

    stdnum's own `ric.validate` also demands that the address code existed in the birth
    year. That rejects real people: numbers were first issued in 1984–85 to everyone alive,
    with the county codes of that time, so a member born in 1960 in 芙蓉区 holds 430102
    although that code dates from 1983. So the address code must be a known division code of
    any year (stdnum's own table), not of the birth year.
    """
    masked = mask_id_number(value)
    try:
        number = ric.compact(value or "")
        if len(number) != 18:
            raise InvalidLength()
        if not number[:-1].isdigit() or number[-1] not in "0123456789X":
            raise InvalidFormat()
        if number[-1] != ric.calc_check_digit(number):
            raise InvalidChecksum()
    except InvalidLength:
        raise ValidationError(
            "公民身份号码「%(value)s」应为18位，实为%(n)d位",
            code="id_length",
            params={"value": masked, "n": len(value or "")},
        ) from None
    except InvalidChecksum:
        raise ValidationError(
            "公民身份号码「%(value)s」校验位不正确，请核对是否录入有误",
            code="id_checksum",
            params={"value": masked},
        ) from None
    except StdnumError:
        raise ValidationError(
            "公民身份号码「%(value)s」格式不正确：前17位应为数字，末位为数字或X",
            code="id_format",
            params={"value": masked},
        ) from None
    try:
        birth = ric.get_birth_date(number)
    except StdnumError:
        birth = None
    if birth is None or birth > dt.date.today():
        raise ValidationError(
            "公民身份号码「%(value)s」中的出生日期「%(birth)s」不存在",
            code="id_birth_date",
            params={"value": masked, "birth": number[6:14]},
        )
    if not numdb.get("cn/loc").info(number[:6])[-1][1]:
        raise ValidationError(
            "公民身份号码「%(value)s」的前6位「%(region)s」不是有效的行政区划代码",
            code="id_region",
            params={"value": masked, "region": number[:6]},
        )


def id_birth_date(value: str) -> dt.date:
    return ric.get_birth_date(value)


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
