"""`venues` — 党组织活动场所 (CONTRACT.md, "Party work: the further import kinds";
docs/dynamics.md), key: the Party organization + 核查日期; and `service-centres` — 党群服务中心
(the project's own), key: 中心名称.

A venue's six flags (有场所 … 有制度) are 是 / 否 exactly; 核查日期 is not after today nor
before the Party organization's founding. 场所名称 is the Party organization's own room, or
a 党群服务中心: a name that is a centre's links the check to it (the centre lists the Party
organizations that use it).

Bounds of the writer (imports/writers.py): the area officers in their area and the secretary
of the Party organization (or one above it); a Party organization outside the jurisdiction
answers as one that does not exist. A centre is written by the area officers of its
township's area."""

from __future__ import annotations

from typing import Any

from dangjian.areas.models import AreaLevel
from dangjian.imports.base import Context, Keyed, Kind, Outcome, Row, upsert
from dangjian.imports.errors import CellError, RowError
from dangjian.imports.fields import Column, date_column, integer, text, yes_no_column
from dangjian.imports.kinds.life import _PartyOrgs
from dangjian.imports.lookups import Places
from dangjian.venues.models import SIX, SIX_FIELDS, ServiceCentre, Venue

UNKNOWN_PARTY_ORG = "党组织编码不存在（请先导入党组织）"


class VenuesKind(Kind):
    name = "venues"
    label = "活动场所"
    columns = (
        Column("party_org", "党组织编码", text(32), required=True),
        Column(
            "name",
            "场所名称",
            text(100),
            required=True,
            hint="本单位活动室，或所使用的党群服务中心名称",
        ),
        *(yes_no_column(key, label) for key, label in SIX),
        date_column("checked_on", "核查日期", required=True),
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.seen: dict[Any, int] = {}
        self.centres: dict[str, int] = {}

    def check_many(self, rows: list[Row]) -> list[tuple[Any, list[RowError]]]:
        codes = {r.values["party_org"] for r in rows if r.values["party_org"]}
        party_orgs = _PartyOrgs(self.ctx, codes)
        names = sorted({r.values["name"] for r in rows if r.values["name"]})
        self.centres = dict(ServiceCentre.objects.filter(name__in=names).values_list("name", "pk"))
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
        day = v["checked_on"]
        if day is not None and day > self.ctx.today:
            fail("checked_on", "晚于今天")
        elif day is not None and party_org is not None and party_org[2] and day < party_org[2]:
            fail("checked_on", f"早于该党组织的成立日期（{party_org[2]}）")
        if errors:
            return None, errors
        assert party_org is not None
        key = (party_org[0], day)
        if key in self.seen:
            return None, [row.error(self.column("checked_on"), f"与第{self.seen[key]}行重复")]
        self.seen[key] = row.number
        values = (v["name"], self.centres.get(v["name"]), *(v[f] for f in SIX_FIELDS))
        return Keyed(row.number, key, values), []

    def write(self, records: list[Any]) -> Outcome:
        outcome, _ = upsert(
            self.ctx,
            Venue,
            key=("party_org", "checked_on"),
            fields=["name", "centre", *SIX_FIELDS],
            labels=["场所名称", "党群服务中心", *(label for _, label in SIX)],
            records=records,
            key_label=lambda key: f"{key[1]} 核查",
            fetch_by="party_org",
        )
        return outcome


class ServiceCentresKind(Kind):
    name = "service-centres"
    label = "党群服务中心"
    columns = (
        Column("name", "中心名称", text(100), required=True),
        Column(
            "township", "所在乡镇(街道)", text(100), required=True, hint="乡镇(街道)名称或区划代码"
        ),
        Column("address", "地址", text(200), required=True),
        Column("floor_area", "面积", integer(maximum=1_000_000), hint="平方米"),
        Column("capacity", "容纳人数", integer(maximum=100_000)),
        Column("opening_hours", "开放时间", text(100), hint="如：周一至周五 9:00—17:30"),
        Column("managing_unit", "管理单位", text(100)),
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.seen: dict[str, int] = {}
        self.places = Places(with_communities=False)

    def check(self, row: Row) -> tuple[Any, list[RowError]]:
        v = row.values
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(row.error(self.column(key), message))

        township = None
        if v["township"]:
            try:
                township = self.places.resolve(v["township"], AreaLevel.TOWNSHIP)
            except CellError as error:
                fail("township", str(error))
            else:
                if not self.places.is_within(township, self.ctx.area):
                    fail("township", f"不在您的管辖范围（{self.ctx.area}）内")
                    township = None
        if errors:
            return None, errors
        assert township is not None
        if v["name"] in self.seen:
            return None, [row.error(self.column("name"), f"与第{self.seen[v['name']]}行重复")]
        self.seen[v["name"]] = row.number
        values = (
            township.id, v["address"], v["floor_area"], v["capacity"],
            v["opening_hours"] or "", v["managing_unit"] or "",
        )  # fmt: skip
        return Keyed(row.number, v["name"], values), []

    def write(self, records: list[Any]) -> Outcome:
        outcome, _ = upsert(
            self.ctx,
            ServiceCentre,
            key=("name",),
            fields=[
                "township",
                "address",
                "floor_area",
                "capacity",
                "opening_hours",
                "managing_unit",
            ],
            labels=["所在乡镇(街道)", "地址", "面积", "容纳人数", "开放时间", "管理单位"],
            records=records,
            key_label=str,
        )
        return outcome
