"""`pairings`, `demonstration-sites`, `joint-groups` and `activities`: the import kinds of
organization life of the project's own design (POLICY 3.1 联组工作法, 4.2 创新活动方式;
docs/organization-life.md, "Import kinds of the project's own design").

One module for the four: they share the Party organizations' checks of `kinds/life.py`
(`_PartyOrgs`: known, in the writer's jurisdiction; a date inside the Party organization's
life) and the check of dated periods that must not overlap, and `activities` reads the
联组 that `joint-groups` writes.

Registered in dependency order: an activity of a 联组 names a stored 联组, so
`joint-groups` comes before `activities`.

`joint-groups` holds one row per member Party organization and writes the 联组 with its
members: its rows are checked as they come and written together after the last row
(`finish`), since a 联组 is only whole — its lead among its members, no member's periods
overlapping — once every row of it has been read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dangjian.areas.models import AreaLevel
from dangjian.imports.base import Change, Context, Keyed, Kind, Outcome, Row, upsert
from dangjian.imports.errors import CellError, RowError
from dangjian.imports.fields import (
    Column,
    choice_column,
    date_column,
    integer,
    labels_of,
    long_text,
    text,
)
from dangjian.imports.kinds.life import DUTY_BY_LABEL, _PartyOrgs, duties_codes
from dangjian.imports.lookups import Places
from dangjian.lib import bulk
from dangjian.lib.dated import holds_on
from dangjian.life.models import (
    Activity,
    ActivityKind,
    DemonstrationSite,
    JointGroup,
    JointGroupMember,
    Pairing,
    SiteLevel,
)
from dangjian.partyorgs.models import PartyOrganization

FIRST_SITE_YEAR = 2000
DUTIES_HINT = "、".join(DUTY_BY_LABEL) + "（可多选，以「、」分隔）"
# _PartyOrgs.rows: code -> (pk, level, founded_on, dissolved_on, township path)
Found = tuple[int, str, Any, Any, str]


def _life_problem(found: Found, day: dt.date, what: str = "党组织") -> str:
    """Why `day` is outside the life of the Party organization `found` ("" when inside)."""
    if day < found[2]:
        return f"早于{what}成立日期 {found[2]}"
    if found[3] is not None and day >= found[3]:
        return f"{what}已于 {found[3]} 撤销"
    return ""


def _overlap(a_start: dt.date, a_end: dt.date | None, b_start: dt.date,
             b_end: dt.date | None) -> bool:  # fmt: skip
    """Whether two periods share a day (an end on D: no longer on D, lib/dated.py)."""
    return (b_end is None or a_start < b_end) and (a_end is None or b_start < a_end)


def _until(end: dt.date | None) -> str:
    return f"至{end}" if end else "至今"


class _Periods:
    """The periods of each subject (a pairing's two sides, a member in a 联组) by start:
    the file's rows over the stored ones, to refuse a row whose period overlaps another."""

    def __init__(self) -> None:
        # subject -> start -> (end, the file's row number or None for a stored one)
        self.by: dict[Any, dict[dt.date, tuple[dt.date | None, int | None]]] = {}

    def stored(self, subject: Any, start: dt.date, end: dt.date | None) -> None:
        self.by.setdefault(subject, {}).setdefault(start, (end, None))

    def clash(self, subject: Any, start: dt.date, end: dt.date | None, what: str) -> str:
        """Why the period overlaps another of the subject ("" when it does not)."""
        for other, (other_end, row) in sorted(self.by.get(subject, {}).items()):
            if other != start and _overlap(start, end, other, other_end):
                where = f"第{row}行" if row is not None else "已登记"
                return f"与{what}为 {other} 的记录（{_until(other_end)}，{where}）期间重叠"
        return ""

    def add(self, subject: Any, start: dt.date, end: dt.date | None, row: int) -> None:
        self.by.setdefault(subject, {})[start] = (end, row)


def _names(codes: Iterable[str]) -> dict[str, tuple[int, str, int]]:
    """code -> (pk, name, township) of the named Party organizations, one query per 900."""
    wanted = sorted(set(codes))
    out: dict[str, tuple[int, str, int]] = {}
    for start in range(0, len(wanted), 900):
        for code, pk, name, township in PartyOrganization.objects.filter(
            code__in=wanted[start : start + 900]
        ).values_list("code", "pk", "name", "township_id"):
            out[code] = (pk, name, township)
    return out


# --- pairings --------------------------------------------------------------------------------


class PairingsKind(Kind):
    name = "pairings"
    label = "结对共建"
    columns = (
        Column("party_org", "党组织编码", text(32), required=True),
        Column(
            "partner",
            "共建党组织编码",
            text(32),
            hint="系统内的共建党组织；系统外的填写共建单位党组织名称",
        ),
        Column("partner_name", "共建单位党组织名称", text(200), hint="系统外的共建单位党组织"),
        date_column("started_on", "结对日期", required=True),
        date_column("ended_on", "结束日期"),
        Column("content", "共建内容", text(500)),
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.seen: dict[tuple[Any, ...], int] = {}
        self.periods = _Periods()
        self.shown: dict[tuple[Any, ...], str] = {}  # key -> its partner, for the changes

    def check_many(self, rows: list[Row]) -> list[tuple[Any, list[RowError]]]:
        codes = {r.values[k] for r in rows for k in ("party_org", "partner") if r.values[k]}
        party_orgs = _PartyOrgs(self.ctx, codes)
        partners = _names(r.values["partner"] for r in rows if r.values["partner"])
        pks = sorted({found[0] for found in party_orgs.rows.values()})
        for start in range(0, len(pks), 900):
            for po, partner, name, started, ended in Pairing.objects.filter(
                party_org_id__in=pks[start : start + 900]
            ).values_list("party_org_id", "partner_id", "partner_name", "started_on", "ended_on"):
                self.periods.stored((po, partner, name), started, ended)
        return [self._check(row, party_orgs, partners) for row in rows]

    def _check(self, row: Row, party_orgs: _PartyOrgs,
               partners: dict[str, tuple[int, str, int]]) -> tuple[Any, list[RowError]]:  # fmt: skip
        v = row.values
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(row.error(self.column(key), message))

        problem = party_orgs.problem(v["party_org"])
        found = party_orgs.rows.get(v["party_org"])
        if problem:
            fail("party_org", problem)
            found = None
        partner, name = None, v["partner_name"] or ""
        if v["partner"]:
            known = partners.get(v["partner"])
            if known is None:
                fail(
                    "partner",
                    "党组织编码不存在（请先导入党组织；系统外的党组织请填写共建单位党组织名称）",
                )
            elif v["partner"] == v["party_org"]:
                fail("partner", "不能是本党组织自己")
            else:
                partner = known[0]
                if name and name != known[1]:
                    fail(
                        "partner_name",
                        f"与共建党组织编码对应的党组织名称「{known[1]}」不一致"
                        "（系统内的党组织只填编码即可）",
                    )
                name = ""  # a partner in the system is named by its code alone
        elif not name:
            fail("partner", "共建党组织编码与共建单位党组织名称至少填写一项")
        started, ended = v["started_on"], v["ended_on"]
        if started and started > self.ctx.today:
            fail("started_on", "晚于今天")
        elif found is not None and started:
            problem = _life_problem(found, started)
            if problem:
                fail("started_on", problem)
        if started and ended and ended < started:
            fail("ended_on", f"早于结对日期 {started}")
        if errors:
            return None, errors
        assert found is not None
        key = (found[0], partner, name, started)
        if key in self.seen:
            return None, [row.error(self.column("started_on"), f"与第{self.seen[key]}行重复")]
        subject = key[:3]
        clash = self.periods.clash(subject, started, ended, "结对日期")
        if clash:
            return None, [row.error(self.column("started_on"), f"与同一共建党组织的结对{clash}")]
        self.periods.add(subject, started, ended, row.number)
        self.seen[key] = row.number
        self.shown[key] = v["partner"] or name
        return Keyed(row.number, key, (ended, v["content"] or "")), []

    def write(self, records: list[Any]) -> Outcome:
        outcome, _ = upsert(
            self.ctx,
            Pairing,
            key=["party_org", "partner", "partner_name", "started_on"],
            fields=["ended_on", "content"],
            labels=["结束日期", "共建内容"],
            records=records,
            fetch_by="party_org",
            key_label=lambda key: f"{key[3]} {self.shown.get(key, '')}",
        )
        return outcome


# --- demonstration-sites ---------------------------------------------------------------------


class DemonstrationSitesKind(Kind):
    name = "demonstration-sites"
    label = "党建示范点"
    columns = (
        Column("party_org", "党组织编码", text(32), required=True),
        choice_column("level", "示范点级别", labels_of(SiteLevel), required=True),
        Column("year", "命名年度", integer(maximum=9999), required=True, hint="如 2024"),
        Column("named_by", "命名单位", text(100), hint="如 中共长沙市委社会工作部"),
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.seen: dict[tuple[Any, ...], int] = {}

    def check_many(self, rows: list[Row]) -> list[tuple[Any, list[RowError]]]:
        party_orgs = _PartyOrgs(
            self.ctx, {r.values["party_org"] for r in rows if r.values["party_org"]}
        )
        return [self._check(row, party_orgs) for row in rows]

    def _check(self, row: Row, party_orgs: _PartyOrgs) -> tuple[Any, list[RowError]]:
        v = row.values
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(row.error(self.column(key), message))

        problem = party_orgs.problem(v["party_org"])
        found = party_orgs.rows.get(v["party_org"])
        if problem:
            fail("party_org", problem)
            found = None
        year = v["year"]
        if year is not None and not FIRST_SITE_YEAR <= year <= self.ctx.today.year:
            fail("year", f"应在{FIRST_SITE_YEAR}到{self.ctx.today.year}之间")
        elif found is not None and year is not None:
            if year < found[2].year:
                fail("year", f"早于党组织成立年度（{found[2].year}年）")
            elif found[3] is not None and found[3] <= dt.date(year, 1, 1):
                fail("year", f"党组织已于 {found[3]} 撤销")
        if errors:
            return None, errors
        assert found is not None
        key = (found[0], v["level"], year)
        if key in self.seen:
            return None, [row.error(self.column("year"), f"与第{self.seen[key]}行重复")]
        self.seen[key] = row.number
        return Keyed(row.number, key, (v["named_by"] or "",)), []

    def write(self, records: list[Any]) -> Outcome:
        outcome, _ = upsert(
            self.ctx,
            DemonstrationSite,
            key=["party_org", "level", "year"],
            fields=["named_by"],
            labels=["命名单位"],
            records=records,
            fetch_by="party_org",
            key_label=lambda key: f"{key[2]} {SiteLevel(key[1]).label}",
        )
        return outcome


# --- joint-groups ----------------------------------------------------------------------------

GROUP_COLUMNS = ("township", "founded_on", "dissolved_on")
SAME_GROUP = "同一联组的所在乡镇(街道)、成立日期、撤销日期应相同"


@dataclass
class MemberRow:
    row: Row
    group: tuple[int, str]  # (lead pk, name): the 联组's natural key
    values: tuple[int, dt.date, dt.date | None]  # township pk, founded_on, dissolved_on
    member: int
    member_code: str
    started: dt.date
    ended: dt.date | None


class JointGroupsKind(Kind):
    name = "joint-groups"
    label = "联组"
    columns = (
        Column("name", "联组名称", text(100), required=True),
        Column("lead", "牵头党组织编码", text(32), required=True),
        Column(
            "township",
            "所在乡镇(街道)",
            text(64),
            hint="名称或区划代码；不填则取牵头党组织所在乡镇(街道)",
        ),
        date_column("founded_on", "成立日期", required=True),
        date_column("dissolved_on", "撤销日期"),
        Column(
            "member",
            "成员党组织编码",
            text(32),
            required=True,
            hint="每个成员一行，牵头党组织也须有一行",
        ),
        date_column("started_on", "加入日期", required=True),
        date_column("ended_on", "退出日期"),
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.places: Places | None = None
        self.groups: dict[tuple[int, str], tuple[int, tuple[Any, ...]]] = {}  # -> first row
        self.seen: dict[tuple[Any, ...], int] = {}
        self.held: list[MemberRow] = []
        self.codes: dict[int, str] = {}

    def check_many(self, rows: list[Row]) -> list[tuple[Any, list[RowError]]]:
        codes = {r.values[k] for r in rows for k in ("lead", "member") if r.values[k]}
        party_orgs = _PartyOrgs(self.ctx, codes)
        townships = _names(r.values["lead"] for r in rows if r.values["lead"])
        if self.places is None and any(r.values["township"] for r in rows):
            self.places = Places(with_communities=False)
        return [self._check(row, party_orgs, townships) for row in rows]

    def _check(self, row: Row, party_orgs: _PartyOrgs,
               townships: dict[str, tuple[int, str, int]]) -> tuple[Any, list[RowError]]:  # fmt: skip
        v = row.values
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(row.error(self.column(key), message))

        lead = party_orgs.rows.get(v["lead"])
        problem = party_orgs.problem(v["lead"])
        if problem:
            fail("lead", problem)
            lead = None
        township = None
        if v["township"]:
            assert self.places is not None
            try:
                place = self.places.resolve(v["township"], AreaLevel.TOWNSHIP)
            except CellError as exc:
                fail("township", str(exc))
            else:
                if self.places.is_within(place, self.ctx.area):
                    township = place.id
                else:
                    fail("township", f"不在您的管辖范围（{self.ctx.area}）内")
        elif lead is not None:
            township = townships[v["lead"]][2]
        founded, dissolved = v["founded_on"], v["dissolved_on"]
        before = len(errors)
        if founded and founded > self.ctx.today:
            fail("founded_on", "晚于今天")
        elif founded and lead is not None:
            problem = _life_problem(lead, founded, "牵头党组织")
            if problem:
                fail("founded_on", problem)
        if founded and dissolved and dissolved < founded:
            fail("dissolved_on", f"早于成立日期 {founded}")
        # A member's dates are held to the 联组's only when those are right (one error each).
        dated = len(errors) == before and founded is not None
        member = party_orgs.rows.get(v["member"])
        problem = party_orgs.problem(v["member"])
        if problem:
            fail("member", problem)
            member = None
        started, ended = v["started_on"], v["ended_on"]
        if started and started > self.ctx.today:
            fail("started_on", "晚于今天")
        elif started and dated and started < founded:
            fail("started_on", f"早于联组成立日期 {founded}")
        elif started and dated and dissolved and started >= dissolved:
            fail("started_on", f"联组已于 {dissolved} 撤销")
        elif started and member is not None:
            problem = _life_problem(member, started, "该党组织")
            if problem:
                fail("started_on", problem)
        if started and ended and ended < started:
            fail("ended_on", f"早于加入日期 {started}")
        elif ended and dated and dissolved and ended > dissolved:
            fail("ended_on", f"晚于联组撤销日期 {dissolved}")
        if errors:
            return None, errors
        assert lead is not None and member is not None and township is not None
        group = (lead[0], v["name"])
        values = (township, founded, dissolved)
        first = self.groups.setdefault(group, (row.number, values))
        if first[1] != values:
            for column, mine, theirs in zip(GROUP_COLUMNS, values, first[1], strict=True):
                if mine != theirs:
                    fail(column, f"与第{first[0]}行不一致：{SAME_GROUP}")
            return None, errors
        key = (group, member[0], started)
        if key in self.seen:
            return None, [row.error(self.column("started_on"), f"与第{self.seen[key]}行重复")]
        self.seen[key] = row.number
        self.codes[member[0]] = v["member"]
        self.held.append(MemberRow(row, group, values, member[0], v["member"], started, ended))
        return None, []  # written in `finish`, with the rest of its 联组

    def write(self, records: list[Any]) -> Outcome:
        return Outcome()  # every row is held for `finish`

    def finish(self) -> tuple[Outcome, list[tuple[Row, list[RowError]]]]:
        if not self.held:
            return Outcome(), []
        by_group: dict[tuple[int, str], list[MemberRow]] = {}
        for held in self.held:
            by_group.setdefault(held.group, []).append(held)
        stored = self._stored(by_group)
        failures: list[tuple[Row, list[RowError]]] = []
        good: list[MemberRow] = []
        for group, rows in by_group.items():
            kept, refused = self._check_group(group, rows, stored.get(group, []))
            failures += refused
            good += kept
        return (self._write(good) if good else Outcome()), failures

    def _stored(self, by_group: dict[tuple[int, str], list[MemberRow]]
                ) -> dict[tuple[int, str], list[tuple[int, str, dt.date, dt.date | None]]]:  # fmt: skip
        """The stored members of the 联组 the file names: (member pk, code, start, end)."""
        leads = sorted({lead for lead, _name in by_group})
        pk_of: dict[int, tuple[int, str]] = {}
        for start in range(0, len(leads), 900):
            for pk, lead, name in JointGroup.objects.filter(
                lead_id__in=leads[start : start + 900]
            ).values_list("pk", "lead_id", "name"):
                if (lead, name) in by_group:
                    pk_of[pk] = (lead, name)
        out: dict[tuple[int, str], list[tuple[int, str, dt.date, dt.date | None]]] = {}
        pks = sorted(pk_of)
        for start in range(0, len(pks), 900):
            for group, member, code, started, ended in (
                JointGroupMember.objects.filter(group_id__in=pks[start : start + 900])
                .order_by("started_on", "party_org__code")
                .values_list(
                    "group_id", "party_org_id", "party_org__code", "started_on", "ended_on"
                )
            ):
                out.setdefault(pk_of[group], []).append((member, code, started, ended))
        return out

    def _check_group(self, group: tuple[int, str], rows: list[MemberRow],
                     stored: list[tuple[int, str, dt.date, dt.date | None]]
                     ) -> tuple[list[MemberRow], list[tuple[Row, list[RowError]]]]:  # fmt: skip
        """The rows of one 联组 that can be written, and those refused: a member's periods
        must not overlap; the members already stored must fit the 联组's dates; the lead
        must be a member."""
        refused: list[tuple[Row, list[RowError]]] = []
        _township, founded, dissolved = rows[0].values
        first = rows[0].row
        # The 联组's dates against its stored members the file does not give again.
        given = {(r.member, r.started) for r in rows}
        for member, code, started, ended in stored:
            if (member, started) in given:
                continue
            problem = ""
            if started < founded:
                problem = f"晚于已登记成员 {code} 的加入日期 {started}"
                column = "founded_on"
            elif dissolved is not None and started >= dissolved:
                problem = f"不晚于已登记成员 {code} 的加入日期 {started}"
                column = "dissolved_on"
            elif dissolved is not None and ended is not None and ended > dissolved:
                problem = f"早于已登记成员 {code} 的退出日期 {ended}"
                column = "dissolved_on"
            if problem:
                return [], self._refuse_all(rows, first.error(self.column(column), problem))
        periods = _Periods()
        for member, _code, started, ended in stored:
            periods.stored(member, started, ended)
        kept: list[MemberRow] = []
        for r in rows:
            clash = periods.clash(r.member, r.started, r.ended, "加入日期")
            if clash:
                error = r.row.error(self.column("started_on"), f"与该党组织在本联组的{clash}")
                refused.append((r.row, [error]))
                continue
            periods.add(r.member, r.started, r.ended, r.row.number)
            kept.append(r)
        lead = group[0]
        members = {member for member, _c, _s, _e in stored} | {r.member for r in kept}
        if kept and lead not in members:
            error = first.error(
                self.column("lead"),
                "牵头党组织须是本联组的成员：请为它填写一行（成员党组织编码填写牵头党组织编码）",
            )
            return [], refused + self._refuse_all(kept, error)
        return kept, refused

    def _refuse_all(self, rows: list[MemberRow], error: RowError
                    ) -> list[tuple[Row, list[RowError]]]:  # fmt: skip
        """The 联组's first row with the error, the others naming it."""
        out = [(rows[0].row, [error])]
        for r in rows[1:]:
            out.append((r.row, [r.row.error(None, f"同一联组的第{error.row}行有错误，未能导入")]))
        return out

    def _write(self, rows: list[MemberRow]) -> Outcome:
        groups: dict[tuple[int, str], Keyed] = {}
        for r in rows:
            groups.setdefault(r.group, Keyed(r.row.number, r.group, r.values))
        group_outcome, group_status = upsert(
            self.ctx,
            JointGroup,
            key=["lead", "name"],
            fields=list(GROUP_COLUMNS),
            labels=[self.column(k).label for k in GROUP_COLUMNS],
            records=list(groups.values()),
            key_label=lambda key: key[1],
        )
        changed = {c.row: c.fields for c in group_outcome.changes}  # by the 联组's first row
        stored = bulk.fetch_many(
            JointGroup,
            by="lead",
            keys=sorted({lead for lead, _ in groups}),
            fields=["lead", "name"],
        )
        pk_of = {(lead, name): pk for pk, lead, name in stored}
        members = [
            Keyed(r.row.number, (pk_of[r.group], r.member, r.started), (r.ended,)) for r in rows
        ]
        label = {m.key: f"{r.group[1]} {r.member_code}" for m, r in zip(members, rows, strict=True)}
        outcome, status = upsert(
            self.ctx,
            JointGroupMember,
            key=["group", "party_org", "started_on"],
            fields=["ended_on"],
            labels=[self.column("ended_on").label],
            records=members,
            fetch_by="group",
            key_label=lambda key: label[key],
        )
        # A row whose 联组 changed is a changed row (the first of its 联组 says how).
        told: set[tuple[int, str]] = set()
        for m, r in zip(members, rows, strict=True):
            if group_status[r.group] != "~" or r.group in told:
                continue
            told.add(r.group)
            fields = changed.get(groups[r.group].row, [])
            if status[m.key] == "=":
                outcome.unchanged -= 1
                outcome.updated += 1
                outcome.changes.append(Change(r.row.number, label[m.key], list(fields)))
            else:
                for change in outcome.changes:
                    if change.row == r.row.number:
                        change.fields += fields
        return outcome


# --- activities ------------------------------------------------------------------------------

ACTIVITY_FIELDS = ["participants", "duties", "partner", "joint_group", "occasion", "description"]
ACTIVITY_LABELS = ["参加人数", "职责分类", "共建党组织编码", "联组名称", "活动契机", "活动内容"]


@dataclass(frozen=True)
class _Group:
    pk: int
    lead: int
    lead_code: str
    founded: dt.date
    dissolved: dt.date | None


class ActivitiesKind(Kind):
    name = "activities"
    label = "党建活动"
    columns = (
        Column("party_org", "党组织编码", text(32), required=True),
        choice_column("kind", "活动类型", labels_of(ActivityKind), required=True),
        date_column("held_on", "开展日期", required=True),
        Column("title", "活动名称", text(200), required=True),
        Column("participants", "参加人数", integer(maximum=100_000)),
        Column("duties", "职责分类", text(200), hint=DUTIES_HINT),
        Column("partner", "共建党组织编码", text(32), hint="结对共建必填，其他类型不填"),
        Column("joint_group", "联组名称", text(100), hint="联组活动必填，其他类型不填"),
        Column("occasion", "活动契机", text(40), hint="如 年会、换届、七一"),
        Column("description", "活动内容", long_text(20000)),
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.seen: dict[tuple[Any, ...], int] = {}

    def check_many(self, rows: list[Row]) -> list[tuple[Any, list[RowError]]]:
        codes = {r.values[k] for r in rows for k in ("party_org", "partner") if r.values[k]}
        party_orgs = _PartyOrgs(self.ctx, codes)
        groups, members = self._groups({r.values["joint_group"] for r in rows} - {None, ""})
        return [self._check(row, party_orgs, groups, members) for row in rows]

    @staticmethod
    def _groups(names: set[str]) -> tuple[dict[str, list[_Group]],
                                           dict[int, list[tuple[int, dt.date, dt.date | None]]]]:  # fmt: skip
        """The 联组 of these names, and their members: (party_org pk, start, end)."""
        groups: dict[str, list[_Group]] = {}
        if not names:
            return groups, {}
        wanted = sorted(names)
        for start in range(0, len(wanted), 900):
            for pk, name, lead, code, founded, dissolved in JointGroup.objects.filter(
                name__in=wanted[start : start + 900]
            ).values_list("pk", "name", "lead_id", "lead__code", "founded_on", "dissolved_on"):
                groups.setdefault(name, []).append(_Group(pk, lead, code, founded, dissolved))
        members: dict[int, list[tuple[int, dt.date, dt.date | None]]] = {}
        pks = sorted(g.pk for found in groups.values() for g in found)
        for start in range(0, len(pks), 900):
            for group, po, started, ended in JointGroupMember.objects.filter(
                group_id__in=pks[start : start + 900]
            ).values_list("group_id", "party_org_id", "started_on", "ended_on"):
                members.setdefault(group, []).append((po, started, ended))
        return groups, members

    def _check(self, row: Row, party_orgs: _PartyOrgs, groups: dict[str, list[_Group]],
               members: dict[int, list[tuple[int, dt.date, dt.date | None]]]
               ) -> tuple[Any, list[RowError]]:  # fmt: skip
        v = row.values
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(row.error(self.column(key), message))

        problem = party_orgs.problem(v["party_org"])
        found = party_orgs.rows.get(v["party_org"])
        if problem:
            fail("party_org", problem)
            found = None
        held = v["held_on"]
        if held and held > self.ctx.today:
            fail("held_on", "晚于今天：只能记录已开展的活动")
        elif found is not None and held:
            problem = _life_problem(found, held)
            if problem:
                fail("held_on", problem)
        duties, unknown = duties_codes(v["duties"])
        if unknown:
            fail(
                "duties",
                f"不是党组织的六项职责之一：{'、'.join(unknown)}（应为{'、'.join(DUTY_BY_LABEL)}）",
            )
        partner = None
        if v["kind"] == ActivityKind.PAIRING:
            known = party_orgs.rows.get(v["partner"] or "")
            if not v["partner"]:
                fail("partner", "结对共建活动须填写共建党组织编码")
            elif known is None:
                fail("partner", "党组织编码不存在（请先导入党组织）")
            elif v["partner"] == v["party_org"]:
                fail("partner", "不能是本党组织自己")
            else:
                partner = known[0]
        elif v["partner"]:
            fail("partner", "只有结对共建活动填写共建党组织编码")
        group = None
        if v["kind"] == ActivityKind.JOINT:
            if not v["joint_group"]:
                fail("joint_group", "联组活动须填写联组名称")
            elif found is not None and held:
                group, problem = self._group(found[0], held, groups.get(v["joint_group"], []),
                                             members)  # fmt: skip
                if problem:
                    fail("joint_group", problem)
        elif v["joint_group"]:
            fail("joint_group", "只有联组活动填写联组名称")
        if errors:
            return None, errors
        assert found is not None
        key = (found[0], v["kind"], held, v["title"])
        if key in self.seen:
            return None, [row.error(self.column("title"), f"与第{self.seen[key]}行重复")]
        self.seen[key] = row.number
        values = (
            v["participants"], duties, partner, group, v["occasion"] or "", v["description"] or "",
        )  # fmt: skip
        return Keyed(row.number, key, values), []

    @staticmethod
    def _group(po: int, held: dt.date, named: list[_Group],
               members: dict[int, list[tuple[int, dt.date, dt.date | None]]]
               ) -> tuple[int | None, str]:  # fmt: skip
        """The 联组 of that name the Party organization leads or is a member of on `held`
        (its pk), or why there is none."""
        mine = [
            g for g in named
            if g.lead == po or any(m == po for m, _s, _e in members.get(g.pk, []))
        ]  # fmt: skip
        if not mine:
            return None, "不是该党组织牵头或参加的联组（请先导入联组）"
        alive = [g for g in mine if holds_on(g.founded, g.dissolved, held)]
        if not alive:
            g = mine[0]
            until = f"，撤销于{g.dissolved}" if g.dissolved else ""
            return None, f"该联组在 {held} 不存在（成立于{g.founded}{until}）"
        there = [
            g for g in alive
            if g.lead == po or any(m == po and holds_on(s, e, held) for m, s, e in members.get(g.pk, []))
        ]  # fmt: skip
        if not there:
            return None, f"该党组织在 {held} 不是此联组的成员"
        if len(there) > 1:
            leads = "、".join(sorted(g.lead_code for g in there))
            return None, f"名称对应多个联组（牵头党组织编码：{leads}），无法确定是哪一个"
        return there[0].pk, ""

    def write(self, records: list[Any]) -> Outcome:
        outcome, _ = upsert(
            self.ctx,
            Activity,
            key=["party_org", "kind", "held_on", "title"],
            fields=ACTIVITY_FIELDS,
            labels=ACTIVITY_LABELS,
            records=records,
            fetch_by="party_org",
            key_label=lambda key: f"{key[2]} {key[3]}",
        )
        return outcome
