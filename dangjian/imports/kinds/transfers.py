"""`transfers`: 组织关系转接 (CONTRACT.md, "Party work: the further import kinds";
docs/transfers.md). Key: the person + 开出日期.

A row names a known member (admitted on or before 开出日期), the Party organization that
holds their organizational relation on 开出日期 (`holder`: read from the member's received
transfers, the stored ones and the file's, around the relation stored today), and exactly
one destination: a known Party organization (not the same one, not dissolved on 开出日期) or
the name of one outside the system. 接收日期 is given exactly when 状态 is 已接收, on or after
开出日期; no date is after today. A member has at most one transfer 办理中 (stored or in the
file). A transfer no longer 办理中 is final: its Party organizations, state and 接收日期 are
not changed again (a returned transfer is issued again as a new one).

Writing a transfer newly received moves the member's relation (`Membership.relation_party_org`,
with its history, attributed to the import) to the receiving Party organization — or out of
the system's Party organizations when it is received outside — unless a later received
transfer of the member is already stored (`move_relations`). The services of
`dangjian.transfers.services` write through this kind (a one-row import), so a form, the API
and a file move the relation alike; the live re-evaluation follows the membership written
(rule DYN-TRANSFER).

Bounds of the writer (imports/writers.py): the transferring Party organization must be one
the writer sees — one outside the jurisdiction answers as an unknown code, as if it did not
exist —, the member must be one the writer sees, and a stored transfer issued by a Party
organization outside the jurisdiction is neither changed nor taken over. The receiving
Party organization may be any known one (a member moves to another area). The receiving
side — a writer who sees the receiving Party organization but not the issuing one — may
accept (接收) or return (退回) a stored open transfer to it, and change nothing else of it:
its member, origin, destination and letter stay as issued (`_incoming`, `_receiving`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from dangjian.imports.base import Context, Keyed, Kind, Outcome, Row, _history, upsert
from dangjian.imports.errors import RowError
from dangjian.imports.fields import Column, choice_column, date_column, id_code, labels_of, text
from dangjian.imports.kinds.cadres import _person, _visible_people
from dangjian.imports.kinds.life import _PartyOrgs
from dangjian.imports.writers import OUTSIDE
from dangjian.lib import bulk
from dangjian.lib.codes import mask_id_number
from dangjian.partyorgs.models import PartyOrganization
from dangjian.people.models import Membership
from dangjian.transfers.models import Transfer, TransferStatus

FIELDS = ["from_party_org", "to_party_org", "to_name", "letter_no", "status", "received_on",
          "returned_on"]  # fmt: skip
LABELS = ["转出党组织编码", "转入党组织编码", "转入党组织名称", "介绍信编号", "状态", "接收日期",
          "退回日期"]  # fmt: skip
UNKNOWN_PARTY_ORG = "党组织编码不存在（请先导入党组织）"
Key = tuple[int, dt.date]


@dataclass
class _Stored:
    pk: int
    from_id: int
    to_id: int | None
    to_name: str
    status: str
    received_on: dt.date | None
    returned_on: dt.date | None
    letter_no: str = ""


@dataclass
class _Received:
    """A received transfer as `holder` reads it."""

    issued_on: dt.date
    received_on: dt.date
    from_id: int
    to_id: int | None


def holder(stored: list[_Received], others: list[_Received], current: int | None,
           on: dt.date) -> int | None:  # fmt: skip
    """The Party organization holding a member's relation when a transfer is issued on `on`
    (None: none in the system). `stored`: the member's stored received transfers (the
    relation stored today, `current`, follows them); `others`: every received transfer but
    the row's own, as the file leaves them. The destination of the last one received before
    (one received on `on` counts when it was issued before `on`); else where the relation
    was before any of them: the source of the first stored one, or `current`."""
    point = (on, on)
    before = [t for t in others if (t.received_on, t.issued_on) < point]
    if before:
        return max(before, key=lambda t: (t.received_on, t.issued_on)).to_id
    if stored:
        return min(stored, key=lambda t: (t.received_on, t.issued_on)).from_id
    return current


class TransfersKind(Kind):
    name = "transfers"
    label = "组织关系转接"
    columns = (
        Column("id_number", "公民身份号码", id_code, required=True, personal=True),
        Column(
            "from_party_org",
            "转出党组织编码",
            text(32),
            required=True,
            hint="开出日期时该党员组织关系所在的党组织",
        ),
        Column("to_party_org", "转入党组织编码", text(32), hint="系统内的党组织，与名称二选一"),
        Column("to_name", "转入党组织名称", text(200), hint="系统外的党组织（居住地、新就业单位）"),
        Column("letter_no", "介绍信编号", text(64)),
        date_column("issued_on", "开出日期", required=True),
        choice_column("status", "状态", labels_of(TransferStatus), required=True),
        date_column("received_on", "接收日期"),
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.seen: dict[Key, int] = {}
        self.masked: dict[int, str] = {}
        # the file's rows so far, by person and key: (status, received transfer or None)
        self.file: dict[int, dict[Key, tuple[str, _Received | None]]] = {}
        self.open_rows: dict[int, int] = {}  # person -> the row of their open transfer
        self.incoming: set[Key] = set()  # stored open transfers to the writer (`_incoming`)

    # --- checks ---------------------------------------------------------------------------

    def check_many(self, rows: list[Row]) -> list[tuple[Any, list[RowError]]]:
        hashes, people, hidden = _visible_people(rows, self.ctx)
        if hidden:
            # a member transferred away stays the writer's in the transfers they issued; a
            # member transferred to the writer is theirs in that open transfer (接收, 退回)
            seen = self.ctx.gate.party_orgs().values("pk")
            mine = Transfer.objects.filter(
                Q(from_party_org__in=seen) | Q(to_party_org__in=seen, status=TransferStatus.OPEN),
                person__id_hash__in=sorted(hidden),
            )
            hidden -= set(mine.values_list("person__id_hash", flat=True))
        pks = sorted(set(people.values()))
        members: dict[int, tuple[dt.date, int | None]] = {}
        stored: dict[int, dict[Key, _Stored]] = {}
        for start in range(0, len(pks), 900):
            part = pks[start : start + 900]
            for person, joined, relation in Membership.objects.filter(
                person_id__in=part
            ).values_list("person_id", "joined_on", "relation_party_org_id"):
                members[person] = (joined, relation)
            for values in Transfer.objects.filter(person_id__in=part).values_list(
                "pk", "person_id", "issued_on", "from_party_org_id", "to_party_org_id",
                "to_name", "status", "received_on", "returned_on", "letter_no",
            ):  # fmt: skip
                pk, person, issued, source, target, to_name, state, received, returned, letter = (
                    values
                )
                stored.setdefault(person, {})[(person, issued)] = _Stored(
                    pk, source, target, to_name, state, received, returned, letter
                )
        codes = {r.values[k] for r in rows for k in ("from_party_org", "to_party_org")}
        party_orgs = _PartyOrgs(self.ctx, {c for c in codes if c})
        names = self._names(stored, party_orgs, members)
        foreign = self._foreign(stored)
        self.incoming = self._incoming(stored, foreign)
        # The file's own transfers first (a row may rely on one received later in the file).
        for row in rows:
            self._note(row, people, hashes, party_orgs)
        return [
            self._check(row, hashes, people, hidden, members, stored, foreign, party_orgs, names)
            for row in rows
        ]

    def _names(self, stored: dict[int, dict[Key, _Stored]], party_orgs: _PartyOrgs,
               members: dict[int, tuple[dt.date, int | None]]) -> dict[int, str]:  # fmt: skip
        wanted = {s.from_id for by in stored.values() for s in by.values()}
        wanted |= {row[0] for row in party_orgs.rows.values()}
        wanted |= {relation for _joined, relation in members.values() if relation}
        return dict(PartyOrganization.objects.filter(pk__in=wanted).values_list("pk", "name"))

    def _foreign(self, stored: dict[int, dict[Key, _Stored]]) -> set[Key]:
        """The stored transfers issued by a Party organization the writer does not see."""
        gate = self.ctx.gate
        if gate is None or gate.everything:
            return set()
        sources = {s.from_id for by in stored.values() for s in by.values()}
        seen = set(gate.party_orgs().filter(pk__in=sources).values_list("pk", flat=True))
        return {key for by in stored.values() for key, s in by.items() if s.from_id not in seen}

    def _incoming(self, stored: dict[int, dict[Key, _Stored]], foreign: set[Key]) -> set[Key]:
        """The stored open transfers issued by a Party organization the writer does not see
        to one they see: the receiving side may accept or return them (docs/transfers.md),
        and nothing else of them."""
        gate = self.ctx.gate
        if not foreign:
            return set()
        targets = {stored[k[0]][k].to_id for k in foreign} - {None}
        seen = set(gate.party_orgs().filter(pk__in=targets).values_list("pk", flat=True))
        return {
            key
            for key in foreign
            if stored[key[0]][key].status == TransferStatus.OPEN
            and stored[key[0]][key].to_id in seen
        }

    def _receiving(self, row: Row, key: Key | None, old: _Stored | None,
                   party_orgs: _PartyOrgs) -> bool:  # fmt: skip
        """The row accepts or returns (or leaves open) an incoming transfer as it is stored:
        its origin, destination and letter unchanged."""
        if key is None or old is None or key not in self.incoming:
            return False
        v = row.values
        source = party_orgs.rows.get(v["from_party_org"] or "")
        target = party_orgs.rows.get(v["to_party_org"] or "")
        return (
            source is not None
            and source[0] == old.from_id
            and target is not None
            and target[0] == old.to_id
            and not v["to_name"]
            and (v["letter_no"] or "") == old.letter_no
        )

    def _note(self, row: Row, people: dict[str, int], hashes: dict[str, str],
              party_orgs: _PartyOrgs) -> None:  # fmt: skip
        v = row.values
        person = people.get(hashes.get(v["id_number"] or "", ""))
        if person is None or v["issued_on"] is None or v["status"] is None:
            return
        received = None
        source = party_orgs.rows.get(v["from_party_org"] or "")
        target = party_orgs.rows.get(v["to_party_org"] or "")
        if v["status"] == TransferStatus.RECEIVED and v["received_on"] and source:
            to_id = target[0] if target else None
            if target or v["to_name"]:
                received = _Received(v["issued_on"], v["received_on"], source[0], to_id)
        self.file.setdefault(person, {})[(person, v["issued_on"])] = (v["status"], received)

    def _check(self, row: Row, hashes: dict[str, str], people: dict[str, int],
               hidden: set[Any], members: dict[int, tuple[dt.date, int | None]],
               stored: dict[int, dict[Key, _Stored]], foreign: set[Key],
               party_orgs: _PartyOrgs, names: dict[int, str]) -> tuple[Any, list[RowError]]:  # fmt: skip
        v = row.values
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(row.error(self.column(key), message))

        today = self.ctx.today
        issued, status, received_on = v["issued_on"], v["status"], v["received_on"]
        person = _person(v["id_number"], hashes, people, hidden, self.ctx, fail)
        key: Key | None = (person, issued) if person is not None and issued else None
        old = stored.get(person, {}).get(key) if person is not None and key else None
        receiving = self._receiving(row, key, old, party_orgs)
        if key is not None and key in foreign and not receiving:
            fail("id_number", OUTSIDE)
            person = None
        elif person is not None and person not in members:
            fail("id_number", "不是党员（没有入党日期），不能转接组织关系")
            person = None
        elif person is not None and issued and members[person][0] > issued:
            fail("id_number", f"入党日期为 {members[person][0]}，开出日期时尚未入党")
            person = None
        for name in ("issued_on", "received_on"):
            if v[name] and v[name] > today:
                fail(name, "晚于今天")
        source = None
        if v["from_party_org"]:
            if party_orgs.problem(v["from_party_org"]) and not receiving:
                fail("from_party_org", UNKNOWN_PARTY_ORG)  # outside the jurisdiction: as unknown
            else:
                source = party_orgs.rows[v["from_party_org"]][0]
        target = None
        if v["to_party_org"] and v["to_name"]:
            fail("to_name", "转入党组织编码与转入党组织名称只填写其中一项")
        elif not v["to_party_org"] and not v["to_name"]:
            fail("to_party_org", "转入党组织编码与转入党组织名称须填写其中一项")
        elif v["to_party_org"]:
            found = party_orgs.rows.get(v["to_party_org"])
            if found is None:
                fail("to_party_org", UNKNOWN_PARTY_ORG)
            else:
                target, dissolved = found[0], found[3]
                if target == source:
                    fail("to_party_org", "与转出党组织相同")
                elif dissolved is not None and issued and dissolved <= issued:
                    fail("to_party_org", f"该党组织已于 {dissolved} 撤销")
        if status == TransferStatus.RECEIVED and received_on is None:
            fail("received_on", "状态为「已接收」时必填")
        elif status and status != TransferStatus.RECEIVED and received_on is not None:
            fail("received_on", f"状态为「{TransferStatus(status).label}」时不填写此项")
        elif received_on and issued and received_on < issued:
            fail("received_on", f"早于开出日期 {issued}")
        if person is not None and key is not None and source is not None:
            mine, others = self._received(person, key, stored)
            held = holder(mine, others, members[person][1], issued)
            if held != source:
                where = f"在「{names.get(held, '')}」" if held else "不在系统内的党组织"
                fail("from_party_org", f"开出日期 {issued} 时该党员的组织关系{where}，不在此党组织")
        if old is not None and old.status != TransferStatus.OPEN:
            now = (source, target, v["to_name"] or "", status, received_on)
            was = (old.from_id, old.to_id, old.to_name, old.status, old.received_on)
            if not errors and now != was:
                fail("status", f"该转接已是「{TransferStatus(old.status).label}」，不能再修改"
                     "（退回后请另行开出新的转接）")  # fmt: skip
        if person is not None and key is not None and status == TransferStatus.OPEN:
            other = self._open(person, key, stored)
            if other:
                fail("status", f"该党员已有一条办理中的组织关系转接（{other}）")
        if errors:
            return None, errors
        assert person is not None and key is not None and source is not None
        if key in self.seen:
            return None, [row.error(self.column("issued_on"), f"与第{self.seen[key]}行重复")]
        self.seen[key] = row.number
        if status == TransferStatus.OPEN:
            self.open_rows[person] = row.number
        self.masked[person] = mask_id_number(v["id_number"])
        returned_on = None
        if status == TransferStatus.RETURNED:
            returned_on = old.returned_on if old is not None and old.returned_on else today
        values = (source, target, v["to_name"] or "", v["letter_no"] or "", status, received_on,
                  returned_on)  # fmt: skip
        return Keyed(row.number, key, values), []

    def _received(self, person: int, own: Key, stored: dict[int, dict[Key, _Stored]]
                  ) -> tuple[list[_Received], list[_Received]]:  # fmt: skip
        """The member's received transfers: the stored ones, and all but the row's own as
        the file's rows leave them."""
        out: dict[Key, _Received] = {}
        for key, s in stored.get(person, {}).items():
            if s.status == TransferStatus.RECEIVED and s.received_on is not None:
                out[key] = _Received(key[1], s.received_on, s.from_id, s.to_id)
        mine = list(out.values())
        for key, (_status, received) in self.file.get(person, {}).items():
            out.pop(key, None)
            if received is not None:
                out[key] = received
        out.pop(own, None)
        return mine, list(out.values())

    def _open(self, person: int, key: Key, stored: dict[int, dict[Key, _Stored]]) -> str:
        """Another open transfer of the member (stored and not closed by the file, or an
        earlier row of the file): how it is named, "" when none."""
        if person in self.open_rows:
            return f"第{self.open_rows[person]}行"
        in_file = self.file.get(person, {})
        for other, s in stored.get(person, {}).items():
            if other == key or s.status != TransferStatus.OPEN:
                continue
            if other in in_file and in_file[other][0] != TransferStatus.OPEN:
                continue  # the file closes it
            return f"开出日期 {other[1]}"
        return ""

    # --- writing --------------------------------------------------------------------------

    def write(self, records: list[Any]) -> Outcome:
        # Closed ones first, in a statement of their own: a transfer closed and a new one
        # opened in one file never hold two open transfers of a member at once (the partial
        # unique constraint; `upsert` inserts before it updates).
        outcome = Outcome()
        status: dict[Any, str] = {}
        for part in (
            [r for r in records if r.values[4] != TransferStatus.OPEN],
            [r for r in records if r.values[4] == TransferStatus.OPEN],
        ):
            if not part:
                continue
            done, written = upsert(
                self.ctx,
                Transfer,
                key=("person", "issued_on"),
                fields=FIELDS,
                labels=LABELS,
                records=part,
                key_label=lambda key: f"{self.masked.get(key[0], '')} {key[1]}",
                fetch_by="person",
            )
            outcome.add(done)
            status.update(written)
        newly = [
            r.key for r in records
            if r.values[4] == TransferStatus.RECEIVED and status.get(r.key) in ("+", "~")
        ]  # fmt: skip
        move_relations(self.ctx, newly)
        return outcome


def move_relations(ctx: Context, keys: list[Key]) -> int:
    """Move the relation of the members of the transfers `keys`, newly received, to where
    the last of them went — unless a transfer of the member received later is stored —,
    with the membership's history attributed to `ctx`. Returns how many moved."""
    people = sorted({person for person, _ in keys})
    if not people:
        return 0
    received: dict[int, list[tuple[dt.date, dt.date, int | None]]] = {}
    for start in range(0, len(people), 900):
        for person, issued, received_on, to_id in Transfer.objects.filter(
            person_id__in=people[start : start + 900], status=TransferStatus.RECEIVED
        ).values_list("person_id", "issued_on", "received_on", "to_party_org_id"):
            assert received_on is not None  # a constraint: 已接收 has its 接收日期
            received.setdefault(person, []).append((received_on, issued, to_id))
    current = dict(
        Membership.objects.filter(person_id__in=people).values_list(
            "person_id", "relation_party_org_id"
        )
    )
    pks = dict(Membership.objects.filter(person_id__in=people).values_list("person_id", "pk"))
    new = set(keys)
    changed: list[tuple[int, tuple[Any, ...]]] = []
    for person in people:
        last = max(received.get(person, []), default=None)
        if last is None or (person, last[1]) not in new or person not in pks:
            continue
        if current.get(person) != last[2]:
            changed.append((pks[person], (last[2],)))
    if changed:
        bulk.update(Membership, ["relation_party_org"], changed)
        _history(ctx, Membership, "id", [pk for pk, _ in changed], "~")
    return len(changed)
