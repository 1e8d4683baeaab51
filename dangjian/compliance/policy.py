"""The policy settings (policy.toml): every number a rule or report reads, with its source.

A city changes a value by editing the file (or pointing DANGJIAN_POLICY_FILE at its own)
and raising `version`; the version recorded with findings and reports also carries a digest
of the file, so a change that forgot to raise it still shows.

Each setting's type is declared here (`DECLARED`), not in the file: an integer, a decimal
(a rate), a period (a meeting frequency: month, quarter or year) or a bracket table (dues
rates by base). The file is read against it, and a value that does not fit is refused with
a Chinese message naming the setting.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import hashlib
import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

DEFAULT_FILE = Path(__file__).with_name("policy.toml")
POLICY_TEXT = Path(__file__).with_name("changsha-2015-2.txt")


class PolicyError(CommandError):
    """A policy file that cannot be read: the message names the setting and the value."""


PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}


@dataclass(frozen=True)
class Period:
    """A calendar period a rule counts by: a month, a quarter or a year."""

    unit: str  # a key of PERIOD_MONTHS

    @property
    def months(self) -> int:
        return PERIOD_MONTHS[self.unit]

    def first_day(self, day: dt.date) -> dt.date:
        """The first day of the period `day` falls in."""
        month = (day.month - 1) // self.months * self.months + 1
        return dt.date(day.year, month, 1)

    def label(self, day: dt.date) -> str:
        """The period `day` falls in, as the findings name it: 2026-07, 2026-Q3, 2026."""
        if self.unit == "month":
            return f"{day.year}-{day.month:02d}"
        if self.unit == "quarter":
            return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
        return str(day.year)


@dataclass(frozen=True)
class Bracket:
    up_to: Decimal | None  # the bracket's highest base (inclusive); None: no limit
    rate: Decimal


@dataclass(frozen=True)
class Brackets:
    """A bracket table: the rate of a base is that of the first bracket it does not exceed
    (`up_to`), the last one having no limit."""

    brackets: tuple[Bracket, ...]

    def rate(self, base: Decimal) -> Decimal:
        for bracket in self.brackets:
            if bracket.up_to is None or base <= bracket.up_to:
                return bracket.rate
        raise AssertionError("the last bracket has no limit")  # checked when read


SettingValue = int | Decimal | Period | Brackets


def _refuse(name: str, raw: Any, expected: str) -> PolicyError:
    return PolicyError(f"政策设置「{name}」的值「{raw}」无效：应为{expected}")


def _decimal(name: str, raw: Any, expected: str) -> Decimal:
    """A decimal written as a string ("0.005") or an integer; a TOML float is refused, as
    it is binary (0.1 is not 0.1)."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise _refuse(name, raw, expected)
    try:
        value = Decimal(raw)
    except decimal.InvalidOperation:
        raise _refuse(name, raw, expected) from None
    if not value.is_finite() or value < 0:
        raise _refuse(name, raw, expected)
    return value


def read_integer(name: str, raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        raise _refuse(name, raw, "非负整数")
    low, high, unit = RANGES.get(name, (0, None, ""))
    if raw < low or (high is not None and raw > high):
        bound = f"{low} 至 {high}" if high is not None else f"不小于 {low}"
        raise _refuse(name, raw, f"{bound} 之间的整数（{unit}）" if unit else f"{bound} 的整数")
    return raw


def read_decimal(name: str, raw: Any) -> Decimal:
    expected = '非负小数（写成字符串，如 "0.20"）'
    value = _decimal(name, raw, expected)
    low, high, unit = DECIMAL_RANGES.get(name, (Decimal(0), None, ""))
    if value < low or (high is not None and value > high):
        raise _refuse(name, raw, f"{low} 至 {high} 之间的{unit}")
    return value


def read_period(name: str, raw: Any) -> Period:
    if not isinstance(raw, str) or raw not in PERIOD_MONTHS:
        raise _refuse(name, raw, "周期 month（月）、quarter（季度）或 year（年）")
    return Period(raw)


def read_brackets(name: str, raw: Any) -> Brackets:
    expected = (
        '分档表，如 [{up_to = 3000, rate = "0.005"}, {rate = "0.01"}]：'
        "各档上限递增，最后一档不设上限"
    )
    if not isinstance(raw, list) or not raw:
        raise _refuse(name, raw, expected)
    out: list[Bracket] = []
    for i, entry in enumerate(raw):
        last = i == len(raw) - 1
        if not isinstance(entry, dict) or set(entry) - {"up_to", "rate"} or "rate" not in entry:
            raise _refuse(name, raw, expected)
        if ("up_to" in entry) == last:  # every bracket but the last has a limit
            raise _refuse(name, raw, expected)
        up_to = _decimal(name, entry["up_to"], expected) if "up_to" in entry else None
        previous = out[-1].up_to if out else None
        if up_to is not None and (up_to <= 0 or (previous is not None and up_to <= previous)):
            raise _refuse(name, entry["up_to"], "递增的正数分档上限（每档上限须高于上一档）")
        rate = _decimal(name, entry["rate"], expected)
        if rate > 1:
            raise _refuse(name, entry["rate"], '0 至 1 之间的比例（如 "0.005" 即 0.5%）')
        out.append(Bracket(up_to, rate))
    return Brackets(tuple(out))


READERS: dict[type, Callable[[str, Any], SettingValue]] = {
    int: read_integer,
    Decimal: read_decimal,
    Period: read_period,
    Brackets: read_brackets,
}

# The type of every setting the rules and reports read (a setting of the file missing here,
# or one declared here missing from the file, is an error).
DECLARED: dict[str, type] = {
    "standalone_min_formal_members": int,
    "branch_committee_min_formal_members": int,
    "general_branch_min_members": int,
    "committee_min_members": int,
    "branch_max_members": int,
    "joint_max_orgs": int,
    "branch_term_years": int,
    "general_branch_term_years": int,
    "committee_term_years": int,
    "secretary_training_min_days": int,
    "new_secretary_training_months": int,
    "dissolve_within_days": int,
    "transfer_within_days": int,
    "industry_committee_min_party_orgs": int,
    "fulltime_worker_min_members": int,
    "activist_min_months": int,
    "talk_within_months": int,
    "probation_months": int,
    "probation_grace_months": int,
    "dues_lapse_months": int,
    "dues_employed_rates": Brackets,
    "dues_retired_rates": Brackets,
    "dues_flat_amount": Decimal,
    "setup_within_days": int,
    "fix_within_days": int,
    "life_lookback_months": int,
    "life_assembly_period": Period,
    "life_committee_period": Period,
    "life_group_period": Period,
    "life_lecture_period": Period,
    "life_theme_day_period": Period,
    "life_review_period": Period,
    "life_appraisal_period": Period,
}


# The sensible range of every integer setting (a revision outside it is refused, naming the
# setting and the value): (lowest, highest, what it counts).
_MEMBERS = (1, 10000, "人")
RANGES: dict[str, tuple[int, int | None, str]] = {
    "standalone_min_formal_members": _MEMBERS,
    "branch_committee_min_formal_members": _MEMBERS,
    "general_branch_min_members": _MEMBERS,
    "committee_min_members": _MEMBERS,
    "branch_max_members": _MEMBERS,
    "joint_max_orgs": (1, 1000, "个单位"),
    "branch_term_years": (1, 10, "年"),
    "general_branch_term_years": (1, 10, "年"),
    "committee_term_years": (1, 10, "年"),
    "secretary_training_min_days": (0, 365, "天"),
    "new_secretary_training_months": (0, 120, "个月"),
    "dissolve_within_days": (0, 3650, "天"),
    "transfer_within_days": (0, 3650, "天"),
    "industry_committee_min_party_orgs": (1, 10000, "个党组织"),
    "fulltime_worker_min_members": (1, 100000, "人"),
    "activist_min_months": (0, 120, "个月"),
    "talk_within_months": (0, 120, "个月"),
    "probation_months": (1, 60, "个月"),
    "probation_grace_months": (0, 120, "个月"),
    "dues_lapse_months": (1, 120, "个月"),
    "setup_within_days": (0, 3650, "天"),
    "fix_within_days": (0, 3650, "天"),
    "life_lookback_months": (1, 120, "个月"),
}
DECIMAL_RANGES: dict[str, tuple[Decimal, Decimal | None, str]] = {
    "dues_flat_amount": (Decimal(0), Decimal(1000), "金额（元）"),
}


@dataclass(frozen=True)
class Setting:
    name: str
    value: SettingValue
    source: str

    @property
    def shown(self) -> Any:
        """The value as JSON shows it (`rules`, `check --explain`): a decimal as its text."""
        value = self.value
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, Period):
            return value.unit
        if isinstance(value, Brackets):
            return [
                {"up_to": None if b.up_to is None else str(b.up_to), "rate": str(b.rate)}
                for b in value.brackets
            ]
        return value


@dataclass(frozen=True)
class Policy:
    version: str
    document: str
    effective_on: dt.date
    settings: dict[str, Setting]

    def __getitem__(self, name: str) -> int:
        """An integer setting (a threshold, a number of days, months or years)."""
        return self._typed(name, int)

    def decimal(self, name: str) -> Decimal:
        return self._typed(name, Decimal)

    def period(self, name: str) -> Period:
        return self._typed(name, Period)

    def brackets(self, name: str) -> Brackets:
        return self._typed(name, Brackets)

    def _typed[T](self, name: str, kind: type[T]) -> T:
        value = self.settings[name].value
        if not isinstance(value, kind) or isinstance(value, bool):
            raise TypeError(f"setting {name} is a {type(value).__name__}, not a {kind.__name__}")
        return value


def read_setting(name: str, entry: Any, declared: dict[str, type] = DECLARED) -> Setting:
    """One `[settings.NAME]` table of the file, read as its declared type."""
    kind = declared.get(name)
    if kind is None:
        raise PolicyError(f"政策设置「{name}」未在系统中声明（名称是否写错？）")
    if not isinstance(entry, dict) or "value" not in entry or "source" not in entry:
        raise PolicyError(f"政策设置「{name}」须写明 value（值）和 source（依据）")
    source = entry["source"]
    if not isinstance(source, str) or not source.strip():
        raise PolicyError(f"政策设置「{name}」的依据（source）不能为空")
    return Setting(name, READERS[kind](name, entry["value"]), source)


def parse(text: str, declared: dict[str, type] = DECLARED) -> Policy:
    """A settings file (the shipped `policy.toml`, or a revision in its format), every
    setting read as its declared type and checked against its range; a file that does not
    fit is refused with a `PolicyError` naming the setting and the value."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"政策设置文件不是有效的 TOML 格式：{exc}") from None
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    for key, kind, expected in (
        ("version", str, "版本号（30字以内的字符串）"),
        ("document", str, "所依据的文件（字符串）"),
        ("effective_on", dt.date, "政策文件施行日期 YYYY-MM-DD"),
        ("settings", dict, "各项设置（[settings.名称] 表）"),
    ):
        value = data.get(key)
        wrong = not isinstance(value, kind) or isinstance(value, dt.datetime)
        if isinstance(value, str):
            wrong = wrong or not value.strip() or (key == "version" and len(value) > 30)
        if wrong:
            raise PolicyError(f"政策设置文件的「{key}」的值「{value}」无效：应为{expected}")
    entries = data["settings"]
    settings = {name: read_setting(name, entry, declared) for name, entry in entries.items()}
    missing = [name for name in declared if name not in settings]
    if missing:
        raise PolicyError(f"政策设置文件缺少设置「{'」「'.join(missing)}」")
    return Policy(f"{data['version']}+{digest}", data["document"], data["effective_on"], settings)


@functools.cache
def load(path: str | None = None) -> Policy:
    """The shipped settings (`policy.toml`, or the file DANGJIAN_POLICY_FILE names): the
    first version, in force until a revision adopted in the system takes effect."""
    return parse(default_text(path))


def default_text(path: str | None = None) -> str:
    file = Path(path or os.environ.get("DANGJIAN_POLICY_FILE") or DEFAULT_FILE)
    return file.read_text(encoding="utf-8")


@functools.lru_cache(maxsize=32)
def parsed(text: str) -> Policy:
    """A revision's text, read once per process."""
    return parse(text)


def in_force(day: dt.date | None = None) -> Policy:
    """The settings in force on `day` (today by default): the latest revision adopted in
    the system whose effective date is on or before it, else the shipped settings
    (`dangjian.policies`, docs/policy-versions.md)."""
    from dangjian.policies.selectors import version_in_force

    return version_in_force(day)


@functools.cache
def policy_text() -> str:
    """The policy document itself, shipped with the project; rules quote it exactly."""
    return POLICY_TEXT.read_text(encoding="utf-8")
