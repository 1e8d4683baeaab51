"""`studies`: 专题研究社会组织党建工作 (CONTRACT.md; key: 研究主体 + 研究日期).

研究主体 names a district — by its 区划代码 or its name, with or without 「中共」 and 「委」
(「芙蓉区」「芙蓉区委」「中共芙蓉区委」: its 区县(市)委) — or a supervisory unit by its full
name (its Party committee: 「长沙市教育局」, or with 「党委」/「党组」 after it). A name both
could mean is read as the district. The body must lie in the writer's area."""

from __future__ import annotations

from typing import Any

from dangjian.areas.models import AreaLevel, UnitKind
from dangjian.bodies.models import TopicStudy
from dangjian.imports.base import Context, Keyed, Kind, Outcome, Row, upsert
from dangjian.imports.errors import CellError, RowError
from dangjian.imports.fields import Column, date_column, text
from dangjian.imports.lookups import Places, Units

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
