"""`trainings`: 培训记录, one row per trainee and training (CONTRACT.md, "Party work: the
further import kinds"; docs/cadres.md). Key: trainee + 培训名称 + 开始日期.

A class of forty is forty rows with the same name, kind, organizer and dates (the page's
roster picker writes exactly those rows). 培训天数 counts the days actually trained: more
than zero, at most one decimal, and not more than the days from 开始 to 结束 inclusive."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from dangjian.cadres.models import Training, TrainingKind
from dangjian.imports.base import Context, Keyed, Kind, Outcome, Row, upsert
from dangjian.imports.errors import RowError
from dangjian.imports.fields import (
    Column,
    choice_column,
    date_column,
    id_code,
    labels_of,
    tenths,
    text,
)
from dangjian.imports.kinds.life import _people
from dangjian.imports.writers import OUTSIDE, outside
from dangjian.lib.codes import id_number_problem, mask_id_number
from dangjian.people.models import Person

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
        numbers = {r.values["id_number"] for r in rows if r.values["id_number"]}
        hashes, people = _people(numbers, self.ctx)
        gate = self.ctx.gate
        hidden: set[Any] = set()
        if gate is not None:
            hidden = outside(gate, gate.people(), Person, "id_hash", set(people))
        return [self._check(row, hashes, people, hidden) for row in rows]

    def _check(self, row: Row, hashes: dict[str, str], people: dict[str, int],
               hidden: set[Any]) -> tuple[Any, list[RowError]]:  # fmt: skip
        v = row.values
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(row.error(self.column(key), message))

        number = v["id_number"]
        person = None
        problem = id_number_problem(number, self.ctx.today) if number else ""
        if problem:
            fail("id_number", problem)
        elif number:
            person = people.get(hashes.get(number, ""))
            if person is None:
                fail("id_number", "不是已登记的人员（请先在人员文件中导入此人）")
            elif hashes[number] in hidden:
                fail("id_number", OUTSIDE)
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
