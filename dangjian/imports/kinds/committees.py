"""`committees`: who holds which office in a Party organization (CONTRACT.md), with the
project's own last column 书记来源 (where a secretary comes from, POLICY 五.1: 书记 only;
docs/cadres.md)."""

from __future__ import annotations

from typing import Any

from dangjian.imports.base import Context, Keyed, Kind, Outcome, Row, upsert
from dangjian.imports.errors import RowError
from dangjian.imports.fields import (
    Column,
    choice_column,
    date_column,
    id_code,
    labels_of,
    text,
    yes_no,
)
from dangjian.lib import crypto
from dangjian.lib.codes import id_number_problem, mask_id_number
from dangjian.partyorgs.models import (
    CommitteeMembership,
    CommitteeRole,
    PartyOrganization,
    SecretarySource,
)
from dangjian.people.models import Person

KEY = ["party_org", "person", "role", "started_on"]
FIELDS = ["ended_on", "full_time", "source"]


class CommitteesKind(Kind):
    name = "committees"
    label = "班子成员"
    columns = (
        Column("party_org", "党组织编码", text(32), required=True),
        Column("id_number", "公民身份号码", id_code, required=True, personal=True),
        choice_column("role", "职务", labels_of(CommitteeRole), required=True),
        date_column("started_on", "任职日期", required=True),
        date_column("ended_on", "离任日期"),
        Column("full_time", "是否专职", yes_no, options=("是", "否"), hint="是 / 否"),
        # The project's own column (issue 16, POLICY 五.1): 书记 only.
        choice_column("source", "书记来源", labels_of(SecretarySource)),
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.party_orgs = {
            code: (pk, path)
            for code, pk, path in PartyOrganization.objects.values_list(
                "code", "pk", "township__path"
            )
        }
        self.seen: dict[tuple[Any, ...], int] = {}
        self.visible: set[str] | None = None  # the writer's Party organizations named
        self.masked: dict[int, str] = {}

    def check_many(self, rows: list[Row]) -> list[tuple[Any, list[RowError]]]:
        hashes = {}
        for row in rows:
            number = row.values["id_number"]
            if number and not id_number_problem(number, self.ctx.today):
                hashes[number] = crypto.lookup_hash(number)
        people: dict[str, int] = {}
        wanted = sorted(set(hashes.values()))
        for start in range(0, len(wanted), 900):
            people.update(
                Person.objects.filter(id_hash__in=wanted[start : start + 900]).values_list(
                    "id_hash", "pk"
                )
            )
        gate = self.ctx.gate
        if gate is not None and not gate.everything:  # the writer's Party organizations
            named = sorted({row.values["party_org"] for row in rows if row.values["party_org"]})
            self.visible = set(
                gate.party_orgs().filter(code__in=named).values_list("code", flat=True)
            )
        return [self._check(row, hashes, people) for row in rows]

    def _check(
        self, row: Row, hashes: dict[str, str], people: dict[str, int]
    ) -> tuple[Any, list[RowError]]:
        v = row.values
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(row.error(self.column(key), message))

        party_org = self.party_orgs.get(v["party_org"])
        if party_org is None:
            fail("party_org", "党组织编码不存在（请先导入党组织）")
        elif self.ctx.area is not None and not party_org[1].startswith(self.ctx.area.path):
            fail("party_org", f"该党组织不在您的管辖范围（{self.ctx.area}）内")
        elif self.visible is not None and v["party_org"] not in self.visible:
            fail("party_org", "该党组织不在您的管辖范围内")
        number = v["id_number"]
        person = None
        problem = id_number_problem(number, self.ctx.today)
        if problem:
            fail("id_number", problem)
        else:
            person = people.get(hashes[number])
            if person is None:
                fail("id_number", "不是已登记的人员（请先在人员文件中导入此人）")
        started, ended = v["started_on"], v["ended_on"]
        if started and ended and ended < started:
            fail("ended_on", f"早于任职日期 {started}")
        if started and started > self.ctx.today:
            fail("started_on", "晚于今天")
        if v["source"] and v["role"] and v["role"] != CommitteeRole.SECRETARY:
            fail("source", "只有书记填写书记来源")
        if errors:
            return None, errors
        assert party_org is not None and person is not None
        key = (party_org[0], person, v["role"], started)
        if key in self.seen:
            return None, [row.error(self.column("started_on"), f"与第{self.seen[key]}行重复")]
        self.seen[key] = row.number
        self.masked[person] = mask_id_number(number)
        return Keyed(row.number, key, (ended, bool(v["full_time"]), v["source"] or "")), []

    def write(self, records: list[Any]) -> Outcome:
        outcome, _ = upsert(
            self.ctx,
            CommitteeMembership,
            key=KEY,
            fields=FIELDS,
            labels=["离任日期", "是否专职", "书记来源"],
            records=records,
            fetch_by="party_org",
            key_label=lambda key: self.masked.get(key[1], ""),
        )
        return outcome
