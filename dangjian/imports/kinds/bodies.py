"""`studies`: 专题研究社会组织党建工作 (CONTRACT.md; key: 研究主体 + 研究日期).

研究主体 names a district — by its 区划代码 or its name, with or without 「中共」 and 「委」
(「芙蓉区」「芙蓉区委」「中共芙蓉区委」: its 区县(市)委) — or a supervisory unit by its full
name (its Party committee: 「长沙市教育局」, or with 「党委」/「党组」 after it). A name both
could mean is read as the district. The body must lie in the writer's area."""

from __future__ import annotations

from typing import Any

from dangjian.areas.models import AreaLevel, Unit, UnitKind
from dangjian.bodies.models import (
    ContactPoint,
    TopicStudy,
    TownshipCadre,
    WorkBody,
    WorkBodyKind,
    WorkBodyStaff,
)
from dangjian.imports.base import Context, Keyed, Kind, Outcome, Row, upsert
from dangjian.imports.errors import CellError, RowError
from dangjian.imports.fields import Column, choice_column, date_column, labels_of, text, uscc_code
from dangjian.imports.lookups import LEVEL_LABEL, Places, Units
from dangjian.imports.writers import OUTSIDE
from dangjian.lib import bulk
from dangjian.orgs.models import SocialOrganization

NEITHER = "不是区县(市)，也不是业务主管单位（区县填写名称或区划代码，业务主管单位填写单位全称）"


def _bare(name: str) -> list[str]:
    """The ways a body may be written, its plain name last: 中共芙蓉区委 → 芙蓉区委, 芙蓉区."""
    out = [name]
    if name.startswith("中共"):
        name = name[2:]
        out.append(name)
    for suffix in ("党委", "党组", "委"):
        if name.endswith(suffix) and len(name) > len(suffix):
            out.append(name[: -len(suffix)])
    return out


class StudiesKind(Kind):
    name = "studies"
    label = "专题研究"
    columns = (
        Column(
            "body",
            "研究主体",
            text(100),
            required=True,
            hint="区县(市)名称或区划代码，或业务主管单位全称",
        ),
        date_column("held_on", "研究日期", required=True),
        Column("topic", "主题", text(200), required=True),
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.places = Places(with_communities=False)
        self.units = Units(self.places, ctx)
        self.seen: dict[tuple[Any, ...], int] = {}

    def body(self, value: str) -> tuple[str, int, str]:
        """("area" or "unit", its pk, its shown name), or CellError."""
        if value.isdigit():
            place = self.places.resolve(value, AreaLevel.DISTRICT)
            return self._inside("area", place.id, place.name, place.path)
        for name in _bare(value):
            found = self.places.by_name.get((AreaLevel.DISTRICT, name), [])
            if self.ctx.area is not None and len(found) > 1:
                found = [p for p in found if p.path.startswith(self.ctx.area.path)]
            if len(found) > 1:
                codes = "、".join(f"{p.code}（{self.places.parent_name(p)}）" for p in found[:5])
                raise CellError(f"名称对应多个区县(市)：{codes}，请填写区划代码")
            if found:
                return self._inside("area", found[0].id, found[0].name, found[0].path)
        for name in _bare(value):
            ref = self.units.by_name.get(name)
            if ref is not None and ref.kind == UnitKind.SUPERVISORY:
                at = self.places.by_id.get(ref.area_id)
                return self._inside("unit", ref.id, ref.name, at.path if at else "")
        raise CellError(NEITHER)

    def _inside(self, kind: str, pk: int, name: str, path: str) -> tuple[str, int, str]:
        area = self.ctx.area
        if area is not None and not path.startswith(area.path):
            raise CellError(f"「{name}」不在您的管辖范围（{area.name}）内")
        return kind, pk, name

    def check(self, row: Row) -> tuple[Any, list[RowError]]:
        v = row.values
        errors: list[RowError] = []
        body = None
        if v["body"]:
            try:
                body = self.body(v["body"])
            except CellError as exc:
                errors.append(row.error(self.column("body"), str(exc)))
        if v["held_on"] and v["held_on"] > self.ctx.today:
            errors.append(row.error(self.column("held_on"), "晚于今天"))
        if errors:
            return None, errors
        assert body is not None
        area, unit = (body[1], None) if body[0] == "area" else (None, body[1])
        key = (area, unit, v["held_on"])
        if key in self.seen:
            return None, [row.error(self.column("held_on"), f"与第{self.seen[key]}行重复")]
        self.seen[key] = row.number
        return Keyed(row.number, key, (v["topic"],)), []

    def write(self, records: list[Any]) -> Outcome:
        outcome = Outcome()
        by_area = [r for r in records if r.key[0] is not None]
        by_unit = [r for r in records if r.key[0] is None]
        for part, field in ((by_area, "area"), (by_unit, "unit")):
            if not part:
                continue
            keyed = [
                Keyed(r.row, (r.key[0] if field == "area" else r.key[1], r.key[2]), r.values)
                for r in part
            ]
            done, _ = upsert(
                self.ctx, TopicStudy, key=[field, "held_on"], fields=["topic"], labels=["主题"],
                records=keyed, key_label=lambda key: f"{key[1]}",
            )  # fmt: skip
            outcome.add(done)
        return outcome


# --- work bodies, their staff, township cadres, contact points (docs/bodies.md) ---------------

FULL_TIME = {"专职": "full", "兼职": "part"}
NO_BODY = "工作机构不存在（请先导入工作机构）"
NO_ORG = "统一社会信用代码不存在（请先导入社会组织）"


def _area_text(ctx: Context) -> str:
    return ctx.area.name if ctx.area is not None else ""


def _dates(row: Row, kind: Kind, ctx: Context, fail: Any, since: Any = None,
           since_label: str = "") -> None:  # fmt: skip
    """The period's checks: a start not after today (nor before `since`), an end not before
    the start."""
    started, ended = row.values["started_on"], row.values["ended_on"]
    if started and started > ctx.today:
        fail("started_on", "晚于今天")
    elif started and since is not None and started < since:
        fail("started_on", f"早于{since_label} {since}")
    if started and ended and ended < started:
        fail("ended_on", f"早于开始日期 {started}")


class WorkBodiesKind(Kind):
    """`work-bodies`: a 社会组织党建工作机构 of a district or a park. Key: 机构名称 (the name of
    its unit, created on first sight as a unit of kind 社会组织党建工作机构 of the district)."""

    name = "work-bodies"
    label = "社会组织党建工作机构"
    columns = (
        Column("name", "机构名称", text(128), required=True, hint="机构全称"),
        Column("district", "所在区县(市)", text(64), required=True, hint="区县(市)名称或区划代码"),
        choice_column("kind", "机构类别", labels_of(WorkBodyKind), required=True),
        date_column("established_on", "成立日期"),
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.places = Places(with_communities=False)
        self.units = {
            row[0]: row[1:] for row in Unit.objects.values_list("name", "kind", "area__path")
        }
        self.seen: dict[str, int] = {}

    def check(self, row: Row) -> tuple[Any, list[RowError]]:
        v = row.values
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(row.error(self.column(key), message))

        area = self.ctx.area
        place = None
        if v["district"]:
            try:
                place = self._district(v["district"])
            except CellError as exc:
                fail("district", str(exc))
        if place is not None and not self.places.is_within(place, area):
            fail("district", f"「{place.name}」不在您的管辖范围（{_area_text(self.ctx)}）内")
        stored = self.units.get(v["name"]) if v["name"] else None
        if stored is not None:
            unit_kind, path = stored
            if area is not None and not path.startswith(area.path):
                fail("name", OUTSIDE)
            elif unit_kind != UnitKind.WORK_BODY:
                fail("name", f"该名称已登记为{UnitKind(unit_kind).label}，不是社会组织党建工作机构")
        if v["established_on"] and v["established_on"] > self.ctx.today:
            fail("established_on", "晚于今天")
        if errors:
            return None, errors
        assert place is not None
        if v["name"] in self.seen:
            return None, [row.error(self.column("name"), f"与第{self.seen[v['name']]}行重复")]
        self.seen[v["name"]] = row.number
        return Keyed(row.number, v["name"], (place.id, v["kind"], v["established_on"])), []

    def _district(self, value: str) -> Any:
        if value.isdigit():
            return self.places.resolve(value, AreaLevel.DISTRICT)
        found = self.places.by_name.get((AreaLevel.DISTRICT, value), [])
        if self.ctx.area is not None and len(found) > 1:
            found = [p for p in found if p.path.startswith(self.ctx.area.path)] or found
        if not found:
            for level in (AreaLevel.TOWNSHIP, AreaLevel.CITY, AreaLevel.PROVINCE):
                if self.places.by_name.get((level, value)):
                    raise CellError(f"「{value}」是{LEVEL_LABEL[level]}，不是区县(市)")
        return self.places.resolve(value, AreaLevel.DISTRICT) if len(found) != 1 else found[0]

    def write(self, records: list[Any]) -> Outcome:
        units = [Keyed(r.row, r.key, (UnitKind.WORK_BODY.value, r.values[0])) for r in records]
        upsert(self.ctx, Unit, key="name", fields=["kind", "area"],
               labels=["单位类别", "所在区划"], records=units)  # fmt: skip
        ids = bulk.fetch(Unit, by="name", keys=[r.key for r in records], fields=[])
        bodies = [Keyed(r.row, ids[r.key][0], r.values[1:]) for r in records]
        names = {ids[r.key][0]: r.key for r in records}
        outcome, _ = upsert(
            self.ctx, WorkBody, key="unit", fields=["kind", "established_on"],
            labels=["机构类别", "成立日期"], records=bodies, key_label=names.get,
        )  # fmt: skip
        return outcome


class _Bodies:
    """The work bodies rows name: {name: (pk, established_on, district path)}."""

    def __init__(self, names: set[str]) -> None:
        self.rows = {
            name: (pk, established, path)
            for name, pk, established, path in WorkBody.objects.filter(
                unit__name__in=sorted(names)
            ).values_list("unit__name", "pk", "established_on", "unit__area__path")
        }


class WorkBodyStaffKind(Kind):
    """`work-body-staff`: the staff of a work body (officials by name and post). Key: 工作机构
    + 姓名 + 开始日期."""

    name = "work-body-staff"
    label = "工作机构工作人员"
    columns = (
        Column("body", "工作机构", text(128), required=True, hint="工作机构全称"),
        Column("name", "姓名", text(50), required=True),
        Column("post", "职务", text(50), required=True),
        choice_column("full_time", "专兼职", FULL_TIME, required=True),
        date_column("started_on", "开始日期", required=True),
        date_column("ended_on", "结束日期"),
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.seen: dict[tuple[Any, ...], int] = {}

    def check_many(self, rows: list[Row]) -> list[tuple[Any, list[RowError]]]:
        bodies = _Bodies({r.values["body"] for r in rows if r.values["body"]})
        return [self._check(row, bodies) for row in rows]

    def _check(self, row: Row, bodies: _Bodies) -> tuple[Any, list[RowError]]:
        v = row.values
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(row.error(self.column(key), message))

        body = bodies.rows.get(v["body"]) if v["body"] else None
        area = self.ctx.area
        if v["body"] and (body is None or (area is not None and not body[2].startswith(area.path))):
            fail("body", NO_BODY)  # outside the jurisdiction: as one that does not exist
            body = None
        _dates(row, self, self.ctx, fail, body[1] if body else None, "工作机构成立日期")
        if errors:
            return None, errors
        assert body is not None
        key = (body[0], v["name"], v["started_on"])
        if key in self.seen:
            return None, [row.error(self.column("started_on"), f"与第{self.seen[key]}行重复")]
        self.seen[key] = row.number
        return Keyed(row.number, key, (v["post"], v["full_time"] == "full", v["ended_on"])), []

    def write(self, records: list[Any]) -> Outcome:
        outcome, _ = upsert(
            self.ctx, WorkBodyStaff, key=["body", "name", "started_on"],
            fields=["post", "full_time", "ended_on"], labels=["职务", "专兼职", "结束日期"],
            records=records, key_label=lambda key: f"{key[1]}（{key[2]}）",
        )  # fmt: skip
        return outcome


class TownshipCadresKind(Kind):
    """`township-cadres`: a 乡镇(街道) 专(兼)职干部 in charge of social organizations' Party
    building. Key: 乡镇(街道) + 姓名 + 开始日期."""

    name = "township-cadres"
    label = "乡镇(街道)党建干部"
    columns = (
        Column("district", "所在区县(市)", text(64), required=True, hint="区县(市)名称或区划代码"),
        Column("township", "乡镇(街道)", text(64), required=True, hint="名称或区划代码"),
        Column("name", "姓名", text(50), required=True),
        Column("post", "职务", text(50), required=True),
        choice_column("full_time", "专兼职", FULL_TIME, required=True),
        date_column("started_on", "开始日期", required=True),
        date_column("ended_on", "结束日期"),
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.places = Places(with_communities=True)
        self.seen: dict[tuple[Any, ...], int] = {}

    def check(self, row: Row) -> tuple[Any, list[RowError]]:
        v = row.values
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(row.error(self.column(key), message))

        district = township = None
        if v["district"]:
            try:
                district = self.places.resolve(v["district"], AreaLevel.DISTRICT)
            except CellError as exc:
                fail("district", str(exc))
        if v["township"] and district is not None:
            try:
                township = self.places.resolve(v["township"], AreaLevel.TOWNSHIP, inside=district)
            except CellError as exc:
                fail("township", str(exc))
        if township is not None and not self.places.is_within(township, self.ctx.area):
            fail("township", f"「{township.name}」不在您的管辖范围（{_area_text(self.ctx)}）内")
        _dates(row, self, self.ctx, fail)
        if errors:
            return None, errors
        assert township is not None
        key = (township.id, v["name"], v["started_on"])
        if key in self.seen:
            return None, [row.error(self.column("started_on"), f"与第{self.seen[key]}行重复")]
        self.seen[key] = row.number
        return Keyed(row.number, key, (v["post"], v["full_time"] == "full", v["ended_on"])), []

    def write(self, records: list[Any]) -> Outcome:
        outcome, _ = upsert(
            self.ctx, TownshipCadre, key=["township", "name", "started_on"],
            fields=["post", "full_time", "ended_on"], labels=["职务", "专兼职", "结束日期"],
            records=records, key_label=lambda key: f"{key[1]}（{key[2]}）",
        )  # fmt: skip
        return outcome


class ContactPointsKind(Kind):
    """`contact-points`: a 联系点 — a leader of a member unit follows a social organization.
    Key: 成员单位 + 领导姓名 + 统一社会信用代码 + 开始日期. The organization must be in the
    writer's jurisdiction (one outside answers as not existing); the unit is any registered
    unit (a member unit of the city may follow an organization of a district)."""

    name = "contact-points"
    label = "联系点"
    columns = (
        Column("unit", "成员单位", text(128), required=True, hint="已登记的单位全称"),
        Column("leader_name", "领导姓名", text(50), required=True),
        Column("leader_post", "领导职务", text(50), required=True),
        Column("uscc", "联系的社会组织统一社会信用代码", uscc_code, required=True),
        date_column("started_on", "开始日期", required=True),
        date_column("ended_on", "结束日期"),
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.seen: dict[tuple[Any, ...], int] = {}

    def check_many(self, rows: list[Row]) -> list[tuple[Any, list[RowError]]]:
        names = sorted({r.values["unit"] for r in rows if r.values["unit"]})
        units = dict(Unit.objects.filter(name__in=names).values_list("name", "pk"))
        usccs = sorted({r.values["uscc"] for r in rows if r.values["uscc"]})
        orgs: dict[str, int] = {}
        qs = SocialOrganization.objects.all()
        gate = self.ctx.gate
        if gate is not None and not gate.everything:
            qs = gate.orgs()
        for start in range(0, len(usccs), 900):
            orgs.update(qs.filter(uscc__in=usccs[start : start + 900]).values_list("uscc", "pk"))
        return [self._check(row, units, orgs) for row in rows]

    def _check(self, row: Row, units: dict[str, int],
               orgs: dict[str, int]) -> tuple[Any, list[RowError]]:  # fmt: skip
        v = row.values
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(row.error(self.column(key), message))

        unit = units.get(v["unit"]) if v["unit"] else None
        if v["unit"] and unit is None:
            fail("unit", "单位不存在（请填写已登记的成员单位全称）")
        org = orgs.get(v["uscc"]) if v["uscc"] else None
        if v["uscc"] and org is None:
            fail("uscc", NO_ORG)  # outside the jurisdiction: as one that does not exist
        _dates(row, self, self.ctx, fail)
        if errors:
            return None, errors
        key = (unit, v["leader_name"], org, v["started_on"])
        if key in self.seen:
            return None, [row.error(self.column("started_on"), f"与第{self.seen[key]}行重复")]
        self.seen[key] = row.number
        return Keyed(row.number, key, (v["leader_post"], v["ended_on"])), []

    def write(self, records: list[Any]) -> Outcome:
        outcome, _ = upsert(
            self.ctx, ContactPoint, key=["unit", "leader_name", "org", "started_on"],
            fields=["leader_post", "ended_on"], labels=["领导职务", "结束日期"],
            records=records, fetch_by="org", key_label=lambda key: f"{key[1]}（{key[3]}）",
        )  # fmt: skip
        return outcome
