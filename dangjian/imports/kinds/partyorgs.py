"""`party-orgs`: Party organizations and what they cover (CONTRACT.md).

A parent may be named before or after its children in the same file: rows whose parent
is not known yet are held back and written at the end, parents first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from dangjian.areas.models import AreaLevel
from dangjian.imports.base import Change, Context, Keyed, Kind, Outcome, Row, upsert
from dangjian.imports.errors import CellError, RowError
from dangjian.imports.fields import Column, choice_column, date_column, labels_of, text
from dangjian.imports.lookups import Places
from dangjian.imports.writers import OUTSIDE, outside
from dangjian.lib import bulk
from dangjian.orgs.models import SocialOrganization
from dangjian.partyorgs.models import (
    Coverage,
    PartyOrganization,
    PartyOrgForm,
    PartyOrgLevel,
    PartyOrgStatus,
)

FIELDS = [
    "name",
    "level",
    "form",
    "parent",
    "township",
    "founded_on",
    "term_started_on",
    "status",
    "dissolved_on",
]
_SEPARATORS = re.compile(r"[;；、,，\s]+")


def split_covers(value: str) -> list[str]:
    return [part.upper() for part in _SEPARATORS.split(value or "") if part]


@dataclass
class Pending:
    row: Row
    code: str
    parent_code: str
    values: list[Any]  # FIELDS order; parent filled in when known
    covers: list[int]  # organization pks


class PartyOrgsKind(Kind):
    name = "party-orgs"
    label = "党组织"
    columns = (
        Column("code", "党组织编码", text(32), required=True),
        Column("name", "党组织名称", text(200), required=True),
        choice_column("level", "党组织类别", labels_of(PartyOrgLevel), required=True),
        choice_column("form", "组建方式", labels_of(PartyOrgForm), required=True),
        Column("parent_code", "上级党组织编码", text(32)),
        Column("covers", "覆盖社会组织", text(20000), hint="统一社会信用代码，以「;」或「、」分隔"),
        Column("township", "所在乡镇(街道)", text(64), required=True),
        date_column("founded_on", "成立日期", required=True),
        date_column("term_started_on", "本届任期开始日期"),
        choice_column("status", "状态", labels_of(PartyOrgStatus), required=True),
        date_column("dissolved_on", "撤销日期"),
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.places = Places(with_communities=False)
        self.pk_by_code: dict[str, int] = {}
        self.parent_of: dict[int, int | None] = {}
        self.level_of: dict[str, str] = {}
        for pk, code, parent, level in PartyOrganization.objects.values_list(
            "pk", "code", "parent_id", "level"
        ):
            self.pk_by_code[code] = pk
            self.parent_of[pk] = parent
            self.level_of[code] = level
        self.seen: dict[str, int] = {}  # code -> row, of valid rows
        self.rejected_codes: dict[str, int] = {}
        self.held: list[Pending] = []
        self.held_codes: set[str] = set()
        self.late_failures: list[tuple[Row, list[RowError]]] = []
        self.labels = [
            self.column(k).label
            for k in (
                "name",
                "level",
                "form",
                "parent_code",
                "township",
                "founded_on",
                "term_started_on",
                "status",
                "dissolved_on",
            )
        ]

    def check_many(self, rows: list[Row]) -> list[tuple[Any, list[RowError]]]:
        wanted = sorted({u for row in rows for u in split_covers(row.values["covers"] or "")})
        org_pk = dict(
            row
            for key_chunk in _chunks(wanted)
            for row in SocialOrganization.objects.filter(uscc__in=key_chunk).values_list(
                "uscc", "pk"
            )
        )
        gate = self.ctx.gate
        hidden = (
            outside(gate, gate.party_orgs(), PartyOrganization, "code",
                    [row.values["code"] for row in rows if row.values["code"]])
            if gate is not None
            else set()
        )  # fmt: skip
        out = []
        for row in rows:
            if row.values["code"] in hidden:
                record, errors = None, [row.error(self.column("code"), OUTSIDE)]
            else:
                record, errors = self._check(row, org_pk)
            if errors and row.values["code"]:
                self.rejected_codes.setdefault(row.values["code"], row.number)
            out.append((record, errors))
        return out

    def _check(self, row: Row, org_pk: dict[str, int]) -> tuple[Any, list[RowError]]:
        v = row.values
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(row.error(self.column(key), message))

        code = v["code"]
        if code in self.seen:
            fail("code", f"与第{self.seen[code]}行重复：同一党组织只能出现一次")
        township = None
        try:
            township = self.places.resolve(v["township"], AreaLevel.TOWNSHIP)
        except CellError as exc:
            fail("township", str(exc))
        if township is not None and not self.places.is_within(township, self.ctx.area):
            fail("township", f"不在您的管辖范围（{self.ctx.area}）内")
        status, founded, dissolved = v["status"], v["founded_on"], v["dissolved_on"]
        if status == PartyOrgStatus.DISSOLVED and dissolved is None:
            fail("dissolved_on", "状态为「已撤销」时必填")
        if status == PartyOrgStatus.ACTIVE and dissolved is not None:
            fail("dissolved_on", "状态为「正常」时不填写撤销日期")
        if dissolved and founded and dissolved < founded:
            fail("dissolved_on", f"早于成立日期 {founded}")
        if founded and founded > self.ctx.today:
            fail("founded_on", "晚于今天")
        term = v["term_started_on"]
        if term and founded and term < founded:
            fail("term_started_on", f"早于成立日期 {founded}")
        if term and term > self.ctx.today:
            fail("term_started_on", "晚于今天")
        parent_code = v["parent_code"] or ""
        if parent_code and parent_code == code:
            fail("parent_code", "不能是本组织自己")
        elif parent_code and self.level_of.get(parent_code) == PartyOrgLevel.BRANCH:
            fail("parent_code", "上级是党支部：党支部不设下级党组织")
        elif (
            parent_code in self.pk_by_code
            and code in self.pk_by_code
            and self._would_cycle(self.pk_by_code[code], self.pk_by_code[parent_code])
        ):
            fail("parent_code", "是本组织的下级党组织：上下级关系不能成环")
        covers: list[int] = []
        missing = []
        for uscc in split_covers(v["covers"] or ""):
            if uscc in org_pk:
                covers.append(org_pk[uscc])
            else:
                missing.append(uscc)
        if missing:
            fail(
                "covers",
                f"这些统一社会信用代码不在社会组织名录中：{'、'.join(missing[:10])}（请先导入社会组织）",
            )
        if len(set(covers)) != len(covers):
            fail("covers", "同一社会组织重复列出")
        if covers and v["form"] in (PartyOrgForm.TOWNSHIP, PartyOrgForm.COMMUNITY):
            fail("covers", "乡镇(街道)、村(社区)党组织不登记覆盖的社会组织")
        if errors:
            return None, errors
        assert township is not None
        self.seen[code] = row.number
        self.level_of[code] = v["level"]
        values = [
            v["name"],
            v["level"],
            v["form"],
            None,
            township.id,
            founded,
            term,
            status,
            dissolved,
        ]
        pending = Pending(row, code, parent_code, values, covers)
        if (
            parent_code
            and parent_code not in self.pk_by_code
            and (parent_code not in self.seen or parent_code in self.held_codes)
        ):
            self.held.append(pending)  # a parent further down the file, or none at all
            self.held_codes.add(code)
            return None, []
        return pending, []

    def _would_cycle(self, pk: int, parent: int) -> bool:
        node: int | None = parent
        steps = 0
        while node is not None and steps < 1000:
            if node == pk:
                return True
            node = self.parent_of.get(node)
            steps += 1
        return False

    def write(self, records: list[Any]) -> Outcome:
        """Write parents before children; a row whose parent turns out to be a branch, to
        close a cycle, or to have been refused is refused now (see `finish`)."""
        outcome = Outcome()
        waiting: list[Pending] = list(records)
        while waiting:
            ready: list[Pending] = []
            still: list[Pending] = []
            for p in waiting:
                if p.parent_code in self.rejected_codes and p.parent_code not in self.pk_by_code:
                    line = self.rejected_codes[p.parent_code]
                    self._refuse(p, f"上级党组织所在的第{line}行有错误，未能导入")
                elif not p.parent_code or p.parent_code in self.pk_by_code:
                    ready.append(p)
                else:
                    still.append(p)
            if not ready:
                for p in still:  # parents come earlier in the file, so this does not happen
                    self._refuse(p, "党组织编码不存在：请先导入上级党组织，或在同一文件中列出")
                break
            good = []
            for p in ready:
                problem = self._late_problem(p)
                if problem:
                    self._refuse(p, problem)
                else:
                    good.append(p)
            if good:
                outcome.add(self._write_wave(good))
            waiting = still
        return outcome

    def _late_problem(self, p: Pending) -> str | None:
        """What only shows once the parent is known: its level, and cycles through rows of
        this file that were held back for their parent."""
        if not p.parent_code:
            return None
        if self.level_of.get(p.parent_code) == PartyOrgLevel.BRANCH:
            return "上级是党支部：党支部不设下级党组织"
        pk = self.pk_by_code.get(p.code)
        if pk is not None and self._would_cycle(pk, self.pk_by_code[p.parent_code]):
            return "是本组织的下级党组织：上下级关系不能成环"
        return None

    def _refuse(self, p: Pending, message: str) -> None:
        self.late_failures.append((p.row, [p.row.error(self.column("parent_code"), message)]))
        self.rejected_codes.setdefault(p.code, p.row.number)

    def _write_wave(self, wave: list[Pending]) -> Outcome:
        records = []
        for p in wave:
            p.values[3] = self.pk_by_code.get(p.parent_code) if p.parent_code else None
            records.append(Keyed(p.row.number, p.code, tuple(p.values)))
        outcome, status = upsert(
            self.ctx,
            PartyOrganization,
            key="code",
            fields=FIELDS,
            labels=self.labels,
            records=records,
        )
        stored = bulk.fetch(
            PartyOrganization, by="code", keys=[p.code for p in wave], fields=["parent"]
        )
        for code, (pk, parent) in stored.items():
            self.pk_by_code[code] = pk
            self.parent_of[pk] = parent
        covered_changes = self._sync_coverage(wave, status)
        for p in wave:
            if p.code in covered_changes and status[p.code] == "=":
                outcome.unchanged -= 1
                outcome.updated += 1
                outcome.changes.append(Change(p.row.number, p.code, ["覆盖社会组织"]))
            elif p.code in covered_changes and status[p.code] == "~":
                for change in outcome.changes:
                    if change.key == p.code:
                        change.fields.append("覆盖社会组织")
        return outcome

    def _sync_coverage(self, wave: list[Pending], status: dict[Any, str]) -> set[str]:
        """Make each Party organization cover exactly the listed organizations: new ones
        start on the founding date (or today, for a Party organization already known);
        ones no longer listed end today."""
        pks = {p.code: self.pk_by_code[p.code] for p in wave}
        current: dict[int, dict[int, int]] = {}
        for cov_pk, party_org, org in Coverage.objects.filter(
            party_org_id__in=list(pks.values()), ended_on__isnull=True
        ).values_list("pk", "party_org_id", "org_id"):
            current.setdefault(party_org, {})[org] = cov_pk
        changed: set[str] = set()
        new: list[Coverage] = []
        ended: list[int] = []
        for p in wave:
            party_org = pks[p.code]
            have = current.get(party_org, {})
            want = set(p.covers)
            start = p.values[5] if status[p.code] == "+" else self.ctx.today
            for org in sorted(want - set(have)):
                new.append(Coverage(party_org_id=party_org, org_id=org, started_on=start))
            for org in sorted(set(have) - want):
                ended.append(have[org])
            if want != set(have):
                changed.add(p.code)
        if new:
            Coverage.objects.bulk_create(new)
            ids = list(
                Coverage.objects.filter(
                    party_org_id__in=[c.party_org_id for c in new],
                    ended_on__isnull=True,
                    org_id__in=[c.org_id for c in new],
                ).values_list("pk", flat=True)
            )
            bulk.record_history(
                Coverage,
                by="id",
                keys=ids,
                history_type="+",
                reason=self.ctx.reason,
                user_id=self.ctx.user_id,
                when=self.ctx.now,
            )
        if ended:
            Coverage.objects.filter(pk__in=ended).update(ended_on=self.ctx.today)
            bulk.record_history(
                Coverage,
                by="id",
                keys=ended,
                history_type="~",
                reason=self.ctx.reason,
                user_id=self.ctx.user_id,
                when=self.ctx.now,
            )
        return changed

    def finish(self) -> tuple[Outcome, list[tuple[Row, list[RowError]]]]:
        outcome = Outcome()
        held = self.held
        while True:
            ready = [p for p in held if p.parent_code in self.pk_by_code]
            if not ready:
                break
            held = [p for p in held if p not in ready]
            outcome.add(self.write(ready))
        failures = []
        column = self.column("parent_code")
        codes_held = {p.code for p in held}
        for p in held:
            if p.parent_code in self.rejected_codes:
                message = (
                    f"上级党组织所在的第{self.rejected_codes[p.parent_code]}行有错误，未能导入"
                )
            elif p.parent_code in codes_held:
                message = "上级党组织也在等待其上级，上下级关系成环或上级不存在"
            else:
                message = "党组织编码不存在：请先导入上级党组织，或在同一文件中列出"
            failures.append((p.row, [p.row.error(column, message)]))
        return outcome, self.late_failures + failures


def _chunks(items: list[str], size: int = 900) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
