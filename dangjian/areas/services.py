"""Writes on areas and units."""

from __future__ import annotations

from simple_history.utils import bulk_create_with_history

from dangjian.areas.models import Area, AreaLevel, Unit, UnitKind


def registry_name(area: Area) -> str:
    """The civil-affairs department of a city or district: 长沙市民政局, 芙蓉区民政局."""
    return f"{area.name}民政局"


def unit_ensure_registries(*, under: Area) -> int:
    """Create the civil-affairs department (登记管理机关) of `under` and of each district in
    it, where missing. Returns how many were created."""
    areas = Area.objects.within(under).filter(level__in=[AreaLevel.CITY, AreaLevel.DISTRICT])
    existing = set(Unit.objects.values_list("name", flat=True))
    missing = [
        Unit(name=registry_name(area), kind=UnitKind.CIVIL_AFFAIRS, area=area)
        for area in areas.order_by("code")
        if registry_name(area) not in existing
    ]
    bulk_create_with_history(missing, Unit, default_change_reason="初始化登记管理机关")
    return len(missing)
