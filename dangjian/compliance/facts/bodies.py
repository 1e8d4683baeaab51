"""二.3 The yearly topic study (MGT-STUDY): the districts of the jurisdiction, the
supervisory units that supervise an active organization on the date, and who held a
专题研究 in a year — three queries."""

from __future__ import annotations

import functools

from dangjian.areas.models import Area, AreaLevel
from dangjian.compliance.facts.cadres import RecommendationFacts
from dangjian.orgs.models import SocialOrganization


class StudyFacts(RecommendationFacts):
    @functools.cached_property
    def districts(self) -> dict[int, tuple[str, str]]:
        """The districts of the jurisdiction: {pk: (code, name)} (none for a township's)."""
        qs = Area.objects.filter(level=AreaLevel.DISTRICT)
        if self.area is not None:
            qs = qs.filter(path__startswith=self.area.path)
        return {pk: (code, name) for pk, code, name in qs.values_list("pk", "code", "name")}

    @functools.cached_property
    def supervising_units(self) -> dict[int, tuple[str, str]]:
        """The supervisory units of the jurisdiction that supervise an active organization
        on the date: {pk: (name, area code)}."""
        units = self.supervisory_units
        if not units:
            return {}
        busy = set(
            SocialOrganization.objects.filter(
                SocialOrganization.active_on_q(self.as_of), supervisor_id__in=list(units)
            )
            .order_by()
            .values_list("supervisor_id", flat=True)
            .distinct()
        )
        return {pk: units[pk] for pk in sorted(busy)}

    def studied_in(self, year: int) -> tuple[set[int], set[int]]:
        """(districts, units) that held a 专题研究 in `year`: one query."""
        from dangjian.bodies.models import TopicStudy

        areas: set[int] = set()
        units: set[int] = set()
        for area, unit in (
            TopicStudy.objects.filter(held_on__year=year)
            .order_by()
            .values_list("area_id", "unit_id")
        ):
            if area is not None:
                areas.add(area)
            if unit is not None:
                units.add(unit)
        return areas, units
