"""`rectifications` — 软弱涣散党组织整顿 (CONTRACT.md, "Party work: the further import kinds";
docs/dynamics.md). Key: the Party organization + 认定日期.

A Party organization of any form (a township's too: DYN-WEAK-OVERDUE applies to any form),
founded on or before 认定日期; 认定日期 and 整顿完成日期 not after today; 整顿期限 and
整顿完成日期 not before 认定日期. The plan, the progress notes and the review of the
resolution are written in the pages (`dangjian.rectifications.services`); an import by an
officer writes 整顿完成日期 as reviewed.

Bounds of the writer (imports/writers.py): the area officers in their area; a Party
organization outside the jurisdiction answers as one that does not exist."""

from __future__ import annotations

from typing import Any

from dangjian.imports.base import Context, Keyed, Kind, Outcome, Row, upsert
from dangjian.imports.errors import RowError
from dangjian.imports.fields import Column, date_column, long_text, text
from dangjian.imports.kinds.life import _PartyOrgs
from dangjian.rectifications.models import Rectification

UNKNOWN_PARTY_ORG = "党组织编码不存在（请先导入党组织）"


class RectificationsKind(Kind):
    name = "rectifications"
    label = "软弱涣散党组织整顿"
    columns = (
        Column("party_org", "党组织编码", text(32), required=True),
        date_column("identified_on", "认定日期", required=True),
        Column("problem", "主要问题", long_text(2000), required=True),
        date_column("deadline", "整顿期限", required=True),
        date_column("resolved_on", "整顿完成日期"),
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.seen: dict[Any, int] = {}

    def check_many(self, rows: list[Row]) -> list[tuple[Any, list[RowError]]]:
        codes = {r.values["party_org"] for r in rows if r.values["party_org"]}
        party_orgs = _PartyOrgs(self.ctx, codes)
        return [self._check(row, party_orgs) for row in rows]

    def _check(self, row: Row, party_orgs: _PartyOrgs) -> tuple[Any, list[RowError]]:
        v = row.values
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(row.error(self.column(key), message))

        party_org = None
        code = v["party_org"]
        if code and party_orgs.problem(code):
            fail("party_org", UNKNOWN_PARTY_ORG)  # outside the jurisdiction: as unknown
        elif code:
            party_org = party_orgs.rows[code]
        day, deadline, resolved = v["identified_on"], v["deadline"], v["resolved_on"]
        if day is not None and day > self.ctx.today:
            fail("identified_on", "晚于今天")
        elif day is not None and party_org is not None and party_org[2] and day < party_org[2]:
            fail("identified_on", f"早于该党组织的成立日期（{party_org[2]}）")
        if deadline is not None and day is not None and deadline < day:
            fail("deadline", "早于认定日期")
        if resolved is not None and resolved > self.ctx.today:
            fail("resolved_on", "晚于今天")
        elif resolved is not None and day is not None and resolved < day:
            fail("resolved_on", "早于认定日期")
        if errors:
            return None, errors
        assert party_org is not None
        key = (party_org[0], day)
        if key in self.seen:
            return None, [row.error(self.column("identified_on"), f"与第{self.seen[key]}行重复")]
        self.seen[key] = row.number
        return Keyed(row.number, key, (v["problem"], deadline, resolved)), []

    def write(self, records: list[Any]) -> Outcome:
        outcome, _ = upsert(
            self.ctx,
            Rectification,
            key=("party_org", "identified_on"),
            fields=["problem", "deadline", "resolved_on"],
            labels=["主要问题", "整顿期限", "整顿完成日期"],
            records=records,
            key_label=lambda key: f"{key[1]} 认定",
            fetch_by="party_org",
        )
        return outcome
