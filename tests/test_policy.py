"""The policy settings are read as their declared types — integers, decimals, periods and
bracket tables — each with its source; a value that does not fit is refused in Chinese,
naming the setting."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dangjian.compliance.policy import (
    DECLARED,
    DEFAULT_FILE,
    Brackets,
    Period,
    PolicyError,
    load,
    parse,
)

TYPES = {"count": int, "rate": Decimal, "frequency": Period, "dues": Brackets}
GOOD = {
    "count": "3",
    "rate": '"0.005"',
    "frequency": '"quarter"',
    "dues": '[{up_to = 3000, rate = "0.005"}, {up_to = 5000, rate = "0.01"}, {rate = "0.02"}]',
}


def policy_file(**values: str) -> str:
    lines = ['version = "t"', 'document = "测试"', "effective_on = 2015-01-09", ""]
    for name, value in {**GOOD, **values}.items():
        lines += [f"[settings.{name}]", f"value = {value}", 'source = "测试依据"', ""]
    return "\n".join(lines)


def read(**values: str):
    return parse(policy_file(**values), TYPES)


def test_it_reads_each_type_with_its_source():
    policy = read()
    assert policy["count"] == 3
    assert policy.decimal("rate") == Decimal("0.005")
    assert policy.period("frequency") == Period("quarter")
    dues = policy.brackets("dues")
    assert dues.rate(Decimal("3000")) == Decimal("0.005")  # a bracket's limit is in it
    assert dues.rate(Decimal("3000.01")) == Decimal("0.01")
    assert dues.rate(Decimal("99999")) == Decimal("0.02")
    assert {s.source for s in policy.settings.values()} == {"测试依据"}
    assert policy.settings["dues"].shown[0] == {"up_to": "3000", "rate": "0.005"}
    assert policy.settings["rate"].shown == "0.005"


def test_a_period_names_and_starts_the_period_of_a_day():
    day = dt.date(2026, 8, 17)
    assert Period("month").label(day) == "2026-08"
    assert Period("quarter").label(day) == "2026-Q3"
    assert Period("year").label(day) == "2026"
    assert Period("quarter").first_day(day) == dt.date(2026, 7, 1)
    assert Period("year").first_day(day) == dt.date(2026, 1, 1)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("count", '"3"'),
        ("count", "3.0"),
        ("count", "-1"),
        ("count", "true"),
        ("rate", "0.005"),  # a TOML float is binary: refused
        ("rate", '"百分之一"'),
        ("rate", '"-0.1"'),
        ("frequency", '"week"'),
        ("frequency", "3"),
        ("dues", "[]"),
        ("dues", '[{up_to = 3000, rate = "0.005"}]'),  # the last bracket has a limit
        ("dues", '[{rate = "0.005"}, {rate = "0.01"}]'),  # a bracket before it has none
        ("dues", '[{up_to = 5000, rate = "0.01"}, {up_to = 3000, rate = "0.02"}, {rate = "0.03"}]'),
        ("dues", '[{up_to = 3000, rate = "x"}, {rate = "0.01"}]'),
        ("dues", '[{up_to = 3000, rate = "0.01", extra = 1}, {rate = "0.01"}]'),
    ],
)
def test_it_refuses_a_value_that_does_not_fit_naming_the_setting(name, value):
    with pytest.raises(PolicyError, match=f"政策设置「{name}」的值「.*」无效：应为"):
        read(**{name: value})


def test_it_refuses_an_undeclared_or_missing_setting():
    with pytest.raises(PolicyError, match="政策设置「typo」未在系统中声明"):
        read(typo="1")
    text = policy_file().replace("[settings.rate]", "[other.rate]")
    with pytest.raises(PolicyError, match="政策设置文件缺少设置「rate」"):
        parse(text, TYPES)


def test_it_refuses_a_setting_without_its_source():
    text = policy_file().replace('source = "测试依据"', 'source = ""', 1)
    with pytest.raises(PolicyError, match="政策设置「count」的依据"):
        parse(text, TYPES)


def test_the_shipped_file_gives_every_setting_its_declared_type():
    policy = load(str(DEFAULT_FILE))
    assert set(policy.settings) == set(DECLARED)
    assert all(type(s.value) is DECLARED[s.name] for s in policy.settings.values())
    assert all(s.source for s in policy.settings.values())
    # The meeting frequencies of POLICY.md ("Policy settings"), as shipped.
    periods = {n: s.value.unit for n, s in policy.settings.items() if DECLARED[n] is Period}
    assert periods == {
        "life_assembly_period": "quarter",
        "life_committee_period": "month",
        "life_group_period": "month",
        "life_lecture_period": "quarter",
        "life_theme_day_period": "month",
        "life_review_period": "year",
        "life_appraisal_period": "year",
    }


def test_an_integer_reading_of_another_type_is_a_bug():
    with pytest.raises(TypeError):
        read()["rate"]
