"""`applicants`: 发展党员 before admission (CONTRACT.md, "Party work: the further import
kinds"; docs/development.md). Key: the person (one record per person).

A row names a known person, not already a member on 入党申请日期, and the Party organization
that develops them; 谈话日期 and 确定入党积极分子日期 are on or after 入党申请日期, 确定发展对象日期
needs 确定入党积极分子日期 and is on or after it; 状态变更日期 is given exactly when 培养状态 is
not 培养中. No date is after today.

Bounds of the writer (imports/writers.py): the Party organization must be one the writer
sees — one outside the jurisdiction answers as an unknown code, as if it did not exist —
the person must be one the writer sees, and a stored applicant developed by a Party
organization outside the jurisdiction is neither changed nor taken over."""

from __future__ import annotations

from typing import Any

from dangjian.development.models import Applicant, ApplicantStatus
from dangjian.imports.base import Context, Keyed, Kind, Outcome, Row, upsert
from dangjian.imports.errors import RowError
from dangjian.imports.fields import Column, choice_column, date_column, id_code, labels_of, text
from dangjian.imports.kinds.cadres import _person, _visible_people
from dangjian.imports.kinds.life import _PartyOrgs
from dangjian.imports.writers import OUTSIDE, outside
from dangjian.lib.codes import mask_id_number
from dangjian.people.models import Membership

FIELDS = ["party_org", "applied_on", "talked_on", "activist_on", "candidate_on", "status",
          "status_changed_on"]  # fmt: skip
LABELS = ["党组织编码", "入党申请日期", "谈话日期", "确定入党积极分子日期", "确定发展对象日期",
          "培养状态", "状态变更日期"]  # fmt: skip
UNKNOWN_PARTY_ORG = "党组织编码不存在（请先导入党组织）"


class ApplicantsKind(Kind):
    name = "applicants"
    label = "入党申请人"
    columns = (
        Column("id_number", "公民身份号码", id_code, required=True, personal=True),
        Column("party_org", "党组织编码", text(32), required=True, hint="培养该申请人的党组织"),
        date_column("applied_on", "入党申请日期", required=True),
        date_column("talked_on", "谈话日期"),
        date_column("activist_on", "确定入党积极分子日期"),
        date_column("candidate_on", "确定发展对象日期"),
        choice_column("status", "培养状态", labels_of(ApplicantStatus), required=True),
        date_column("status_changed_on", "状态变更日期"),
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.seen: dict[int, int] = {}
        self.masked: dict[int, str] = {}

    def check_many(self, rows: list[Row]) -> list[tuple[Any, list[RowError]]]:
        hashes, people, hidden = _visible_people(rows, self.ctx)
        pks = sorted(set(people.values()))
        joined: dict[int, Any] = {}
        for start in range(0, len(pks), 900):
            joined.update(
                Membership.objects.filter(person_id__in=pks[start : start + 900]).values_list(
                    "person_id", "joined_on"
                )
            )
        gate = self.ctx.gate
        foreign: set[Any] = set()
        if gate is not None:
            mine = Applicant.objects.filter(party_org__in=gate.party_orgs().values("pk"))
            foreign = outside(gate, mine, Applicant, "person_id", pks)
        party_orgs = _PartyOrgs(
            self.ctx, {r.values["party_org"] for r in rows if r.values["party_org"]}
        )
        return [
            self._check(row, hashes, people, hidden, joined, foreign, party_orgs) for row in rows
        ]

    def _check(self, row: Row, hashes: dict[str, str], people: dict[str, int],
               hidden: set[Any], joined: dict[int, Any], foreign: set[Any],
               party_orgs: _PartyOrgs) -> tuple[Any, list[RowError]]:  # fmt: skip
        v = row.values
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(row.error(self.column(key), message))

        today = self.ctx.today
        person = _person(v["id_number"], hashes, people, hidden, self.ctx, fail)
        applied = v["applied_on"]
        if person is not None and person in foreign:
            fail("id_number", OUTSIDE)
        elif person is not None and applied and person in joined and joined[person] <= applied:
            fail("id_number", f"入党日期为 {joined[person]}，入党申请日期时已是党员")
        party_org = None
        if v["party_org"]:
            if party_orgs.problem(v["party_org"]):
                fail("party_org", UNKNOWN_PARTY_ORG)  # outside the jurisdiction: as unknown
            else:
                party_org = party_orgs.rows[v["party_org"]][0]
        for key in ("applied_on", "talked_on", "activist_on", "candidate_on",
                    "status_changed_on"):  # fmt: skip
            if v[key] and v[key] > today:
                fail(key, "晚于今天")
        if applied:
            for key in ("talked_on", "activist_on"):
                if v[key] and v[key] < applied:
                    fail(key, f"早于入党申请日期 {applied}")
        activist, candidate = v["activist_on"], v["candidate_on"]
        if candidate and activist is None:
            fail(
                "candidate_on",
                "没有确定入党积极分子日期：须先确定为入党积极分子，才能确定为发展对象",
            )
        elif candidate and activist and candidate < activist:
            fail("candidate_on", f"早于确定入党积极分子日期 {activist}")
        status, changed = v["status"], v["status_changed_on"]
        if status and status != ApplicantStatus.DEVELOPING and changed is None:
            label = ApplicantStatus(status).label
            fail("status_changed_on", f"培养状态为「{label}」时必填")
        if status == ApplicantStatus.DEVELOPING and changed is not None:
            fail("status_changed_on", "培养状态为「培养中」时不填写此项")
        if errors:
            return None, errors
        assert person is not None and party_org is not None
        if person in self.seen:
            return None, [row.error(self.column("id_number"), f"与第{self.seen[person]}行重复")]
        self.seen[person] = row.number
        self.masked[person] = mask_id_number(v["id_number"])
        values = (party_org, applied, v["talked_on"], activist, candidate, status, changed)
        return Keyed(row.number, person, values), []

    def write(self, records: list[Any]) -> Outcome:
        outcome, _ = upsert(
            self.ctx,
            Applicant,
            key="person",
            fields=FIELDS,
            labels=LABELS,
            records=records,
            key_label=lambda key: self.masked.get(key, ""),
        )
        return outcome
