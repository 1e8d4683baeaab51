"""The areas a report covers: the area asked for (or every city), its districts and its
townships, with the parent links to roll township counts up."""

from __future__ import annotations

from dataclasses import dataclass

from dangjian.areas.models import Area, AreaLevel


@dataclass(frozen=True)
class Node:
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None


class AreaTree:
    def __init__(self, area: Area | None) -> None:
        levels = [AreaLevel.CITY, AreaLevel.DISTRICT, AreaLevel.TOWNSHIP]
        qs = Area.objects.filter(level__in=levels)
        if area is not None:
            qs = qs.filter(path__startswith=area.path)
        self.nodes = {
            row[0]: Node(*row) for row in qs.values_list("id", "code", "name", "level", "parent_id")
        }
        self.top = area
        self.by_level: dict[str, list[Node]] = {
            level: sorted(
                (n for n in self.nodes.values() if n.level == level), key=lambda n: n.code
            )
            for level in levels
        }

    def ancestors(self, township_id: int) -> list[int]:
        """The township and the district and city above it (those in this tree)."""
        out = []
        node = self.nodes.get(township_id)
        while node is not None:
            out.append(node.id)
            node = self.nodes.get(node.parent_id) if node.parent_id else None
        return out

    def rows(self) -> list[Node]:
        """City first, then each district, then each township (CONTRACT.md)."""
        return [
            *self.by_level[AreaLevel.CITY],
            *self.by_level[AreaLevel.DISTRICT],
            *self.by_level[AreaLevel.TOWNSHIP],
        ]
