"""`inspections` (CONTRACT.md, "Party work: the further import kinds") and `evaluations` (the
project's own; docs/dynamics.md): 同年检、同评估 (POLICY 三.3).

- `inspections` — 年检 (年报), key: the organization + 年检年度. An organization is inspected
  in a year after the one inspected: 年检日期 falls in a later year than 年检年度, not after
  today; the year is not before the organization's registration. 党建情况已填报 is 是 / 否
  exactly (rule DYN-INSPECTION reads it).
- `evaluations` — 评估, key: the organization + 评估日期: 评估等级 1A … 5A, 有效期至 after the
  date, 党建工作纳入评估 是 / 否, 党建工作得分 0 … 100 (only when Party building was part of it).

Bounds of the writer (imports/writers.py): the organization must be one the writer sees —
for the registry, one it registered directly; a stored organization outside the
jurisdiction is refused as a stored record outside it (as `instructor-visits`)."""

from __future__ import annotations

from typing import Any

from dangjian.imports.base import Context, Keyed, Kind, Outcome, Row, upsert
from dangjian.imports.errors import RowError
from dangjian.imports.fields import (
    Column,
    choice_column,
    date_column,
    integer,
    labels_of,
    uscc_code,
    yes_no_column,
)
from dangjian.imports.writers import OUTSIDE, outside
from dangjian.inspections.models import (
    AnnualInspection,
    Evaluation,
    EvaluationGrade,
    InspectionResult,
)
from dangjian.orgs.models import SocialOrganization

NO_ORG = "统一社会信用代码不存在（请先导入社会组织）"


class _OrgKind(Kind):
    """What both kinds share: the organization a row names, which the writer must see."""

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.seen: dict[Any, int] = {}
        self.orgs: dict[str, tuple[int, Any]] = {}  # uscc -> (pk, registered_on)
        self.hidden: set[str] = set()

    def check_many(self, rows: list[Row]) -> list[tuple[Any, list[RowError]]]:
        usccs = sorted({r.values["uscc"] for r in rows if r.values["uscc"]})
        for start in range(0, len(usccs), 900):
            for uscc, pk, registered in SocialOrganization.objects.filter(
                uscc__in=usccs[start : start + 900]
            ).values_list("uscc", "pk", "registered_on"):
                self.orgs[uscc] = (pk, registered)
        gate = self.ctx.gate
        if gate is not None:
            self.hidden = outside(gate, gate.orgs(), SocialOrganization, "uscc", set(self.orgs))
        return [self.check(row) for row in rows]

    def _org(self, row: Row, fail: Any) -> tuple[int, Any] | None:
        uscc = row.values["uscc"]
        if not uscc:
            return None
        found = self.orgs.get(uscc)
        if found is None:
            fail("uscc", NO_ORG)
            return None
        if uscc in self.hidden:
            fail("uscc", OUTSIDE)
            return None
        return found

    def _keyed(self, row: Row, key: Any, values: tuple[Any, ...],
               column: str) -> tuple[Any, list[RowError]]:  # fmt: skip
        if key in self.seen:
            return None, [row.error(self.column(column), f"与第{self.seen[key]}行重复")]
        self.seen[key] = row.number
        return Keyed(row.number, key, values), []


class InspectionsKind(_OrgKind):
    name = "inspections"
    label = "年检"
    columns = (
        Column("uscc", "统一社会信用代码", uscc_code, required=True),
        Column(
            "year",
            "年检年度",
            integer(minimum=1949, maximum=2100),
            required=True,
            hint="YYYY，被检查的年度",
        ),
        choice_column("result", "年检结论", labels_of(InspectionResult), required=True),
        yes_no_column("party_section", "党建情况已填报"),
        date_column("inspected_on", "年检日期", required=True),
    )

    def check(self, row: Row) -> tuple[Any, list[RowError]]:
        v = row.values
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(row.error(self.column(key), message))

        org = self._org(row, fail)
        year, day = v["year"], v["inspected_on"]
        if year is not None and year >= self.ctx.today.year:
            fail("year", f"应为已结束的年度（{self.ctx.today.year - 1}年及以前）")
        elif year is not None and org is not None and org[1] and year < org[1].year:
            fail("year", f"早于该社会组织的登记年份（{org[1].year}年）")
        if day is not None and day > self.ctx.today:
            fail("inspected_on", "晚于今天")
        elif day is not None and year is not None and day.year <= year:
            fail("inspected_on", f"应在年检年度之后的年份（{year + 1}年及以后），年检在次年进行")
        if errors:
            return None, errors
        assert org is not None
        values = (v["result"], v["party_section"], day)
        return self._keyed(row, (org[0], year), values, "year")

    def write(self, records: list[Any]) -> Outcome:
        outcome, _ = upsert(
            self.ctx,
            AnnualInspection,
            key=("org", "year"),
            fields=["result", "party_section", "inspected_on"],
            labels=["年检结论", "党建情况已填报", "年检日期"],
            records=records,
            key_label=lambda key: f"{key[1]}年度",
            fetch_by="org",
        )
        return outcome


class EvaluationsKind(_OrgKind):
    name = "evaluations"
    label = "评估"
    columns = (
        Column("uscc", "统一社会信用代码", uscc_code, required=True),
        date_column("evaluated_on", "评估日期", required=True),
        choice_column(
            "grade",
            "评估等级",
            labels_of(EvaluationGrade),
            required=True,
            aliases={g.lower(): g for g in labels_of(EvaluationGrade)},
        ),
        date_column("valid_until", "有效期至", required=True),
        yes_no_column("party_section", "党建工作纳入评估"),
        Column("party_score", "党建工作得分", integer(maximum=100), hint="0–100，纳入评估时填写"),
    )

    def check(self, row: Row) -> tuple[Any, list[RowError]]:
        v = row.values
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(row.error(self.column(key), message))

        org = self._org(row, fail)
        day, until = v["evaluated_on"], v["valid_until"]
        if day is not None and day > self.ctx.today:
            fail("evaluated_on", "晚于今天")
        elif day is not None and org is not None and org[1] and day < org[1]:
            fail("evaluated_on", f"早于该社会组织的登记日期（{org[1]}）")
        if until is not None and day is not None and until <= day:
            fail("valid_until", "应晚于评估日期")
        if v["party_score"] is not None and v["party_section"] is False:
            fail("party_score", "党建工作未纳入评估时不填写得分")
        if errors:
            return None, errors
        assert org is not None
        values = (v["grade"], until, v["party_section"], v["party_score"])
        return self._keyed(row, (org[0], day), values, "evaluated_on")

    def write(self, records: list[Any]) -> Outcome:
        outcome, _ = upsert(
            self.ctx,
            Evaluation,
            key=("org", "evaluated_on"),
            fields=["grade", "valid_until", "party_section", "party_score"],
            labels=["评估等级", "有效期至", "党建工作纳入评估", "党建工作得分"],
            records=records,
            key_label=lambda key: f"{key[1]} 评估",
            fetch_by="org",
        )
        return outcome
