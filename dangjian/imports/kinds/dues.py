"""`dues`, `dues-returns` (CONTRACT.md, "Party work: the further import kinds") and `funds`
(the project's own; docs/dues.md).

- `dues` — 党费缴纳, key: the person + 月份 (`YYYY-MM`). The person is a member on the month's
  first day or admitted in it (入党日期 on or before the month's last day). 计缴基数 is given
  for 在职 and 离退休 and only for them; amounts are yuan ≥ 0 with at most two decimals;
  缴纳日期 is given exactly when 实缴金额 > 0, not after today. The export's 应缴金额 is
  computed from the policy's brackets (`dangjian.dues.amounts`) and ignored on import.
- `dues-returns` — 党费上缴与拨返, key: the Party organization + 年度. The Party organization is
  one of a social organization (单独组建, 联合组建, 功能型, 行业党委); 返还日期 is given exactly
  when 返还金额 > 0, not after today and not before the year.
- `funds` — 党建工作经费 by source, key: the Party organization + 年度 + 经费来源.

Bounds of the writer (imports/writers.py): the person, or the Party organization, must be
one the writer sees; one outside the jurisdiction answers as unknown. A dues row's key is
its person, so a stored row of someone the writer does not see cannot be named at all.

Dues are the largest table (a row per member and month): the whole batch is checked with
one query for its people, one for their memberships, and written with one upsert."""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal
from typing import Any

from dangjian.dues.models import (
    CATEGORIES_WITH_BASE,
    DuesCategory,
    DuesPayment,
    DuesReturn,
    Fund,
    FundSource,
)
from dangjian.imports.base import Context, Keyed, Kind, Outcome, Row, upsert
from dangjian.imports.errors import RowError
from dangjian.imports.fields import (
    CellError,
    Column,
    as_text,
    choice_column,
    date_column,
    id_code,
    integer,
    labels_of,
    pure,
    text,
    yuan,
)
from dangjian.imports.kinds.cadres import _person, _visible_people
from dangjian.imports.kinds.life import _PartyOrgs
from dangjian.lib.codes import mask_id_number
from dangjian.partyorgs.models import SOCIAL_ORG_FORMS, PartyOrganization
from dangjian.people.models import Membership

UNKNOWN_PARTY_ORG = "党组织编码不存在（请先导入党组织）"
_MONTH_TEXT = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
ZERO = Decimal("0.00")


@pure
def month(raw: Any) -> dt.date:
    """A month, `YYYY-MM` (also YYYY/MM), or a date cell of the month's first day (Excel
    turns 2026-03 into 2026-03-01): the month's first day."""
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        if raw.day != 1:
            raise CellError("应为月份：请按 YYYY-MM 填写（如 2026-03）")
        return raw
    match = _MONTH_TEXT.match(as_text(raw))
    if not match:
        raise CellError("应为月份：请按 YYYY-MM 填写（如 2026-03）")
    if not 1 <= int(match[2]) <= 12:
        raise CellError("月份不存在（应为01至12月）")
    return dt.date(int(match[1]), int(match[2]), 1)


def month_text(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


@functools.lru_cache(maxsize=1024)
def month_end(day: dt.date) -> dt.date:
    following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


@pure
def ignored(raw: Any) -> None:
    """A column the export computes and the import ignores (the dues' 应缴金额)."""
    return None


def year_column(key: str, label: str) -> Column:
    return Column(key, label, integer(minimum=1921, maximum=2100), required=True, hint="YYYY")


class DuesKind(Kind):
    name = "dues"
    label = "党费缴纳"
    columns = (
        Column("id_number", "公民身份号码", id_code, required=True, personal=True),
        Column("month", "月份", month, required=True, hint="YYYY-MM"),
        choice_column("category", "人员类别", labels_of(DuesCategory), required=True),
        Column("base", "计缴基数", yuan(), hint="在职、离退休人员的税后月收入（元），其他不填"),
        Column("paid", "实缴金额", yuan(), required=True, hint="元，最多两位小数"),
        date_column("paid_on", "缴纳日期"),
        Column("due", "应缴金额", ignored, hint="导出时按政策设置计算，导入时忽略"),
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.seen: dict[tuple[int, dt.date], int] = {}
        self.masked: dict[int, str] = {}
        # The people named so far and their 入党日期, read once per import: a file of a year
        # names each member twelve times, in twelve batches, and the dues kind writes neither
        # people nor memberships (docs/dues.md, "Speed").
        self.hashes: dict[str, str] = {}
        self.people: dict[str, int] = {}
        self.hidden: set[Any] = set()
        self.joined: dict[int, dt.date] = {}

    def check_many(self, rows: list[Row]) -> list[tuple[Any, list[RowError]]]:
        known = self.hashes
        # (Not `set - dict.keys()`: that walks every key known so far, batch after batch.)
        fresh = {n for r in rows if (n := r.values["id_number"]) and n not in known}
        if fresh:
            hashes, people, hidden = _visible_people(
                [r for r in rows if r.values["id_number"] in fresh], self.ctx
            )
            self.hashes.update(hashes)
            self.people.update(people)
            self.hidden |= hidden
            self.joined.update(
                Membership.objects.filter(person_id__in_ids=frozenset(people.values())).values_list(
                    "person_id", "joined_on"
                )
            )
        return [
            self._check(row, self.hashes, self.people, self.hidden, self.joined) for row in rows
        ]

    def prepare(self, values: dict[str, Any]) -> tuple[tuple[tuple[str, str], ...], Any]:
        """The row's own checks (column key, message), and its month's last day — worked out
        by the worker that reads a large file, while this process checks the batch before."""
        category, base, paid, paid_on = (
            values["category"], values["base"], values["paid"], values["paid_on"],
        )  # fmt: skip
        problems: list[tuple[str, str]] = []
        if category in CATEGORIES_WITH_BASE and base is None:
            problems.append(("base", f"人员类别为「{DuesCategory(category).label}」时必填"))
        elif category and category not in CATEGORIES_WITH_BASE and base is not None:
            problems.append(
                ("base", f"人员类别为「{DuesCategory(category).label}」时不填写（按固定数额缴纳）")
            )
        if paid is not None and paid > 0 and paid_on is None:
            problems.append(("paid_on", "实缴金额大于0时必填"))
        elif paid is not None and paid == 0 and paid_on is not None:
            problems.append(("paid_on", "实缴金额为0时不填写"))
        if paid_on is not None and paid_on > self.ctx.today:
            problems.append(("paid_on", "晚于今天"))
        first = values["month"]
        return tuple(problems), month_end(first) if first is not None else None

    def _check(self, row: Row, hashes: dict[str, str], people: dict[str, int],
               hidden: set[Any], joined: dict[int, dt.date]) -> tuple[Any, list[RowError]]:  # fmt: skip
        v = row.values
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(row.error(self.column(key), message))

        person = _person(v["id_number"], hashes, people, hidden, self.ctx, fail)
        first = v["month"]
        problems, last_day = row.prepared if row.prepared is not None else self.prepare(v)
        if person is not None and first is not None:
            since = joined.get(person)
            if since is None:
                fail("id_number", "不是党员（没有入党日期），不缴纳党费")
            elif since > last_day:
                fail("id_number", f"入党日期为 {since}，{month_text(first)} 时还不是党员")
        for key, message in problems:
            fail(key, message)
        if errors:
            return None, errors
        assert person is not None
        key = (person, first)
        if key in self.seen:
            return None, [row.error(self.column("month"), f"与第{self.seen[key]}行重复")]
        self.seen[key] = row.number
        if person not in self.masked:
            self.masked[person] = mask_id_number(v["id_number"])
        return Keyed(row.number, key, (v["category"], v["base"], v["paid"], v["paid_on"])), []

    def write(self, records: list[Any]) -> Outcome:
        # The stored rows are read for the people of the batch in the batch's months only
        # (`imports/base.py` `_existing` narrows by the other key fields): a file of a year,
        # sorted by month, does not read each member's other months again (docs/dues.md).
        outcome, _ = upsert(
            self.ctx,
            DuesPayment,
            key=("person", "month"),
            fields=["category", "base", "paid", "paid_on"],
            labels=["人员类别", "计缴基数", "实缴金额", "缴纳日期"],
            records=records,
            key_label=lambda key: f"{self.masked.get(key[0], '')} {month_text(key[1])}",
            fetch_by="person",
            insert_in_key_order=True,
        )
        return outcome


class _PartyOrgYearKind(Kind):
    """What `dues-returns` and `funds` share: a Party organization the writer sees, a year."""

    social_only = False

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.seen: dict[Any, int] = {}

    def check_many(self, rows: list[Row]) -> list[tuple[Any, list[RowError]]]:
        codes = {r.values["party_org"] for r in rows if r.values["party_org"]}
        party_orgs = _PartyOrgs(self.ctx, codes)
        forms = dict(
            PartyOrganization.objects.filter(code__in=sorted(codes)).values_list("code", "form")
        )
        return [self._check(row, party_orgs, forms) for row in rows]

    def _party_org(self, row: Row, party_orgs: _PartyOrgs, forms: dict[str, str],
                   fail: Any) -> int | None:  # fmt: skip
        code = row.values["party_org"]
        if not code:
            return None
        if party_orgs.problem(code):
            fail("party_org", UNKNOWN_PARTY_ORG)  # outside the jurisdiction: as unknown
            return None
        if self.social_only and forms.get(code) not in SOCIAL_ORG_FORMS:
            fail("party_org", "不是社会组织党组织（单独组建、联合组建、功能型或行业党委）："
                              "乡镇(街道)、村(社区)党组织不在此填报")  # fmt: skip
            return None
        if row.values["year"] is not None and row.values["year"] > self.ctx.today.year:
            fail("year", "晚于今年")
        return party_orgs.rows[code][0]

    def _check(self, row: Row, party_orgs: _PartyOrgs,
               forms: dict[str, str]) -> tuple[Any, list[RowError]]:  # fmt: skip
        raise NotImplementedError

    def _keyed(self, row: Row, key: Any, values: tuple[Any, ...],
               column: str) -> tuple[Any, list[RowError]]:  # fmt: skip
        if key in self.seen:
            return None, [row.error(self.column(column), f"与第{self.seen[key]}行重复")]
        self.seen[key] = row.number
        return Keyed(row.number, key, values), []


class DuesReturnsKind(_PartyOrgYearKind):
    name = "dues-returns"
    label = "党费上缴与拨返"
    social_only = True
    columns = (
        Column("party_org", "党组织编码", text(32), required=True, hint="社会组织党组织"),
        year_column("year", "年度"),
        Column("paid_up", "上缴金额", yuan(), required=True, hint="元"),
        Column("returned", "返还金额", yuan(), required=True, hint="元"),
        date_column("returned_on", "返还日期"),
    )

    def _check(self, row: Row, party_orgs: _PartyOrgs,
               forms: dict[str, str]) -> tuple[Any, list[RowError]]:  # fmt: skip
        v = row.values
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(row.error(self.column(key), message))

        party_org = self._party_org(row, party_orgs, forms, fail)
        returned, returned_on, year = v["returned"], v["returned_on"], v["year"]
        if returned is not None and returned > 0 and returned_on is None:
            fail("returned_on", "返还金额大于0时必填")
        elif returned is not None and returned == 0 and returned_on is not None:
            fail("returned_on", "返还金额为0时不填写")
        if returned_on is not None and returned_on > self.ctx.today:
            fail("returned_on", "晚于今天")
        elif returned_on is not None and year is not None and returned_on.year < year:
            fail("returned_on", f"早于{year}年度")
        if errors:
            return None, errors
        assert party_org is not None
        values = (v["paid_up"], returned, returned_on)
        return self._keyed(row, (party_org, year), values, "year")

    def write(self, records: list[Any]) -> Outcome:
        outcome, _ = upsert(
            self.ctx,
            DuesReturn,
            key=("party_org", "year"),
            fields=["paid_up", "returned", "returned_on"],
            labels=["上缴金额", "返还金额", "返还日期"],
            records=records,
            key_label=lambda key: f"{key[1]}年度",
            fetch_by="party_org",
        )
        return outcome


class FundsKind(_PartyOrgYearKind):
    name = "funds"
    label = "党建工作经费"
    columns = (
        Column("party_org", "党组织编码", text(32), required=True),
        year_column("year", "年度"),
        choice_column("source", "经费来源", labels_of(FundSource), required=True),
        Column("amount", "金额", yuan(), required=True, hint="元"),
    )

    def _check(self, row: Row, party_orgs: _PartyOrgs,
               forms: dict[str, str]) -> tuple[Any, list[RowError]]:  # fmt: skip
        v = row.values
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(row.error(self.column(key), message))

        party_org = self._party_org(row, party_orgs, forms, fail)
        if errors:
            return None, errors
        assert party_org is not None
        return self._keyed(row, (party_org, v["year"], v["source"]), (v["amount"],), "source")

    def write(self, records: list[Any]) -> Outcome:
        outcome, _ = upsert(
            self.ctx,
            Fund,
            key=("party_org", "year", "source"),
            fields=["amount"],
            labels=["金额"],
            records=records,
            key_label=lambda key: f"{key[1]}年度 {FundSource(key[2]).label}",
            fetch_by="party_org",
        )
        return outcome
