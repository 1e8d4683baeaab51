"""Facts per person: who the members of the jurisdiction are on the date (`people`), and
the mechanism per-person facts are built with (`per_person`): trainings, dues and
development are per person. Each is one query over the whole jurisdiction, grouped by
person in Python — never a query per person."""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from dangjian.compliance.facts.counts import CountFacts
from dangjian.partyorgs.models import CommitteeMembership
from dangjian.people.models import Membership


@dataclass(slots=True)
class PersonFacts:
    pk: int  # the person's
    name: str
    masked: str  # the identity number as findings show it
    joined_on: dt.date
    formal: bool  # confirmed on or before the date
    relation_id: int | None  # the Party organization holding their organizational relation


class PeopleFacts(CountFacts):
    def people_base(self) -> QuerySet[Membership]:
        """Members on the date (formal or probationary) of the jurisdiction: those whose
        organizational relation one of its Party organizations holds, and those one of its
        organizations employs."""
        return Membership.objects.filter(
            Membership.member_on_q(self.as_of),
            Q(pk__in=self.held_members().values("pk"))
            | Q(person_id__in=self.member_employments().values("person_id")),
        ).order_by()

    @functools.cached_property
    def people(self) -> dict[int, PersonFacts]:
        """Every member of the jurisdiction on the date, by person: one query."""
        d = self.as_of
        return {
            pk: PersonFacts(pk, name, masked, joined, Membership.confirmed_by(confirmed, d), rel)
            for pk, name, masked, joined, confirmed, rel in self.people_base().values_list(
                "person_id", "person__name", "person__id_masked", "joined_on", "confirmed_on",
                "relation_party_org_id",
            )
        }  # fmt: skip

    def per_person(
        self, records: QuerySet[Any, Any], *fields: str, person: str = "person_id"
    ) -> dict[int, list[tuple[Any, ...]]]:
        """A per-person fact: `fields` of the `records` (a queryset of a per-person record)
        of the people of `people`, grouped by person (`person` leads from a record to its
        person's key), in the order of `fields`. One query, whatever the number of people."""
        rows = (
            records.filter(**{f"{person}__in": self.people_base().values("person_id")})
            .order_by(person, *fields)
            .values_list(person, *fields)
        )
        out: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for key, *values in rows:
            out[key].append(tuple(values))
        return dict(out)

    @functools.cached_property
    def offices_by_person(self) -> dict[int, list[tuple[int, str]]]:
        """The offices each member holds on the date: [(Party organization, role)]."""
        offices = CommitteeMembership.objects.current_on(self.as_of)
        return self.per_person(offices, "party_org_id", "role")
