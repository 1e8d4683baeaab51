"""`instructors`: Party-building instructors and their assignments (CONTRACT.md).

An instructor not yet known as a person is registered with the name given (political
status unknown); a known one must carry the same name.
"""

from __future__ import annotations

from typing import Any

from dangjian.imports.base import Change, Context, Keyed, Kind, Outcome, Row, upsert
from dangjian.imports.errors import RowError
from dangjian.imports.fields import (
    Column,
    choice_column,
    date_column,
    id_code,
    labels_of,
    text,
    uscc_code,
)
from dangjian.lib import bulk, crypto
from dangjian.lib.codes import id_birth_date, id_gender, id_number_problem, mask_id_number
from dangjian.orgs.models import SocialOrganization
from dangjian.partyorgs.models import Instructor, InstructorAssignment, InstructorSource
from dangjian.people.models import Person


class InstructorsKind(Kind):
    name = "instructors"
    label = "党建工作指导员"
    columns = (
        Column("name", "姓名", text(64), required=True),
        Column("id_number", "公民身份号码", id_code, required=True, personal=True),
        choice_column("source", "来源", labels_of(InstructorSource), required=True),
        Column("org_uscc", "派驻社会组织统一社会信用代码", uscc_code, required=True),
        date_column("assigned_on", "派驻日期", required=True),
        date_column("ended_on", "结束日期"),
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.person_seen: dict[str, tuple[int, str, str]] = {}
        self.seen: dict[tuple[str, str, Any], int] = {}

    def check_many(self, rows: list[Row]) -> list[tuple[Any, list[RowError]]]:
        usccs = sorted({r.values["org_uscc"] for r in rows if r.values["org_uscc"]})
        orgs: dict[str, tuple[int, str]] = {}
        for start in range(0, len(usccs), 900):
            for uscc, pk, path in SocialOrganization.objects.filter(
                uscc__in=usccs[start : start + 900]
            ).values_list("uscc", "pk", "township__path"):
                orgs[uscc] = (pk, path)
        hashes = {
            r.values["id_number"]: crypto.lookup_hash(r.values["id_number"])
            for r in rows
            if r.values["id_number"]
            and not id_number_problem(r.values["id_number"], self.ctx.today)
        }
        names: dict[str, str] = {}
        wanted = sorted(set(hashes.values()))
        for start in range(0, len(wanted), 900):
            names.update(
                Person.objects.filter(id_hash__in=wanted[start : start + 900]).values_list(
                    "id_hash", "name"
                )
            )
        return [self._check(row, orgs, hashes, names) for row in rows]

    def _check(
        self,
        row: Row,
        orgs: dict[str, tuple[int, str]],
        hashes: dict[str, str],
        names: dict[str, str],
    ) -> tuple[Any, list[RowError]]:
        v = row.values
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(row.error(self.column(key), message))

        number = v["id_number"]
        problem = id_number_problem(number, self.ctx.today)
        if problem:
            fail("id_number", problem)
        elif hashes[number] in names and names[hashes[number]] != v["name"]:
            fail("name", f"与已登记的同一公民身份号码的姓名「{names[hashes[number]]}」不一致")
        org = orgs.get(v["org_uscc"])
        if org is None:
            fail("org_uscc", "不在社会组织名录中（请先导入社会组织）")
        elif self.ctx.area is not None and not org[1].startswith(self.ctx.area.path):
            fail("org_uscc", f"该社会组织不在您的管辖范围（{self.ctx.area}）内")
        assigned, ended = v["assigned_on"], v["ended_on"]
        if assigned and ended and ended < assigned:
            fail("ended_on", f"早于派驻日期 {assigned}")
        if assigned and assigned > self.ctx.today:
            fail("assigned_on", "晚于今天")
        if errors:
            return None, errors
        assert org is not None
        digest = hashes[number]
        seen = self.person_seen.get(digest)
        if seen is not None and seen[1:] != (v["name"], v["source"]):
            return None, [
                row.error(self.column("source"), f"与第{seen[0]}行是同一人，但姓名或来源不一致")
            ]
        self.person_seen.setdefault(digest, (row.number, v["name"], v["source"]))
        key = (digest, v["org_uscc"], assigned)
        if key in self.seen:
            return None, [row.error(self.column("assigned_on"), f"与第{self.seen[key]}行重复")]
        self.seen[key] = row.number
        return (row.number, number, digest, v["name"], v["source"], org[0], assigned, ended), []

    def write(self, records: list[Any]) -> Outcome:
        outcome = Outcome()
        first: dict[str, Any] = {}
        for r in records:
            first.setdefault(r[2], r)
        existing = bulk.fetch(Person, by="id_hash", keys=list(first), fields=[])
        new_people = [r for h, r in first.items() if h not in existing]
        bulk.insert(
            Person,
            [
                "name",
                "id_encrypted",
                "id_hash",
                "id_masked",
                "birth_date",
                "gender",
                "political_status",
            ],
            [
                (
                    r[3],
                    crypto.encrypt(r[1]),
                    r[2],
                    mask_id_number(r[1]),
                    id_birth_date(r[1]),
                    id_gender(r[1]),
                    "",
                )
                for r in new_people
            ],
        )
        bulk.record_history(
            Person,
            by="id_hash",
            keys=[r[2] for r in new_people],
            history_type="+",
            reason=self.ctx.reason,
            user_id=self.ctx.user_id,
            when=self.ctx.now,
        )
        person_pk = {
            h: v[0]
            for h, v in bulk.fetch(Person, by="id_hash", keys=list(first), fields=[]).items()
        }
        masked = {person_pk[h]: mask_id_number(r[1]) for h, r in first.items()}
        instructor_outcome, instructor_status = upsert(
            self.ctx,
            Instructor,
            key="person",
            fields=["source"],
            labels=["来源"],
            records=[Keyed(r[0], person_pk[h], (r[4],)) for h, r in first.items()],
            key_label=masked.get,
        )
        outcome.changes.extend(instructor_outcome.changes)
        instructor_pk = {
            person: v[0]
            for person, v in bulk.fetch(
                Instructor, by="person", keys=list(person_pk.values()), fields=[]
            ).items()
        }
        assignment_outcome, assignment_status = upsert(
            self.ctx,
            InstructorAssignment,
            key=["instructor", "org", "started_on"],
            fields=["ended_on"],
            labels=["结束日期"],
            records=[
                Keyed(r[0], (instructor_pk[person_pk[r[2]]], r[5], r[6]), (r[7],)) for r in records
            ],
            fetch_by="instructor",
            key_label=lambda key: "",
        )
        for change in assignment_outcome.changes:
            outcome.changes.append(Change(change.row, change.key, change.fields))
        counted: set[str] = set()
        for r in records:
            person = person_pk[r[2]]
            key = (instructor_pk[person], r[5], r[6])
            state = {assignment_status.get(key, "=")}
            if r[2] not in counted:
                counted.add(r[2])
                state.add(instructor_status.get(person, "="))
            if "+" in state:
                outcome.created += 1
            elif "~" in state:
                outcome.updated += 1
            else:
                outcome.unchanged += 1
        return outcome
