"""`trainings` and `recommendations` (CONTRACT.md, "Party work: the further import kinds";
docs/cadres.md).

`trainings`: 培训记录, one row per trainee and training. Key: trainee + 培训名称 + 开始日期.
A class of forty is forty rows with the same name, kind, organizer and dates (the page's
roster picker writes exactly those rows). 培训天数 counts the days actually trained: more
than zero, at most one decimal, and not more than the days from 开始 to 结束 inclusive."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from typing import Any

from dangjian.accounts.models import Role
from dangjian.cadres.models import (
    InstructorVisit,
    Opinion,
    PartyWorker,
    Recommendation,
    RecommendationKind,
    Training,
    TrainingKind,
    WorkerAllowance,
)
from dangjian.imports.base import Context, Keyed, Kind, Outcome, Row, upsert
from dangjian.imports.errors import RowError
from dangjian.imports.fields import (
    Column,
    choice_column,
    date_column,
    id_code,
    integer,
    labels_of,
    long_text,
    tenths,
    text,
    uscc_code,
    yes_no,
    yuan,
)
from dangjian.imports.kinds.life import _PartyOrgs, _people
from dangjian.imports.writers import OUTSIDE, outside
from dangjian.lib.codes import id_number_problem, mask_id_number
from dangjian.lib.dated import holds_on
from dangjian.orgs.models import SocialOrganization
from dangjian.partyorgs.models import Instructor, InstructorAssignment
from dangjian.people.models import Employment, Person, Position

KEY = ["person", "name", "started_on"]
FIELDS = ["kind", "organizer", "ended_on", "days"]
LABELS = ["培训类别", "举办单位", "结束日期", "培训天数"]


def days_text(days: Decimal) -> str:
    """培训天数 as the export writes it: 5, 4.5."""
    text_value = format(days, "f")
    return text_value[:-2] if text_value.endswith(".0") else text_value


class TrainingsKind(Kind):
    name = "trainings"
    label = "培训记录"
    columns = (
        Column("id_number", "公民身份号码", id_code, required=True, personal=True),
        Column("name", "培训名称", text(100), required=True),
        choice_column("kind", "培训类别", labels_of(TrainingKind), required=True),
        Column("organizer", "举办单位", text(100), required=True, hint="如：长沙市委党校"),
        date_column("started_on", "开始日期", required=True),
        date_column("ended_on", "结束日期", required=True),
        Column("days", "培训天数", tenths(), required=True, hint="大于0，最多一位小数"),
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.seen: dict[tuple[Any, ...], int] = {}
        self.masked: dict[int, str] = {}

    def check_many(self, rows: list[Row]) -> list[tuple[Any, list[RowError]]]:
        hashes, people, hidden = _visible_people(rows, self.ctx)
        return [self._check(row, hashes, people, hidden) for row in rows]

    def _check(self, row: Row, hashes: dict[str, str], people: dict[str, int],
               hidden: set[Any]) -> tuple[Any, list[RowError]]:  # fmt: skip
        v = row.values
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(row.error(self.column(key), message))

        number = v["id_number"]
        person = _person(number, hashes, people, hidden, self.ctx, fail)
        started, ended, days = v["started_on"], v["ended_on"], v["days"]
        if started and started > self.ctx.today:
            fail("started_on", "晚于今天")
        if started and ended and ended < started:
            fail("ended_on", f"早于开始日期 {started}")
        elif started and ended and days is not None:
            span = (ended - started).days + 1
            if days > span:
                fail("days", f"超过开始日期至结束日期的天数（{span}天）")
        if errors:
            return None, errors
        assert person is not None
        key = (person, v["name"], started)
        if key in self.seen:
            return None, [row.error(self.column("started_on"), f"与第{self.seen[key]}行重复")]
        self.seen[key] = row.number
        self.masked[person] = mask_id_number(number)
        return Keyed(row.number, key, (v["kind"], v["organizer"], ended, days)), []

    def write(self, records: list[Any]) -> Outcome:
        outcome, _ = upsert(
            self.ctx,
            Training,
            key=KEY,
            fields=FIELDS,
            labels=LABELS,
            records=records,
            fetch_by="person",
            key_label=lambda key: f"{self.masked.get(key[0], '')} {key[1]}",
        )
        return outcome


# --- recommendations -------------------------------------------------------------------------

LEADING = (Position.LEADER, Position.INVESTOR)


class RecommendationsKind(Kind):
    """`recommendations`: 社会组织负责人推荐为代表、委员、劳模 (CONTRACT.md; key: person +
    推荐类别 + 推荐日期). The person must be employed as 负责人 or 主要出资人 of a social
    organization on the recommendation date (an employment of that position holding that
    day, `lib.dated.holds_on`)."""

    name = "recommendations"
    label = "推荐人选"
    columns = (
        Column("id_number", "公民身份号码", id_code, required=True, personal=True),
        choice_column("kind", "推荐类别", labels_of(RecommendationKind), required=True),
        date_column("recommended_on", "推荐日期", required=True),
        Column("party_org", "征求意见党组织编码", text(32)),
        choice_column("opinion", "党组织意见", labels_of(Opinion)),
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.seen: dict[tuple[Any, ...], int] = {}
        self.masked: dict[int, str] = {}

    def check_many(self, rows: list[Row]) -> list[tuple[Any, list[RowError]]]:
        hashes, people, hidden = _visible_people(rows, self.ctx)
        leading: dict[int, list[tuple[Any, Any]]] = {}
        pks = sorted(set(people.values()))
        for start in range(0, len(pks), 900):
            for person, started, ended in Employment.objects.filter(
                person_id__in=pks[start : start + 900], position__in=LEADING
            ).values_list("person_id", "started_on", "ended_on"):
                leading.setdefault(person, []).append((started, ended))
        party_orgs = _PartyOrgs(
            self.ctx, {r.values["party_org"] for r in rows if r.values["party_org"]}
        )
        return [self._check(row, hashes, people, hidden, leading, party_orgs) for row in rows]

    def _check(self, row: Row, hashes: dict[str, str], people: dict[str, int],
               hidden: set[Any], leading: dict[int, list[tuple[Any, Any]]],
               party_orgs: _PartyOrgs) -> tuple[Any, list[RowError]]:  # fmt: skip
        v = row.values
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(row.error(self.column(key), message))

        number, day = v["id_number"], v["recommended_on"]
        person = _person(number, hashes, people, hidden, self.ctx, fail)
        if (
            person is not None
            and day
            and day <= self.ctx.today
            and not any(holds_on(s, e, day) for s, e in leading.get(person, ()))
        ):
            fail(
                "id_number",
                f"推荐日期 {day} 不是社会组织的负责人或主要出资人（请先在人员文件中登记其从业情况）",
            )
        if day and day > self.ctx.today:
            fail("recommended_on", "晚于今天")
        party_org = None
        if v["party_org"]:
            problem = party_orgs.problem(v["party_org"])
            if problem:
                fail("party_org", problem)
            else:
                party_org = party_orgs.rows[v["party_org"]][0]
        if errors:
            return None, errors
        assert person is not None
        key = (person, v["kind"], day)
        if key in self.seen:
            return None, [row.error(self.column("recommended_on"), f"与第{self.seen[key]}行重复")]
        self.seen[key] = row.number
        self.masked[person] = mask_id_number(number)
        return Keyed(row.number, key, (party_org, v["opinion"] or "")), []

    def write(self, records: list[Any]) -> Outcome:
        outcome, _ = upsert(
            self.ctx,
            Recommendation,
            key=["person", "kind", "recommended_on"],
            fields=["party_org", "opinion"],
            labels=["征求意见党组织编码", "党组织意见"],
            records=records,
            fetch_by="person",
            key_label=lambda key: f"{self.masked.get(key[0], '')} {key[1]}",
        )
        return outcome


# --- party-workers and worker-allowances (the project's own, docs/cadres.md) -----------------


class PartyWorkersKind(Kind):
    """`party-workers`: 党务工作者 (POLICY 五.2), full-time or part-time, of a Party
    organization over a period. Key: 党组织编码 + 公民身份号码 + 开始日期."""

    name = "party-workers"
    label = "党务工作者"
    columns = (
        Column("party_org", "党组织编码", text(32), required=True),
        Column("id_number", "公民身份号码", id_code, required=True, personal=True),
        Column(
            "full_time", "是否专职", yes_no, required=True, options=("是", "否"), hint="是 / 否"
        ),
        date_column("started_on", "开始日期", required=True),
        date_column("ended_on", "结束日期"),
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.seen: dict[tuple[Any, ...], int] = {}
        self.masked: dict[int, str] = {}

    def check_many(self, rows: list[Row]) -> list[tuple[Any, list[RowError]]]:
        hashes, people, hidden = _visible_people(rows, self.ctx)
        party_orgs = _PartyOrgs(
            self.ctx, {r.values["party_org"] for r in rows if r.values["party_org"]}
        )
        return [self._check(row, hashes, people, hidden, party_orgs) for row in rows]

    def _check(self, row: Row, hashes: dict[str, str], people: dict[str, int],
               hidden: set[Any], party_orgs: _PartyOrgs) -> tuple[Any, list[RowError]]:  # fmt: skip
        v = row.values
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(row.error(self.column(key), message))

        party_org = None
        problem = party_orgs.problem(v["party_org"]) if v["party_org"] else ""
        if problem:
            fail("party_org", problem)
        elif v["party_org"]:
            party_org = party_orgs.rows[v["party_org"]]
        person = _person(v["id_number"], hashes, people, hidden, self.ctx, fail)
        started, ended = v["started_on"], v["ended_on"]
        if started and started > self.ctx.today:
            fail("started_on", "晚于今天")
        elif started and party_org is not None and started < party_org[2]:
            fail("started_on", f"早于党组织成立日期 {party_org[2]}")
        if started and ended and ended < started:
            fail("ended_on", f"早于开始日期 {started}")
        if errors:
            return None, errors
        assert party_org is not None and person is not None
        key = (party_org[0], person, started)
        if key in self.seen:
            return None, [row.error(self.column("started_on"), f"与第{self.seen[key]}行重复")]
        self.seen[key] = row.number
        self.masked[person] = mask_id_number(v["id_number"])
        return Keyed(row.number, key, (bool(v["full_time"]), ended)), []

    def write(self, records: list[Any]) -> Outcome:
        outcome, _ = upsert(
            self.ctx,
            PartyWorker,
            key=["party_org", "person", "started_on"],
            fields=["full_time", "ended_on"],
            labels=["是否专职", "结束日期"],
            records=records,
            fetch_by="party_org",
            key_label=lambda key: self.masked.get(key[1], ""),
        )
        return outcome


class WorkerAllowancesKind(Kind):
    """`worker-allowances`: a Party worker's allowance (津贴) for a year. Key: 党组织编码 +
    公民身份号码 + 年度; the person must be a Party worker of that Party organization (a
    `party-workers` record) on some day of the year."""

    name = "worker-allowances"
    label = "党务工作者津贴"
    columns = (
        Column("party_org", "党组织编码", text(32), required=True),
        Column("id_number", "公民身份号码", id_code, required=True, personal=True),
        Column("year", "年度", integer(minimum=1949, maximum=2100), required=True),
        Column("amount", "津贴金额(元)", yuan(), required=True, hint="元，最多两位小数"),
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.seen: dict[tuple[Any, ...], int] = {}
        self.masked: dict[int, str] = {}

    def check_many(self, rows: list[Row]) -> list[tuple[Any, list[RowError]]]:
        hashes, people, hidden = _visible_people(rows, self.ctx)
        party_orgs = _PartyOrgs(
            self.ctx, {r.values["party_org"] for r in rows if r.values["party_org"]}
        )
        periods: dict[tuple[int, int], list[tuple[Any, Any]]] = {}
        pks = sorted(set(people.values()))
        for start in range(0, len(pks), 900):
            for po, person, started, ended in PartyWorker.objects.filter(
                person_id__in=pks[start : start + 900]
            ).values_list("party_org_id", "person_id", "started_on", "ended_on"):
                periods.setdefault((po, person), []).append((started, ended))
        return [self._check(row, hashes, people, hidden, party_orgs, periods) for row in rows]

    def _check(self, row: Row, hashes: dict[str, str], people: dict[str, int],
               hidden: set[Any], party_orgs: _PartyOrgs,
               periods: dict[tuple[int, int], list[tuple[Any, Any]]],
               ) -> tuple[Any, list[RowError]]:  # fmt: skip
        v = row.values
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(row.error(self.column(key), message))

        party_org = None
        problem = party_orgs.problem(v["party_org"]) if v["party_org"] else ""
        if problem:
            fail("party_org", problem)
        elif v["party_org"]:
            party_org = party_orgs.rows[v["party_org"]][0]
        person = _person(v["id_number"], hashes, people, hidden, self.ctx, fail)
        year = v["year"]
        if year is not None and year > self.ctx.today.year:
            fail("year", "晚于今年")
        elif year is not None and party_org is not None and person is not None:
            first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
            if not any(
                s <= last and (e is None or e > first)
                for s, e in periods.get((party_org, person), ())
            ):
                fail("year", "该年度不是本党组织的党务工作者（请先导入党务工作者）")
        if errors:
            return None, errors
        assert party_org is not None and person is not None
        key = (party_org, person, year)
        if key in self.seen:
            return None, [row.error(self.column("year"), f"与第{self.seen[key]}行重复")]
        self.seen[key] = row.number
        self.masked[person] = mask_id_number(v["id_number"])
        return Keyed(row.number, key, (v["amount"],)), []

    def write(self, records: list[Any]) -> Outcome:
        outcome, _ = upsert(
            self.ctx,
            WorkerAllowance,
            key=["party_org", "person", "year"],
            fields=["amount"],
            labels=["津贴金额(元)"],
            records=records,
            fetch_by="party_org",
            key_label=lambda key: f"{self.masked.get(key[1], '')} {key[2]}",
        )
        return outcome


def _visible_people(
    rows: list[Row], ctx: Context
) -> tuple[dict[str, str], dict[str, int], set[Any]]:
    """(number -> hash, hash -> person pk, hashes of people outside the writer's reach)."""
    numbers = {r.values["id_number"] for r in rows if r.values["id_number"]}
    hashes, people = _people(numbers, ctx)
    gate = ctx.gate
    hidden: set[Any] = set()
    if gate is not None:
        hidden = outside(gate, gate.people(), Person, "id_hash", set(people))
    return hashes, people, hidden


@functools.lru_cache(maxsize=8)
def _yyyymmdd(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def _person(number: str | None, hashes: dict[str, str], people: dict[str, int],
            hidden: set[Any], ctx: Context, fail: Any) -> int | None:  # fmt: skip
    """The person a row names (None, with the column's error, when none may be written).
    `number` is an `id_code` column's value: valid on the real today, so only its birth date
    is checked again, against the import's today (which a caller may set earlier)."""
    if not number:
        return None
    if number[6:14] > _yyyymmdd(ctx.today):
        fail("id_number", f"出生日期「{number[6:14]}」不存在")
        return None
    person = people.get(hashes.get(number, ""))
    if person is None:
        fail("id_number", "不是已登记的人员（请先在人员文件中导入此人）")
        return None
    if hashes[number] in hidden:
        fail("id_number", OUTSIDE)
        return None
    return person


# --- instructor-visits (the project's own, docs/cadres.md) -------------------------------------


class InstructorVisitsKind(Kind):
    """`instructor-visits`: a Party-building instructor's visit (POLICY 三.2). Key: 指导员 +
    统一社会信用代码 + 走访日期. The instructor must be assigned to the organization on the
    visit's day; an instructor's own account records their own visits only."""

    name = "instructor-visits"
    label = "指导员走访"
    columns = (
        Column("id_number", "指导员公民身份号码", id_code, required=True, personal=True),
        Column("uscc", "统一社会信用代码", uscc_code, required=True),
        date_column("visited_on", "走访日期", required=True),
        Column("content", "走访情况", long_text(2000)),
        Column("union_set_up", "帮助建立工会", yes_no, options=("是", "否"), hint="是 / 否"),
        Column(
            "youth_league_set_up", "帮助建立共青团", yes_no, options=("是", "否"), hint="是 / 否"
        ),
        Column("activists", "发现入党积极分子人数", integer(maximum=10_000)),
        Column("members_found", "发现党员人数", integer(maximum=10_000)),
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.seen: dict[tuple[Any, ...], int] = {}

    def check_many(self, rows: list[Row]) -> list[tuple[Any, list[RowError]]]:
        numbers = {r.values["id_number"] for r in rows if r.values["id_number"]}
        hashes, people = _people(numbers, self.ctx)
        instructors = dict(
            Instructor.objects.filter(person_id__in=sorted(set(people.values()))).values_list(
                "person_id", "pk"
            )
        )
        usccs = sorted({r.values["uscc"] for r in rows if r.values["uscc"]})
        orgs: dict[str, int] = {}
        for start in range(0, len(usccs), 900):
            orgs.update(
                SocialOrganization.objects.filter(uscc__in=usccs[start : start + 900]).values_list(
                    "uscc", "pk"
                )
            )
        gate = self.ctx.gate
        hidden: set[Any] = set()
        if gate is not None:
            hidden = outside(gate, gate.orgs(), SocialOrganization, "uscc", set(orgs))
        assigned: dict[tuple[int, int], list[tuple[Any, Any]]] = {}
        for instructor, org, started, ended in InstructorAssignment.objects.filter(
            instructor_id__in=sorted(set(instructors.values()))
        ).values_list("instructor_id", "org_id", "started_on", "ended_on"):
            assigned.setdefault((instructor, org), []).append((started, ended))
        own = None
        user = getattr(gate, "user", None)
        if user is not None and user.role == Role.INSTRUCTOR:
            own = user.instructor_id
        return [
            self._check(row, hashes, people, instructors, orgs, hidden, assigned, own)
            for row in rows
        ]

    def _check(self, row: Row, hashes: dict[str, str], people: dict[str, int],
               instructors: dict[int, int], orgs: dict[str, int], hidden: set[Any],
               assigned: dict[tuple[int, int], list[tuple[Any, Any]]],
               own: int | None) -> tuple[Any, list[RowError]]:  # fmt: skip
        v = row.values
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(row.error(self.column(key), message))

        instructor = None
        number = v["id_number"]
        problem = id_number_problem(number, self.ctx.today) if number else ""
        if problem:
            fail("id_number", problem)
        elif number:
            person = people.get(hashes.get(number, ""))
            instructor = instructors.get(person) if person is not None else None
            if instructor is None:
                fail("id_number", "不是党建工作指导员（请先导入指导员派驻）")
            elif own is not None and instructor != own:
                fail("id_number", "只能记录本人的走访")
        org = orgs.get(v["uscc"]) if v["uscc"] else None
        if v["uscc"] and org is None:
            fail("uscc", "统一社会信用代码不存在（请先导入社会组织）")
        elif v["uscc"] and v["uscc"] in hidden:
            fail("uscc", OUTSIDE)
        day = v["visited_on"]
        if day and day > self.ctx.today:
            fail("visited_on", "晚于今天")
        elif day and instructor is not None and org is not None:
            periods = assigned.get((instructor, org), [])
            if not any(holds_on(s, e, day) for s, e in periods):
                fail("visited_on", "该日期该指导员未派驻到该社会组织")
        if errors:
            return None, errors
        assert instructor is not None and org is not None
        key = (instructor, org, day)
        if key in self.seen:
            return None, [row.error(self.column("visited_on"), f"与第{self.seen[key]}行重复")]
        self.seen[key] = row.number
        values = (
            v["content"] or "", bool(v["union_set_up"]), bool(v["youth_league_set_up"]),
            v["activists"] or 0, v["members_found"] or 0,
        )  # fmt: skip
        return Keyed(row.number, key, values), []

    def write(self, records: list[Any]) -> Outcome:
        outcome, _ = upsert(
            self.ctx,
            InstructorVisit,
            key=["instructor", "org", "visited_on"],
            fields=["content", "union_set_up", "youth_league_set_up", "activists", "members_found"],
            labels=[
                "走访情况",
                "帮助建立工会",
                "帮助建立共青团",
                "发现入党积极分子人数",
                "发现党员人数",
            ],
            records=records,
            fetch_by="instructor",
            key_label=lambda key: str(key[2]),
        )
        return outcome
