"""三.3 Dynamic management and 六.2 venues (DYN-INSPECTION, DYN-WEAK-OVERDUE, VEN-SIX): the
organizations whose latest annual inspection lacks its Party-building section, the
rectifications past their deadline, and the latest venue check of every Party organization
the rules check — one query each over the whole jurisdiction, never one per organization.

- `inspections_without_party`: of the organizations active on the date, the latest
  inspection (by 年检年度) among those inspected on or before it, where 党建情况已填报 is 否.
- `weak_overdue`: the rectifications identified on or before the date, not resolved on or
  before it, whose deadline is before it, of Party organizations (any form) active on it.
- `venue_checks`: every Party organization the rules check (active on the date, 单独组建,
  联合组建 or 功能型) with its latest venue check on or before the date (None: none)."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from django.db.models import OuterRef, Q, Subquery

from dangjian.compliance.facts.dues import DuesFacts
from dangjian.inspections.models import AnnualInspection
from dangjian.orgs.models import SocialOrganization
from dangjian.partyorgs.models import COVERING_FORMS, PartyOrganization
from dangjian.rectifications.models import Rectification
from dangjian.venues.models import SIX_FIELDS, Venue


@dataclass(slots=True, frozen=True)
class InspectionFact:
    org: int
    uscc: str
    name: str
    township_code: str
    year: int
    inspected_on: dt.date


@dataclass(slots=True, frozen=True)
class WeakFact:
    party_org: int
    code: str
    name: str
    township_code: str
    identified_on: dt.date
    deadline: dt.date


@dataclass(slots=True, frozen=True)
class VenueFact:
    party_org: int
    code: str
    name: str
    township_code: str
    checked_on: dt.date | None  # the latest check on or before the date (None: none)
    flags: tuple[bool, ...]  # the six, in SIX's order (all False without a check)
    venue: str  # the latest check's 场所名称 ("" without a check)
    township_path: str  # for the pages' counts per area
    township_name: str


class DynamicsFacts(DuesFacts):
    def restrict(self, orgs: object, party_orgs: object) -> None:
        super().restrict(orgs, party_orgs)
        for name in ("inspections_without_party", "weak_overdue", "venue_checks"):
            self.__dict__.pop(name, None)

    @functools.cached_property
    def inspections_without_party(self) -> list[InspectionFact]:
        d = self.as_of
        latest = (
            AnnualInspection.objects.filter(org_id=OuterRef("org_id"), inspected_on__lte=d)
            .order_by("-year")
            .values("year")[:1]
        )
        qs = AnnualInspection.objects.filter(
            SocialOrganization.active_on_q(d, "org__"),
            self._scoped("org__"),
            self._only("org__"),
            inspected_on__lte=d,
            party_section=False,
            year=Subquery(latest),
        ).order_by("org_id")
        return [
            InspectionFact(*row)
            for row in qs.values_list(
                "org_id", "org__uscc", "org__name", "org__township__code", "year", "inspected_on"
            )
        ]

    @functools.cached_property
    def weak_overdue(self) -> list[WeakFact]:
        d = self.as_of
        qs = Rectification.objects.filter(
            PartyOrganization.active_on_q(d, "party_org__"),
            Q(resolved_on__isnull=True) | Q(resolved_on__gt=d),
            self._party_scoped("party_org__"),
            self._only("party_org__", party=True),
            identified_on__lte=d,
            deadline__lt=d,
        ).order_by("party_org_id", "identified_on")
        return [
            WeakFact(*row)
            for row in qs.values_list(
                "party_org_id", "party_org__code", "party_org__name",
                "party_org__township__code", "identified_on", "deadline",
            )
        ]  # fmt: skip

    @functools.cached_property
    def venue_checks(self) -> list[VenueFact]:
        d = self.as_of
        checked = self.party_org_base().filter(
            PartyOrganization.active_on_q(d), form__in=COVERING_FORMS
        )
        latest: dict[int, tuple[dt.date, tuple[bool, ...], str]] = {}
        for party_org, day, venue, *flags in (
            Venue.objects.filter(party_org__in=checked.values("pk"), checked_on__lte=d)
            .order_by("party_org_id", "checked_on")
            .values_list("party_org_id", "checked_on", "name", *SIX_FIELDS)
        ):
            latest[party_org] = (day, tuple(flags), venue)  # the last one read is the latest
        nothing = (None, (False,) * len(SIX_FIELDS), "")
        out = []
        for pk, code, name, township, path, township_name in checked.order_by("pk").values_list(
            "pk", "code", "name", "township__code", "township__path", "township__name"
        ):
            day, flags, venue = latest.get(pk, nothing)
            out.append(VenueFact(pk, code, name, township, day, flags, venue, path,
                                 township_name))  # fmt: skip
        return out
