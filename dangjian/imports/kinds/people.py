"""`people`: people, their employment and their Party membership (CONTRACT.md).

One row per person and employment; a person's own fields (name, political status, Party
dates, organizational relation) must agree across their rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NamedTuple

from dangjian.accounts.models import Role
from dangjian.areas.models import Area
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
from dangjian.imports.writers import OUTSIDE, outside
from dangjian.lib import bulk, crypto
from dangjian.lib.codes import id_birth_date, id_gender, id_number_problem, mask_id_number
from dangjian.orgs.models import SocialOrganization
from dangjian.partyorgs.models import PartyOrganization
from dangjian.people.models import (
    PARTY_STATUSES,
    Employment,
    Membership,
    Person,
    PoliticalStatus,
    Position,
)

PERSON_FIELDS = ["name", "political_status"]
MEMBERSHIP_FIELDS = ["joined_on", "confirmed_on", "relation_party_org", "probation_extended_to"]
EMPLOYMENT_KEY = ["person", "org", "started_on"]
EMPLOYMENT_FIELDS = ["position", "ended_on"]


@dataclass
class PersonRecord:
    row: int
    number: str  # the identity number in clear: encrypted before it is stored
    hash: str
    name: str
    political_status: str
    membership: tuple[Any, ...] | None  # MEMBERSHIP_FIELDS values, for members
    employer: int | None
    employment: tuple[Any, ...]  # started_on, position, ended_on
    stored: IdFacts | None = None  # what a new person's row stores about the number


class IdFacts(NamedTuple):
    """An identity number's stored forms and the facts it gives (Person's fields)."""

    encrypted: str
    masked: str
    birth_date: dt.date
    gender: str

    @classmethod
    def of(cls, number: str) -> IdFacts:
        return cls(
            crypto.encrypt(number), mask_id_number(number), id_birth_date(number), id_gender(number)
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Unpickled by tuple.__new__, not by the generated __new__ (a call into Python code):
        # one crosses from the worker process for every row.
        return (tuple.__new__, (type(self), tuple(self)))


class PreparedNumber(NamedTuple):
    """`PeopleKind.prepare`: the identity number checked, hashed, and ready to store (a
    tuple, cheap to hand over from the process that reads the file)."""

    problem: str  # "" when the number is valid
    hash: str = ""
    facts: IdFacts | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        # Unpickled by tuple.__new__, not by the generated __new__ (a call into Python code):
        # one crosses from the worker process for every row.
        return (tuple.__new__, (type(self), tuple(self)))


def probation_end(joined_on: dt.date, policy: Any = None) -> dt.date:
    """The normal end of a probation: 入党日期 + `probation_months` (12) months, the same
    day a year later (29 February: the 28th), by the settings in force on the import's day
    (`policy`; None: today's)."""
    from dangjian.compliance.facts.life import add_months
    from dangjian.compliance.policy import in_force

    return add_months(joined_on, (policy or in_force())["probation_months"])


def linked_people() -> Any:
    """The people who belong to some jurisdiction: employed by an organization, related to a
    Party organization, holding an office or an instructor's assignment. A person with none
    of these (a name and a number, nothing more) is nobody's, and any writer of people may
    complete them; everyone else is written only by those who see them."""
    from django.db.models import Exists, OuterRef

    from dangjian.partyorgs.models import CommitteeMembership, InstructorAssignment

    person = OuterRef("pk")
    return Person.objects.filter(
        Exists(Employment.objects.filter(person=person))
        | Exists(Membership.objects.filter(person=person, relation_party_org__isnull=False))
        | Exists(CommitteeMembership.objects.filter(person=person))
        | Exists(InstructorAssignment.objects.filter(instructor__person=person))
    )


class PeopleKind(Kind):
    name = "people"
    label = "人员"
    columns = (
        Column("name", "姓名", text(64), required=True),
        Column("id_number", "公民身份号码", id_code, required=True, personal=True),
        Column("employer_uscc", "工作单位统一社会信用代码", uscc_code),
        choice_column("position", "职务类别", labels_of(Position)),
        date_column("employed_on", "入职日期"),
        date_column("left_on", "离职日期"),
        choice_column("political_status", "政治面貌", labels_of(PoliticalStatus), required=True),
        date_column("joined_on", "入党日期"),
        date_column("confirmed_on", "转正日期"),
        Column("relation_party_org", "组织关系所在党组织编码", text(32)),
        # The end of an extended probation (中共预备党员 only; docs/development.md).
        date_column("probation_extended_to", "预备期延长至"),
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.party_org_pk = dict(PartyOrganization.objects.values_list("code", "pk"))
        # What each person's rows said so far: hash -> (first row, own fields).
        self.person_seen: dict[str, tuple[int, tuple[Any, ...]]] = {}
        self.employment_seen: dict[tuple[str, str, dt.date | None], int] = {}
        self.area_path = ctx.area.path if ctx.area is not None else None
        self._township_path: dict[int, tuple[Any, ...]] = {}  # area id -> (id, path)
        crypto.lookup_hash("")  # the key is read (or made) here, not in a worker process

    def prepare(self, values: dict[str, Any]) -> PreparedNumber:
        number = values["id_number"]
        problem = id_number_problem(number, self.ctx.today)
        if problem:
            return PreparedNumber(problem)
        return PreparedNumber("", crypto.lookup_hash(number), IdFacts.of(number))

    def check_many(self, rows: list[Row]) -> list[tuple[Any, list[RowError]]]:
        employers = sorted({r.values["employer_uscc"] for r in rows if r.values["employer_uscc"]})
        found = bulk.fetch(SocialOrganization, by="uscc", keys=employers, fields=["township"])
        paths = self._township_path
        if self.area_path:  # the townships' paths, for the jurisdiction
            missing = list({township for _pk, township in found.values()} - paths.keys())
            paths.update(bulk.fetch(Area, by="id", keys=missing, fields=["path"]))
        org_pk = {
            uscc: (pk, paths[township][1] if self.area_path else "")
            for uscc, (pk, township) in found.items()
        }
        results = [self._check(row, org_pk) for row in rows]
        gate = self.ctx.gate
        if gate is None or gate.everything:
            return results
        return self._bounds(gate, rows, results, employers)

    def _bounds(
        self,
        gate: Any,
        rows: list[Row],
        results: list[tuple[Any, list[RowError]]],
        employers: list[str],
    ) -> list[tuple[Any, list[RowError]]]:
        """The writer's bounds (writers.py): a stored person outside the jurisdiction is
        refused, a relation may only be given to a Party organization inside it, and a
        secretary writes only members of its own Party organizations, employed (if at all) by
        organizations they cover."""
        kept = [(row, record) for row, (record, _) in zip(rows, results, strict=True) if record]
        hidden = outside(
            gate, gate.people(), Person, "id_hash", [r.hash for _, r in kept], linked_people()
        )
        relations = sorted({r for row, _ in kept if (r := row.values["relation_party_org"])})
        own_codes = set(gate.party_orgs().filter(code__in=relations).values_list("code", flat=True))
        # The relations stored now: one kept as it is may be held outside the jurisdiction
        # (a member working here whose relation another area's Party organization holds).
        held: dict[str, str] = {}
        hashes = sorted({r.hash for _, r in kept})
        for start in range(0, len(hashes), 900):
            held.update(
                Membership.objects.filter(
                    person__id_hash__in=hashes[start : start + 900],
                    relation_party_org__isnull=False,
                ).values_list("person__id_hash", "relation_party_org__code")
            )
        secretary = self.ctx.role == Role.ORG
        own_orgs = (
            set(gate.orgs().filter(uscc__in=employers).values_list("uscc", flat=True))
            if secretary and employers
            else set()
        )
        out = []
        for row, (record, errors) in zip(rows, results, strict=True):
            if record is not None:
                errors = []
                v = row.values

                def fail(
                    key: str, message: str, row: Row = row, errors: list[RowError] = errors
                ) -> None:
                    errors.append(row.error(self.column(key), message))

                relation = v["relation_party_org"]
                if record.hash in hidden:
                    fail("id_number", OUTSIDE)
                moved = relation != held.get(record.hash) or secretary
                if relation and moved and relation not in own_codes:
                    fail("relation_party_org", "该党组织不在您的管辖范围内")
                if secretary and not relation:
                    fail(
                        "relation_party_org",
                        "党组织书记只能登记组织关系在本党组织的党员：请填写本党组织编码",
                    )
                if secretary and v["employer_uscc"] and v["employer_uscc"] not in own_orgs:
                    fail("employer_uscc", "该社会组织不在您的管辖范围内")
                record = None if errors else record
            out.append((record, errors))
        return out

    def _check(self, row: Row, org_pk: dict[str, tuple[int, str]]) -> tuple[Any, list[RowError]]:
        v = row.values
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(row.error(self.column(key), message))

        number = v["id_number"]
        prepared = row.prepared if row.prepared is not None else self.prepare(v)
        if prepared.problem:
            fail("id_number", prepared.problem)
        employer = None
        uscc = v["employer_uscc"]
        if uscc:
            found = org_pk.get(uscc)
            if found is None:
                fail("employer_uscc", "不在社会组织名录中（请先导入社会组织）")
            elif self.area_path and not found[1].startswith(self.area_path):
                fail("employer_uscc", "该社会组织不在您的管辖范围内")
            else:
                employer = found[0]
        else:
            for key in ("position", "employed_on", "left_on"):
                if v[key] is not None:
                    fail(key, "没有填写工作单位时不填写此项")
        employed, left = v["employed_on"], v["left_on"]
        if employed and left and left < employed:
            fail("left_on", f"早于入职日期 {employed}")
        if employed and employed > self.ctx.today:
            fail("employed_on", "晚于今天")
        status = v["political_status"]
        joined, confirmed, relation = v["joined_on"], v["confirmed_on"], v["relation_party_org"]
        membership = None
        if status in PARTY_STATUSES:
            if joined is None:
                fail("joined_on", f"政治面貌为「{PoliticalStatus(status).label}」时必填")
            elif joined > self.ctx.today:
                fail("joined_on", "晚于今天")
            if status == PoliticalStatus.MEMBER and confirmed is None:
                fail("confirmed_on", "正式党员（中共党员）须填写转正日期")
            if status == PoliticalStatus.PROBATIONARY and confirmed is not None:
                fail(
                    "confirmed_on",
                    "预备党员尚未转正，不填写转正日期；已转正的请将政治面貌改为「中共党员」",
                )
            if confirmed and joined and confirmed < joined:
                fail("confirmed_on", f"早于入党日期 {joined}")
            if confirmed and confirmed > self.ctx.today:
                fail("confirmed_on", "晚于今天")
            extended = v.get("probation_extended_to")
            if extended is not None and status != PoliticalStatus.PROBATIONARY:
                fail(
                    "probation_extended_to",
                    f"只有中共预备党员填写此项（政治面貌为「{PoliticalStatus(status).label}」）",
                )
            elif extended is not None and joined is not None:
                normal_end = probation_end(joined, self.ctx.policy)
                if extended <= normal_end:
                    fail(
                        "probation_extended_to",
                        f"须晚于预备期的正常期满日 {normal_end}（入党日期 {joined} 起满预备期）",
                    )
            relation_pk = None
            if relation:
                relation_pk = self.party_org_pk.get(relation)
                if relation_pk is None:
                    fail("relation_party_org", "党组织编码不存在（请先导入党组织）")
            membership = (joined, confirmed, relation_pk, extended)
        else:
            for key in ("joined_on", "confirmed_on", "relation_party_org", "probation_extended_to"):
                if v[key] is not None:
                    fail(key, f"政治面貌为「{PoliticalStatus(status).label}」时不填写此项")
        if errors:
            return None, errors
        digest = prepared.hash
        own = (v["name"], status, membership)
        seen = self.person_seen.get(digest)
        if seen is not None and seen[1] != own:
            return None, [
                row.error(
                    self.column("id_number"),
                    f"与第{seen[0]}行是同一人，但姓名、政治面貌或党员信息不一致：同一人的各行须一致",
                )
            ]
        if seen is None:
            self.person_seen[digest] = (row.number, own)
        if employer is not None:
            job = (digest, uscc, employed)
            if job in self.employment_seen:
                return None, [
                    row.error(
                        self.column("employed_on"),
                        f"与第{self.employment_seen[job]}行重复：同一人在同一单位同一入职日期只能有一行",
                    )
                ]
            self.employment_seen[job] = row.number
        return (
            PersonRecord(
                row.number,
                number,
                digest,
                v["name"],
                status,
                membership,
                employer,
                (employed, v["position"] or "", left),
                prepared.facts,
            ),
            [],
        )

    def write(self, records: list[Any]) -> Outcome:
        outcome = Outcome()
        first: dict[str, PersonRecord] = {}
        for r in records:
            first.setdefault(r.hash, r)
        facts = {h: r.stored or IdFacts.of(r.number) for h, r in first.items()}
        masked = {h: f.masked for h, f in facts.items()}

        # People: insert the new ones (encrypted), update changed names or statuses.
        existing = bulk.fetch(Person, by="id_hash", keys=list(first), fields=PERSON_FIELDS)
        new_people = [r for h, r in first.items() if h not in existing]
        inserted = bulk.insert(
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
                    r.name,
                    facts[r.hash].encrypted,
                    r.hash,
                    facts[r.hash].masked,
                    facts[r.hash].birth_date,
                    facts[r.hash].gender,
                    r.political_status,
                )
                for r in new_people
            ],
        )
        self._history(Person, "id_hash", [r.hash for r in new_people], "+", id_range=inserted)
        changed: dict[str, tuple[int, tuple[str, str]]] = {}
        for h, r in first.items():
            if h in existing and existing[h][1:] != (r.name, r.political_status):
                changed[h] = (existing[h][0], (r.name, r.political_status))
                fields = [
                    label
                    for label, a, b in zip(
                        ("姓名", "政治面貌"), existing[h][1:], changed[h][1], strict=True
                    )
                    if a != b
                ]
                outcome.changes.append(Change(r.row, masked[h], fields))
        bulk.update(Person, PERSON_FIELDS, list(changed.values()))
        self._history(Person, "id", [pk for pk, _ in changed.values()], "~")
        if inserted is not None and inserted[1] - inserted[0] == len(new_people):
            # The new people's keys follow one another, in the order they were inserted.
            pk_of = {h: row[0] for h, row in existing.items()}
            new_pks = range(inserted[0] + 1, inserted[1] + 1)
            pk_of.update(zip([r.hash for r in new_people], new_pks, strict=True))
        else:
            pk_of = {
                h: v[0]
                for h, v in bulk.fetch(Person, by="id_hash", keys=list(first), fields=[]).items()
            }
        label_of = {pk_of[h]: masked[h] for h in first}

        # Membership: as the file says; none for a person who is no member.
        members = [
            Keyed(r.row, pk_of[h], r.membership)
            for h, r in first.items()
            if r.membership is not None
        ]
        member_outcome, member_status = upsert(
            self.ctx,
            Membership,
            key="person",
            fields=MEMBERSHIP_FIELDS,
            labels=["入党日期", "转正日期", "组织关系所在党组织编码", "预备期延长至"],
            records=members,
            key_label=label_of.get,
        )
        outcome.changes.extend(member_outcome.changes)
        # (Only people stored before this batch can have a membership to remove.)
        gone = bulk.fetch_many(
            Membership,
            by="person",
            keys=[pk_of[h] for h, r in first.items() if r.membership is None and h in existing],
            fields=["person"],
        )
        if gone:
            self._history(Membership, "id", [pk for pk, _ in gone], "-")
            bulk.delete(Membership, [pk for pk, _ in gone])
            for _, person in gone:
                outcome.changes.append(Change(0, label_of[person], ["政治面貌（不再是党员）"]))
        left_party = {person for _, person in gone}

        # Employment: by person, organization and start date.
        jobs = [
            Keyed(r.row, (pk_of[r.hash], r.employer, r.employment[0]), r.employment[1:])
            for r in records
            if r.employer is not None
        ]
        job_outcome, job_status = upsert(
            self.ctx,
            Employment,
            key=EMPLOYMENT_KEY,
            fields=EMPLOYMENT_FIELDS,
            labels=["职务类别", "离职日期"],
            records=jobs,
            fetch_by="person",
            key_label=lambda key: label_of[key[0]],
        )
        outcome.changes.extend(job_outcome.changes)

        new_hashes = {r.hash for r in new_people}
        counted: set[str] = set()
        for r in records:
            pk = pk_of[r.hash]
            job = job_status.get((pk, r.employer, r.employment[0]), "=")
            person_first = r.hash not in counted
            counted.add(r.hash)
            person_changed = person_first and (
                r.hash in changed or member_status.get(pk, "=") != "=" or pk in left_party
            )
            if (person_first and r.hash in new_hashes) or job == "+":
                outcome.created += 1
            elif person_changed or job == "~":
                outcome.updated += 1
            else:
                outcome.unchanged += 1
        return outcome

    def _history(
        self,
        model: type[Any],
        by: str,
        keys: list[Any],
        kind: str,
        *,
        id_range: tuple[int, int] | None = None,
    ) -> None:
        bulk.record_history(
            model,
            by=by,
            keys=keys,
            history_type=kind,
            reason=self.ctx.reason,
            user_id=self.ctx.user_id,
            when=self.ctx.now,
            id_range=id_range,
        )
