"""In-memory indexes of the reference data an import row names: areas and units.

Loaded once per import (a city has ~2,000 areas; the whole country without communities
~45,000), so that resolving a name or code is a dict lookup, not a query per row.
"""

from __future__ import annotations

from dataclasses import dataclass

from dangjian.areas.models import Area, AreaLevel, Unit, UnitKind
from dangjian.imports.base import Context
from dangjian.imports.errors import CellError
from dangjian.lib import bulk


@dataclass(frozen=True)
class Place:
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    path: str

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


LEVEL_LABEL = dict(AreaLevel.choices)


class Places:
    def __init__(self, *, with_communities: bool = True) -> None:
        qs = Area.objects.all()
        if not with_communities:
            qs = qs.exclude(level=AreaLevel.COMMUNITY)
        self.by_id: dict[int, Place] = {}
        self.by_code: dict[str, Place] = {}
        self.by_name: dict[tuple[str, str], list[Place]] = {}
        for row in qs.values_list("id", "code", "name", "level", "parent_id", "path"):
            place = Place(*row)
            self.by_id[place.id] = place
            self.by_code[place.code] = place
            self.by_name.setdefault((place.level, place.name), []).append(place)

    def resolve(self, value: str, level: str, *, inside: Place | None = None) -> Place:
        """An area of `level` by code or by name, inside `inside` when given."""
        label = LEVEL_LABEL[level]
        if value.isdigit():
            place = self.by_code.get(value)
            if place is None:
                raise CellError(f"区划代码不存在（应为{label}的代码）")
            if place.level != level:
                raise CellError(
                    f"区划代码是{LEVEL_LABEL[place.level]}「{place.name}」，不是{label}"
                )
            if inside is not None and place.parent_id != inside.id:
                raise CellError(f"「{place.name}」不在{inside}内")
            return place
        candidates = self.by_name.get((level, value), [])
        if inside is not None:
            candidates = [p for p in candidates if p.parent_id == inside.id]
        if not candidates:
            where = f"{inside}内" if inside is not None else ""
            raise CellError(f"{where}没有名为「{value}」的{label}，请核对名称或填写区划代码")
        if len(candidates) > 1:
            codes = "、".join(f"{p.code}（{self.parent_name(p)}）" for p in candidates[:5])
            raise CellError(f"名称对应多个{label}：{codes}，请填写区划代码")
        return candidates[0]

    def parent_name(self, place: Place) -> str:
        parent = self.by_id.get(place.parent_id) if place.parent_id else None
        return parent.name if parent else ""

    def is_within(self, place: Place, area: Area | None) -> bool:
        return area is None or place.path.startswith(area.path)


# The areas as `Places` read them, per process, for as long as the area table is the same:
# a one-row import (a form, an event of the registry's feed) then costs no read of every
# area (tens of thousands of communities at the province scale). Areas change only through
# `dangjian init` / the divisions' loading, with their history: the fingerprint (how many,
# the largest key, the latest history row and its time) changes with any of it.
_PLACES: dict[bool, tuple[tuple[object, ...], Places]] = {}


def _area_fingerprint() -> tuple[object, ...]:
    from django.db import connection
    from django.db.models import Count, Max

    stats = Area.objects.aggregate(n=Count("pk"), top=Max("pk"))
    last = Area.history.aggregate(h=Max("history_id"), at=Max("history_date"))
    return (connection.settings_dict["NAME"], stats["n"], stats["top"], last["h"], last["at"])


def shared_places(*, with_communities: bool = True) -> Places:
    """A `Places` shared by the imports of this process (read-only), read again when the
    area table changed."""
    key = _area_fingerprint()
    hit = _PLACES.get(with_communities)
    if hit is not None and hit[0] == key:
        return hit[1]
    places = Places(with_communities=with_communities)
    _PLACES[with_communities] = (key, places)
    return places


@dataclass(frozen=True)
class UnitRef:
    id: int
    name: str
    kind: str
    area_id: int


class Units:
    """Units by name; registries and supervisory units a file names are created on first
    sight when the name makes them unambiguous (their history says which import did it)."""

    def __init__(self, places: Places, ctx: Context) -> None:
        self.places = places
        self.ctx = ctx
        self.by_name = {
            row[1]: UnitRef(*row)
            for row in Unit.objects.values_list("id", "name", "kind", "area_id")
        }
        self.created: list[str] = []

    def _create(self, name: str, kind: str, area_id: int) -> UnitRef:
        bulk.insert(Unit, ["name", "kind", "area"], [(name, kind, area_id)])
        bulk.record_history(
            Unit,
            by="name",
            keys=[name],
            history_type="+",
            reason=self.ctx.reason,
            user_id=self.ctx.user_id,
            when=self.ctx.now,
        )
        ref = UnitRef(Unit.objects.get(name=name).pk, name, kind, area_id)
        self.by_name[name] = ref
        self.created.append(name)
        return ref

    def registry(self, name: str) -> UnitRef:
        ref = self.by_name.get(name)
        if ref is not None:
            if ref.kind != UnitKind.CIVIL_AFFAIRS:
                raise CellError("该单位不是民政部门（登记管理机关）")
            return ref
        for suffix in ("民政局", "民政厅"):
            if name.endswith(suffix):
                prefix = name[: -len(suffix)]
                matches = [
                    p
                    for level in (AreaLevel.PROVINCE, AreaLevel.CITY, AreaLevel.DISTRICT)
                    for p in self.places.by_name.get((level, prefix), [])
                ]
                if len(matches) == 1:
                    return self._create(name, UnitKind.CIVIL_AFFAIRS, matches[0].id)
        raise CellError(
            "未登记的登记管理机关：请填写民政部门全称，如「长沙市民政局」「芙蓉区民政局」"
        )

    def supervisor(self, name: str, *, area_id: int) -> UnitRef:
        ref = self.by_name.get(name)
        if ref is not None:
            if ref.kind != UnitKind.SUPERVISORY:
                raise CellError("该单位不是业务主管单位")
            return ref
        return self._create(name, UnitKind.SUPERVISORY, area_id)
