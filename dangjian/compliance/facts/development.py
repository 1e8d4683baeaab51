"""四.3 The development of members (DEV-TALK, DEV-ACTIVIST-TIME, DEV-PROBATION-OVERDUE): the
applicants developed by the Party organizations the rules check, and the members
probationary on the date whose relation such a Party organization holds — one query each
over the whole jurisdiction, never one per person.

The Party organizations the rules check are those of CONTRACT.md's rules of Party work
(`CadreFacts._scoped_to_checked`): active on the date, of form 单独组建, 联合组建 or 功能型.
An applicant belongs to the Party organization that develops them; a probationary member to
the one holding their organizational relation (docs/development.md). When the facts are
restricted to people (the live re-evaluation, `restrict_people`), every applicant record
and membership of those people is read, wherever its Party organization lies in the area."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from dangjian.compliance.facts.bodies import StudyFacts
from dangjian.development.models import Applicant
from dangjian.lib.dated import holds_on_q
from dangjian.partyorgs.models import COVERING_FORMS
from dangjian.people.models import Membership


@dataclass(slots=True, frozen=True)
class ApplicantFact:
    person: int
    name: str
    masked: str  # the identity number as findings show it
    party_org: str  # the developing Party organization's code
    party_org_name: str
    township_code: str
    applied_on: dt.date
    talked_on: dt.date | None
    activist_on: dt.date | None
    candidate_on: dt.date | None
    status: str
    status_changed_on: dt.date | None


@dataclass(slots=True, frozen=True)
class ProbationFact:
    """A member probationary on the date (admitted on or before it, not confirmed by it)."""

    person: int
    name: str
    masked: str
    party_org: str  # the code of the Party organization holding the relation
    township_code: str
    joined_on: dt.date
    extended_to: dt.date | None  # 预备期延长至


class DevelopmentFacts(StudyFacts):
    def restrict_people(self, people: Iterable[int]) -> None:
        super().restrict_people(people)
        for name in ("applicants", "probationers"):
            self.__dict__.pop(name, None)

    @functools.cached_property
    def applicants(self) -> list[ApplicantFact]:
        """Every applicant developed by a Party organization the rules check, whatever
        their status (the rules decide who is 培养中 on the date): one query."""
        fields = (
            "person_id", "person__name", "person__id_masked", "party_org__code",
            "party_org__name", "party_org__township__code", "applied_on", "talked_on",
            "activist_on", "candidate_on", "status", "status_changed_on",
        )  # fmt: skip
        qs = self._scoped_to_checked(Applicant.objects.all()).order_by("person_id")
        return [ApplicantFact(*row) for row in qs.values_list(*fields)]

    @functools.cached_property
    def probationers(self) -> list[ProbationFact]:
        """The members probationary on the date whose relation a Party organization the
        rules check holds: one query."""
        d = self.as_of
        only = (
            Q(person_id__in_ids=self._only_people)
            if self._only_people is not None
            else self._only("relation_party_org__", party=True)
        )
        qs = Membership.objects.filter(
            Membership.member_on_q(d),
            ~Membership.formal_on_q(d) | Q(confirmed_on__isnull=True),
            holds_on_q(d, start="founded_on", end="dissolved_on", prefix="relation_party_org__",
                       start_required=True),
            self._party_scoped("relation_party_org__"),
            only,
            relation_party_org__form__in=COVERING_FORMS,
        ).order_by("person_id")  # fmt: skip
        return [
            ProbationFact(*row)
            for row in qs.values_list(
                "person_id", "person__name", "person__id_masked", "relation_party_org__code",
                "relation_party_org__township__code", "joined_on", "probation_extended_to",
            )
        ]  # fmt: skip
