"""`party-groups` and `meetings`: 党小组 and 组织生活 (CONTRACT.md, "Party work: the further
import kinds"; docs/organization-life.md).

The `meetings` kind adds columns of its own after CONTRACT's (all optional): the place, who
chaired and who took the minutes, the minutes, and the attendance person by person —
出席人员 / 请假人员 / 缺席人员, identity numbers separated by 「;」 or 「、」, a leave's reason
in brackets after the number (「430102…（出差）」). A row that gives any of the three sets
the meeting's attendance to exactly those people (who must be members of the Party
organization on the day), and its 应到 / 实到 from them; a row that gives none leaves the
recorded attendance as it is.

The review state (报送 / 审核 / 退回) is no column: a row written by an area officer (or the
system) is approved as written ("imported records count as approved"); a row a secretary
writes is a draft to submit (`dangjian.life.services`), and a secretary cannot change a
meeting while it waits for review.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from dangjian.imports.base import Change, Context, Keyed, Kind, Outcome, Row, upsert
from dangjian.imports.errors import RowError
from dangjian.imports.fields import (
    Column,
    choice_column,
    date_column,
    id_code,
    integer,
    labels_of,
    long_text,
    text,
)
from dangjian.lib import bulk, crypto
from dangjian.lib.codes import id_number_problem, mask_id_number, mask_id_numbers_in
from dangjian.life.models import (
    Attendance,
    AttendanceStatus,
    Duty,
    Meeting,
    MeetingType,
    PartyGroup,
    ReviewState,
)
from dangjian.partyorgs.models import PartyOrganization, PartyOrgLevel
from dangjian.people.models import Membership, Person
from dangjian.transfers.relations import held_on, received_transfers

_SEPARATORS = re.compile(r"[;；、,，\n]+")
_LEAVE = re.compile(r"^\s*([0-9Xx]{15,18})\s*(?:[（(]\s*(.*?)\s*[）)])?\s*$")
DUTY_BY_LABEL = labels_of(Duty)


def split_list(value: str | None) -> list[str]:
    return [part.strip() for part in _SEPARATORS.split(value or "") if part.strip()]


def duties_codes(value: str | None) -> tuple[str, list[str]]:
    """(the stored codes in the order of POLICY 1, the unknown labels)."""
    labels = split_list(value)
    unknown = [label for label in labels if label not in DUTY_BY_LABEL]
    chosen = {DUTY_BY_LABEL[label] for label in labels if label in DUTY_BY_LABEL}
    return ",".join(code for code in (d.value for d in Duty) if code in chosen), unknown


class _PartyOrgs:
    """The Party organizations rows name, and which of them the writer may write."""

    def __init__(self, ctx: Context, codes: set[str]) -> None:
        self.rows: dict[str, tuple[int, str, Any, Any, str]] = {}
        wanted = sorted(codes)
        for start in range(0, len(wanted), 900):
            for code, pk, level, founded, dissolved, path in PartyOrganization.objects.filter(
                code__in=wanted[start : start + 900]
            ).values_list("code", "pk", "level", "founded_on", "dissolved_on", "township__path"):
                self.rows[code] = (pk, level, founded, dissolved, path)
        self.visible: set[str] | None = None
        gate = ctx.gate
        if gate is not None and not gate.everything:
            self.visible = set(
                gate.party_orgs().filter(code__in=wanted).values_list("code", flat=True)
            )
        self.ctx = ctx

    def problem(self, code: str) -> str:
        found = self.rows.get(code)
        if found is None:
            return "党组织编码不存在（请先导入党组织）"
        if self.ctx.area is not None and not found[4].startswith(self.ctx.area.path):
            return f"该党组织不在您的管辖范围（{self.ctx.area}）内"
        if self.visible is not None and code not in self.visible:
            return "该党组织不在您的管辖范围内"
        return ""


def _people(numbers: set[str], ctx: Context) -> tuple[dict[str, str], dict[str, int]]:
    """(number -> lookup hash, hash -> person pk) for the valid numbers named."""
    hashes = {n: crypto.lookup_hash(n) for n in numbers if not id_number_problem(n, ctx.today)}
    people: dict[str, int] = {}
    wanted = sorted(set(hashes.values()))
    for start in range(0, len(wanted), 900):
        people.update(
            Person.objects.filter(id_hash__in=wanted[start : start + 900]).values_list(
                "id_hash", "pk"
            )
        )
    return hashes, people


MeetingKey = tuple[Any, ...]


def meetings_named(
    pairs: set[tuple[int, Any]], fields: list[str]
) -> dict[MeetingKey, tuple[Any, ...]]:
    """The stored meetings of these (Party organization pk, date) pairs: (party_org, type,
    held_on, party_group) -> (pk, *fields) — one query per 900 Party organizations."""
    by_party_org: dict[int, set[Any]] = {}
    for po, day in pairs:
        by_party_org.setdefault(po, set()).add(day)
    pks = sorted(by_party_org)
    out: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for start in range(0, len(pks), 900):
        part = pks[start : start + 900]
        days = sorted({d for po in part for d in by_party_org[po]})
        for row in Meeting.objects.filter(
            party_org_id__in=part, held_on__gte=days[0], held_on__lte=days[-1]
        ).values_list("party_org_id", "type", "held_on", "party_group_id", "pk", *fields):
            if row[2] in by_party_org[row[0]]:
                out[row[:4]] = row[4:]
    return out


# --- party-groups ----------------------------------------------------------------------------


class PartyGroupsKind(Kind):
    name = "party-groups"
    label = "党小组"
    columns = (
        Column("party_org", "党组织编码", text(32), required=True),
        Column("name", "党小组名称", text(40), required=True),
        Column("leader", "组长公民身份号码", id_code, personal=True),
        date_column("founded_on", "成立日期", required=True),
        date_column("dissolved_on", "撤销日期"),
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.seen: dict[tuple[int, str], int] = {}

    def check_many(self, rows: list[Row]) -> list[tuple[Any, list[RowError]]]:
        party_orgs = _PartyOrgs(
            self.ctx, {r.values["party_org"] for r in rows if r.values["party_org"]}
        )
        hashes, people = _people({r.values["leader"] for r in rows if r.values["leader"]}, self.ctx)
        return [self._check(row, party_orgs, hashes, people) for row in rows]

    def _check(self, row: Row, party_orgs: _PartyOrgs, hashes: dict[str, str],
               people: dict[str, int]) -> tuple[Any, list[RowError]]:  # fmt: skip
        v = row.values
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(row.error(self.column(key), message))

        problem = party_orgs.problem(v["party_org"])
        found = party_orgs.rows.get(v["party_org"])
        if problem:
            fail("party_org", problem)
        elif found is not None and found[1] != PartyOrgLevel.BRANCH:
            fail("party_org", "不是党支部：党小组设在党支部内")
        leader = None
        if v["leader"]:
            problem = id_number_problem(v["leader"], self.ctx.today) or ""
            leader = people.get(hashes.get(v["leader"], ""))
            if problem:
                fail("leader", problem)
            elif leader is None:
                fail("leader", "不是已登记的人员（请先在人员文件中导入此人）")
        founded, dissolved = v["founded_on"], v["dissolved_on"]
        if founded and founded > self.ctx.today:
            fail("founded_on", "晚于今天")
        if found is not None and founded and founded < found[2]:
            fail("founded_on", f"早于党组织成立日期 {found[2]}")
        if founded and dissolved and dissolved < founded:
            fail("dissolved_on", f"早于成立日期 {founded}")
        if errors:
            return None, errors
        assert found is not None
        key = (found[0], v["name"])
        if key in self.seen:
            return None, [row.error(self.column("name"), f"与第{self.seen[key]}行重复")]
        self.seen[key] = row.number
        return Keyed(row.number, key, (leader, founded, dissolved)), []

    def write(self, records: list[Any]) -> Outcome:
        outcome, _ = upsert(
            self.ctx,
            PartyGroup,
            key=["party_org", "name"],
            fields=["leader", "founded_on", "dissolved_on"],
            labels=["组长公民身份号码", "成立日期", "撤销日期"],
            records=records,
            key_label=lambda key: key[1],
        )
        return outcome


# --- meetings --------------------------------------------------------------------------------

MEETING_FIELDS = [
    "topic", "expected", "present", "duties", "place", "host", "recorder", "minutes", "state",
]  # fmt: skip
MEETING_LABELS = [
    "主题", "应到人数", "实到人数", "职责分类", "会议地点", "主持人", "记录人", "会议记录",
    "审核状态",
]  # fmt: skip
ATTENDANCE_COLUMNS = {
    "attended": AttendanceStatus.PRESENT,
    "on_leave": AttendanceStatus.LEAVE,
    "absent": AttendanceStatus.ABSENT,
}


@dataclass
class MeetingRecord:
    keyed: Keyed
    # person pk -> (status, reason), or None: the row leaves the attendance as it is
    attendance: dict[int, tuple[str, str]] | None


class MeetingsKind(Kind):
    name = "meetings"
    label = "组织生活会议"
    columns = (
        Column("party_org", "党组织编码", text(32), required=True),
        choice_column("type", "会议类型", labels_of(MeetingType), required=True),
        Column("party_group", "党小组名称", text(40), hint="党小组会必填"),
        date_column("held_on", "召开日期", required=True),
        Column("topic", "主题", text(200), required=True),
        Column("expected", "应到人数", integer(maximum=100_000)),
        Column("present", "实到人数", integer(maximum=100_000)),
        Column(
            "duties",
            "职责分类",
            text(200),
            hint="、".join(DUTY_BY_LABEL) + "（可多选，以「、」分隔）",
        ),
        Column("place", "会议地点", text(100)),
        Column("host", "主持人", text(40)),
        Column("recorder", "记录人", text(40)),
        Column("minutes", "会议记录", long_text(20000)),
        Column("attended", "出席人员", text(20000), hint="公民身份号码，以「;」或「、」分隔"),
        Column(
            "on_leave",
            "请假人员",
            text(20000),
            hint="公民身份号码（请假事由），以「;」或「、」分隔",
        ),
        Column("absent", "缺席人员", text(20000), hint="公民身份号码，以「;」或「、」分隔"),
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.seen: dict[tuple[Any, ...], int] = {}
        self.secretary = ctx.role == "org"

    def check_many(self, rows: list[Row]) -> list[tuple[Any, list[RowError]]]:
        party_orgs = _PartyOrgs(
            self.ctx, {r.values["party_org"] for r in rows if r.values["party_org"]}
        )
        pks = sorted({found[0] for found in party_orgs.rows.values()})
        groups: dict[tuple[int, str], tuple[int, Any, Any]] = {}
        for start in range(0, len(pks), 900):
            for po, name, pk, founded, dissolved in PartyGroup.objects.filter(
                party_org_id__in=pks[start : start + 900]
            ).values_list("party_org_id", "name", "pk", "founded_on", "dissolved_on"):
                groups[(po, name)] = (pk, founded, dissolved)
        numbers: set[str] = set()
        for row in rows:
            for key in ATTENDANCE_COLUMNS:
                for item in split_list(row.values[key]):
                    match = _LEAVE.match(item)
                    numbers.add(match[1].upper() if match else item)
        hashes, people = _people(numbers, self.ctx)
        # Who was a member of each Party organization named, and since when.
        members: dict[int, dict[int, Any]] = {}
        if people:
            for start in range(0, len(pks), 900):
                for po, person, joined in Membership.objects.filter(
                    relation_party_org_id__in=pks[start : start + 900],
                    person_id__in=sorted(set(people.values())),
                ).values_list("relation_party_org_id", "person_id", "joined_on"):
                    members.setdefault(po, {})[person] = joined
        # A member transferred (docs/transfers.md) was a member of each Party organization
        # that held their relation, on the days it held it.
        self.moved = received_transfers(people.values()) if people else {}
        self.current: dict[int, int | None] = {}
        if self.moved:
            named = set(pks)
            for person, joined, relation in Membership.objects.filter(
                person_id__in=sorted(self.moved)
            ).values_list("person_id", "joined_on", "relation_party_org_id"):
                self.current[person] = relation
                for _received, _issued, source, target in self.moved[person]:
                    for held_by in (source, target):
                        if held_by in named:
                            members.setdefault(held_by, {})[person] = joined
        stored = self._stored(rows, party_orgs)
        return [
            self._check(row, party_orgs, groups, hashes, people, members, stored) for row in rows
        ]

    def _stored(self, rows: list[Row], party_orgs: _PartyOrgs) -> dict[MeetingKey, tuple[Any, ...]]:
        """The stored meetings the rows name: key -> (pk, *MEETING_FIELDS)."""
        pairs = set()
        for row in rows:
            found = party_orgs.rows.get(row.values["party_org"])
            if found is not None and row.values["held_on"]:
                pairs.add((found[0], row.values["held_on"]))
        return meetings_named(pairs, MEETING_FIELDS)

    def _check(self, row: Row, party_orgs: _PartyOrgs,
               groups: dict[tuple[int, str], tuple[int, Any, Any]], hashes: dict[str, str],
               people: dict[str, int], members: dict[int, dict[int, Any]],
               stored: dict[tuple[Any, ...], tuple[Any, ...]]) -> tuple[Any, list[RowError]]:  # fmt: skip
        v = row.values
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(row.error(self.column(key), message))

        def fail_item(key: str, item: str, message: str) -> None:
            column = self.column(key)
            errors.append(RowError(row.number, column.label, mask_id_numbers_in(item), message))

        problem = party_orgs.problem(v["party_org"])
        found = party_orgs.rows.get(v["party_org"])
        if problem:
            fail("party_org", problem)
            found = None
        held = v["held_on"]
        if held and held > self.ctx.today:
            fail("held_on", "晚于今天：只能记录已召开的会议")
        if found is not None and held:
            if held < found[2]:
                fail("held_on", f"早于党组织成立日期 {found[2]}")
            elif found[3] is not None and held >= found[3]:
                fail("held_on", f"党组织已于 {found[3]} 撤销")
        group = None
        if v["type"] == MeetingType.GROUP:
            if not v["party_group"]:
                fail("party_group", "党小组会须填写党小组名称")
            elif found is not None:
                group = groups.get((found[0], v["party_group"]))
                if group is None:
                    fail("party_group", "不是该党组织的党小组（请先导入党小组）")
                elif held and (held < group[1] or (group[2] is not None and held >= group[2])):
                    fail("party_group", f"该党小组在 {held} 不存在（成立于{group[1]}"
                         + (f"，撤销于{group[2]}）" if group[2] else "）"))  # fmt: skip
        elif v["party_group"]:
            fail("party_group", "只有党小组会填写党小组名称")
        duties, unknown = duties_codes(v["duties"])
        if unknown:
            fail(
                "duties",
                f"不是党组织的六项职责之一：{'、'.join(unknown)}（应为{'、'.join(DUTY_BY_LABEL)}）",
            )
        attendance: dict[int, tuple[str, str]] | None = None
        if any(v[name] for name in ATTENDANCE_COLUMNS):
            attendance = {}
            held_members = members.get(found[0], {}) if found is not None else {}
            for column_key, status in ATTENDANCE_COLUMNS.items():
                for item in split_list(v[column_key]):
                    match = _LEAVE.match(item)
                    number = match[1].upper() if match else item
                    reason = (match[2] or "") if match else ""
                    if status != AttendanceStatus.LEAVE and reason:
                        fail_item(column_key, item, "只有请假人员填写事由")
                        continue
                    issue = id_number_problem(number, self.ctx.today)
                    if issue:
                        fail_item(column_key, item, issue)
                        continue
                    person = people.get(hashes.get(number, ""))
                    if person is None:
                        fail_item(column_key, item, "不是已登记的人员")
                        continue
                    if found is not None and held:
                        joined = held_members.get(person)
                        moved = self.moved.get(person)
                        elsewhere = bool(moved) and (
                            held_on(moved or [], self.current.get(person), held) != found[0]
                        )
                        if joined is None or joined > held or elsewhere:
                            fail_item(column_key, item, f"不是该党组织在 {held} 的党员")
                            continue
                    if person in attendance:
                        fail_item(
                            column_key, item, f"{mask_id_number(number)} 在参会名单中重复出现"
                        )
                        continue
                    attendance[person] = (status, reason[:100])
        expected, present = v["expected"], v["present"]
        if attendance is not None:
            counted = Counter(status for status, _ in attendance.values())
            if expected is not None and expected != len(attendance):
                fail("expected", f"与参会名单不符：名单共{len(attendance)}人")
            if present is not None and present != counted[AttendanceStatus.PRESENT]:
                fail("present", f"与出席人员不符：出席{counted[AttendanceStatus.PRESENT]}人")
            expected, present = len(attendance), counted[AttendanceStatus.PRESENT]
        if expected is not None and present is not None and present > expected:
            fail("present", f"多于应到人数 {expected}")
        if errors:
            return None, errors
        assert found is not None
        key = (found[0], v["type"], held, group[0] if group else None)
        if key in self.seen:
            return None, [row.error(self.column("held_on"), f"与第{self.seen[key]}行重复")]
        content = (
            v["topic"], expected, present, duties, v["place"] or "", v["host"] or "",
            v["recorder"] or "", v["minutes"] or "",
        )  # fmt: skip
        current = stored.get(key)
        if current is not None and tuple(current[1:-1]) == content:
            state = current[-1]  # nothing changes: its review state neither
        elif self.secretary:
            if current is not None and current[-1] == ReviewState.SUBMITTED:
                return None, [
                    row.error(
                        self.column("topic"), "该会议已报送上级审核，审核完成（或退回）前不能修改"
                    )
                ]
            state = ReviewState.DRAFT
        else:
            state = ReviewState.APPROVED
        self.seen[key] = row.number
        return MeetingRecord(Keyed(row.number, key, (*content, state)), attendance), []

    def write(self, records: list[Any]) -> Outcome:
        outcome, status = upsert(
            self.ctx,
            Meeting,
            key=["party_org", "type", "held_on", "party_group"],
            fields=MEETING_FIELDS,
            labels=MEETING_LABELS,
            records=[r.keyed for r in records],
            fetch_by="party_org",
            key_label=lambda key: f"{key[2]} {MeetingType(key[1]).label}",
        )
        given = [r for r in records if r.attendance is not None]
        if given:
            self._attendance(given, outcome, status)
        return outcome

    def _attendance(self, records: list[MeetingRecord], outcome: Outcome,
                    status: dict[Any, str]) -> None:  # fmt: skip
        """Set the attendance of the meetings the rows gave one for: exactly those people."""
        named = meetings_named({(r.keyed.key[0], r.keyed.key[2]) for r in records}, [])
        meeting_pk = {key: row[0] for key, row in named.items()}
        pks = sorted(meeting_pk.values())
        current: dict[tuple[int, int], tuple[int, str, str]] = {}
        for start in range(0, len(pks), 900):
            for pk, meeting, person, st, reason in Attendance.objects.filter(
                meeting_id__in=pks[start : start + 900]
            ).values_list("pk", "meeting_id", "person_id", "status", "reason"):
                current[(meeting, person)] = (pk, st, reason)
        new: list[tuple[Any, ...]] = []
        changed: list[tuple[int, tuple[Any, ...]]] = []
        gone: list[int] = []
        for record in records:
            meeting = meeting_pk[tuple(record.keyed.key)]
            assert record.attendance is not None
            touched = False
            for person, (st, reason) in record.attendance.items():
                old = current.pop((meeting, person), None)
                if old is None:
                    new.append((meeting, person, st, reason))
                    touched = True
                elif old[1:] != (st, reason):
                    changed.append((old[0], (st, reason)))
                    touched = True
            for (m, _person), (pk, _st, _reason) in list(current.items()):
                if m == meeting:
                    gone.append(pk)
                    touched = True
            if touched and status.get(record.keyed.key) == "=":
                outcome.unchanged -= 1
                outcome.updated += 1
                outcome.changes.append(
                    Change(record.keyed.row, f"{record.keyed.key[2]}", ["参会人员"])
                )
        if gone:
            bulk.record_history(Attendance, by="id", keys=gone, history_type="-",
                                reason=self.ctx.reason, user_id=self.ctx.user_id, when=self.ctx.now)  # fmt: skip
            bulk.delete(Attendance, gone)
        if new:
            inserted = bulk.insert(Attendance, ["meeting", "person", "status", "reason"], new)
            if inserted is not None:
                bulk.record_history(Attendance, by="id", history_type="+", id_range=inserted,
                                    reason=self.ctx.reason, user_id=self.ctx.user_id, when=self.ctx.now)  # fmt: skip
            else:
                fresh = {(m, p) for m, p, _s, _r in new}
                meetings = sorted({m for m, _p in fresh})
                keys = []
                for start in range(0, len(meetings), 900):
                    keys += [
                        pk
                        for pk, m, p in Attendance.objects.filter(
                            meeting_id__in=meetings[start : start + 900]
                        ).values_list("pk", "meeting_id", "person_id")
                        if (m, p) in fresh
                    ]
                bulk.record_history(Attendance, by="id", keys=keys, history_type="+",
                                    reason=self.ctx.reason, user_id=self.ctx.user_id, when=self.ctx.now)  # fmt: skip
        if changed:
            bulk.update(Attendance, ["status", "reason"], changed)
            bulk.record_history(Attendance, by="id", keys=[pk for pk, _ in changed],
                                history_type="~", reason=self.ctx.reason,
                                user_id=self.ctx.user_id, when=self.ctx.now)  # fmt: skip
