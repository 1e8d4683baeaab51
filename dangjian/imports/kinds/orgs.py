"""`orgs`: social organizations (CONTRACT.md)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from dangjian.accounts.models import Role
from dangjian.areas.models import AreaLevel
from dangjian.imports.base import Context, Keyed, Kind, Outcome, Row, upsert
from dangjian.imports.errors import CellError, RowError
from dangjian.imports.fields import (
    Column,
    choice_column,
    date_column,
    integer,
    labels_of,
    text,
    uscc_code,
)
from dangjian.imports.lookups import Units, shared_places
from dangjian.imports.writers import OUTSIDE, outside
from dangjian.lib.codes import social_org_uscc_problem
from dangjian.orgs.models import (
    Industry,
    OrgKind,
    OrgStatus,
    PartyManagement,
    RegistrationMode,
    SocialOrganization,
)

FIELDS = [
    "name",
    "kind",
    "registry",
    "registration_mode",
    "supervisor",
    "industry",
    "district",
    "township",
    "community",
    "registered_on",
    "status",
    "status_changed_on",
    "staff_count",
    "party_management",
]


class Prepared(NamedTuple):
    """`OrgsKind.prepare`: the row's own checks, as (column key, message) in the order
    `check` reports them, and the areas' ids."""

    uscc_problem: str  # "" when the USCC is a valid social organization's
    places: tuple[tuple[str, str], ...]  # district, township, community
    district: int | None
    township: int | None
    community: int | None
    later: tuple[tuple[str, str], ...]  # status, dates, Party management

    def __reduce__(self) -> tuple[Any, ...]:
        # Unpickled by tuple.__new__, not by the generated __new__ (a call into Python code):
        # one crosses from the worker process for every row.
        return (tuple.__new__, (type(self), tuple(self)))


class OrgsKind(Kind):
    name = "orgs"
    label = "社会组织"
    columns = (
        Column("uscc", "统一社会信用代码", uscc_code, required=True),
        Column("name", "社会组织名称", text(200), required=True),
        choice_column(
            "kind",
            "社会组织类型",
            labels_of(OrgKind),
            required=True,
            aliases={"民办非企业单位": OrgKind.SERVICE_AGENCY},
        ),
        Column("registry", "登记管理机关", text(128), required=True),
        choice_column("registration_mode", "登记方式", labels_of(RegistrationMode), required=True),
        Column("supervisor", "业务主管单位", text(128)),
        choice_column("industry", "行业类别", labels_of(Industry), required=True),
        Column("district", "所在区县", text(64), required=True),
        Column("township", "所在乡镇(街道)", text(64), required=True),
        Column("community", "所在村(社区)", text(64)),
        date_column("registered_on", "成立登记日期", required=True),
        choice_column("status", "登记状态", labels_of(OrgStatus), required=True),
        date_column("status_changed_on", "状态变更日期"),
        Column("staff_count", "从业人员数", integer(minimum=0), hint="整数"),
        choice_column("party_management", "党建管理方式", labels_of(PartyManagement)),
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.places = shared_places()
        self.units = Units(self.places, ctx)
        self.seen: dict[str, int] = {}
        self._warnings: list[RowError] = []
        self.labels = [self.column(f).label for f in FIELDS]

    def prepare(self, values: dict[str, Any]) -> Prepared:
        """Everything `check` finds from the row alone (the database is not asked: the areas
        are in memory), run where the row is parsed; the units, which an import may create,
        and the duplicates, which need the rows before, are left to `check`."""
        v = values
        uscc = v["uscc"]
        problem = (social_org_uscc_problem(uscc, v["kind"]) or "") if uscc else ""
        places: list[tuple[str, str]] = []
        district = township = community = None
        try:
            district = self.places.resolve(v["district"], AreaLevel.DISTRICT)
        except CellError as exc:
            places.append(("district", str(exc)))
        if district is not None:
            try:
                township = self.places.resolve(v["township"], AreaLevel.TOWNSHIP, inside=district)
            except CellError as exc:
                places.append(("township", str(exc)))
        if township is not None:
            if not self.places.is_within(township, self.ctx.area):
                places.append(("township", f"不在您的管辖范围（{self.ctx.area}）内"))
            if v["community"]:
                try:
                    community = self.places.resolve(
                        v["community"], AreaLevel.COMMUNITY, inside=township
                    )
                except CellError as exc:
                    places.append(("community", str(exc)))

        later: list[tuple[str, str]] = []
        status, changed_on, registered_on = v["status"], v["status_changed_on"], v["registered_on"]
        if status == OrgStatus.ACTIVE and changed_on is not None:
            later.append(("status_changed_on", "登记状态为「正常」时不填写状态变更日期"))
        elif status and status != OrgStatus.ACTIVE and changed_on is None:
            later.append(("status_changed_on", "登记状态不是「正常」时必填"))
        if changed_on and registered_on and changed_on < registered_on:
            later.append(("status_changed_on", f"早于成立登记日期 {registered_on}"))
        if registered_on and registered_on > self.ctx.today:
            later.append(("registered_on", "晚于今天"))
        management = v["party_management"] or ""
        if management == PartyManagement.COMMUNITY and not v["community"]:
            later.append(("party_management", "「属地村(社区)」须同时填写所在村(社区)"))
        return Prepared(
            problem,
            tuple(places),
            district.id if district is not None else None,
            township.id if township is not None else None,
            community.id if community is not None else None,
            tuple(later),
        )

    def check_many(self, rows: list[Row]) -> list[tuple[Any, list[RowError]]]:
        """`check`, then the writer's bounds over the batch: a USCC of a stored organization
        outside the writer's jurisdiction is refused (writers.py); the registry writes only
        organizations it registers directly, and not their Party-building management."""
        results = [self.check(row) for row in rows]
        gate = self.ctx.gate
        if gate is None or gate.everything:
            return results
        keys = [
            row.values["uscc"] for row, (record, _) in zip(rows, results, strict=True) if record
        ]
        hidden = outside(gate, gate.orgs(), SocialOrganization, "uscc", keys)
        registry = self.ctx.role == Role.REGISTRY
        management = (
            dict(
                SocialOrganization.objects.filter(uscc__in=keys).values_list(
                    "uscc", "party_management"
                )
            )
            if registry and keys
            else {}
        )
        out = []
        for row, (record, errors) in zip(rows, results, strict=True):
            if record is not None:
                errors = self._bounds(row, record, hidden, registry, management)
                record = None if errors else record
            out.append((record, errors))
        return out

    def _bounds(
        self, row: Row, record: Keyed, hidden: set[str], registry: bool, management: dict[str, str]
    ) -> list[RowError]:
        col, v = self.column, row.values
        if record.key in hidden:
            return [row.error(col("uscc"), OUTSIDE)]
        if not registry:
            return []
        errors = []
        user = self.ctx.gate.user
        if record.values[2] != user.unit_id:
            errors.append(row.error(col("registry"), f"只能填写本机关（{user.unit}）"))
        if v["registration_mode"] != RegistrationMode.DIRECT:
            errors.append(
                row.error(
                    col("registration_mode"),
                    "登记管理机关只能登记、修改本机关直接登记的社会组织",
                )
            )
        if (v["party_management"] or "") != management.get(record.key, ""):
            errors.append(
                row.error(
                    col("party_management"),
                    "党建管理方式由党建工作部门确定，登记管理机关不能修改",
                )
            )
        return errors

    def check(self, row: Row) -> tuple[Any, list[RowError]]:
        v = row.values
        errors: list[RowError] = []
        col = self.column

        def fail(key: str, message: str) -> None:
            errors.append(row.error(col(key), message))

        prepared: Prepared = row.prepared if row.prepared is not None else self.prepare(v)
        uscc = v["uscc"]
        if uscc:
            if prepared.uscc_problem:
                fail("uscc", prepared.uscc_problem)
            elif uscc in self.seen:
                fail("uscc", f"与第{self.seen[uscc]}行重复：同一社会组织只能出现一次")
            else:
                self.seen[uscc] = row.number
        for key, message in prepared.places:
            fail(key, message)

        registry = supervisor = None
        try:
            registry = self.units.registry(v["registry"])
        except CellError as exc:
            fail("registry", str(exc))
        mode = v["registration_mode"]
        if mode == RegistrationMode.SUPERVISED and not v["supervisor"]:
            fail("supervisor", "登记方式为「业务主管单位」时必填")
        elif mode == RegistrationMode.DIRECT and v["supervisor"]:
            fail(
                "supervisor",
                "直接登记的社会组织没有业务主管单位：请清空，或将登记方式改为「业务主管单位」",
            )
        elif v["supervisor"] and registry is not None:
            try:
                supervisor = self.units.supervisor(v["supervisor"], area_id=registry.area_id)
            except CellError as exc:
                fail("supervisor", str(exc))

        for key, message in prepared.later:
            fail(key, message)

        if errors:
            return None, errors
        district, township, community = prepared.district, prepared.township, prepared.community
        assert registry is not None and district is not None and township is not None
        if registry and uscc[2:8] != self.places.by_id[registry.area_id].code[:6]:
            self._warnings.append(
                row.error(
                    col("uscc"),
                    f"第3-8位登记机关代码 {uscc[2:8]} 与登记管理机关「{registry.name}」"
                    f"（{self.places.by_id[registry.area_id].code}）不一致（仅提示，已导入）",
                )
            )
        values = (
            v["name"],
            v["kind"],
            registry.id,
            mode,
            supervisor.id if supervisor else None,
            v["industry"],
            district,
            township,
            community,
            v["registered_on"],
            v["status"],
            v["status_changed_on"],
            v["staff_count"],
            v["party_management"] or "",
        )
        return Keyed(row.number, uscc, values), []

    def write(self, records: list[Any]) -> Outcome:
        outcome, _status = upsert(
            self.ctx,
            SocialOrganization,
            key="uscc",
            fields=FIELDS,
            labels=self.labels,
            records=records,
        )
        return outcome

    def notes(self) -> list[str]:
        if not self.units.created:
            return []
        return [f"新登记单位 {len(self.units.created)} 个：{'、'.join(self.units.created[:20])}"]

    def warnings(self) -> Iterator[RowError]:
        return iter(self._warnings)
