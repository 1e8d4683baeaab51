"""五 The backbone's training (CAD-SECRETARY-TRAINING, CAD-NEW-SECRETARY,
CAD-WORKER-TRAINING): the offices held in the Party organizations the rules check, and the
trainings of their holders — two queries over the whole jurisdiction, grouped by person in
Python.

The Party organizations the rules check are those of CONTRACT.md's rules of Party work:
active on the date (founded on or before it, not dissolved on or before it), of form
单独组建, 联合组建 or 功能型. An office is read with the Party organization it is held in
(code, name, township), so that the live re-evaluation of a few people
(`restrict_people`) reads every office of each of them — whichever Party organizations the
write touched — and speaks for all of their findings."""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from dangjian.cadres.models import COUNTED_KINDS, PartyWorker, Training, TrainingKind
from dangjian.compliance.facts.life import LifeFacts
from dangjian.lib.dated import holds_on_q
from dangjian.lib.lookups import ids
from dangjian.partyorgs.models import COVERING_FORMS, CommitteeMembership, CommitteeRole

WORKER = "worker"  # the role of a full-time Party worker outside the committee


@dataclass(slots=True, frozen=True)
class Office:
    """One office (书记, 副书记, 委员) held in a Party organization the rules check."""

    person: int
    name: str
    masked: str  # the identity number as findings show it
    party_org: int
    code: str
    party_org_name: str
    township_code: str
    founded_on: dt.date
    role: str
    full_time: bool
    started_on: dt.date
    ended_on: dt.date | None


@dataclass(slots=True, frozen=True)
class TrainingFact:
    kind: str
    ended_on: dt.date
    days: Decimal


class CadreFacts(LifeFacts):
    _only_people: frozenset[int] | None = None

    def restrict_people(self, people: Iterable[int]) -> None:
        """Read the offices (and trainings) of these people only, in every Party
        organization the rules check (the live re-evaluation: `compliance/live.py`)."""
        self._only_people = frozenset(people)
        for name in ("cadre_offices", "_cadre_trainings", "pending_recommendations"):
            self.__dict__.pop(name, None)

    def _scoped_to_checked(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        """Rows (of a person in a Party organization) of the Party organizations the rules
        check, of the people in scope when restricted to people."""
        d = self.as_of
        only = (
            Q(person_id__in_ids=self._only_people)
            if self._only_people is not None
            else self._only("party_org__", party=True)
        )
        return qs.filter(
            holds_on_q(d, start="founded_on", end="dissolved_on", prefix="party_org__",
                       start_required=True),
            self._party_scoped("party_org__"),
            only,
            party_org__form__in=COVERING_FORMS,
        ).order_by()  # fmt: skip

    def _offices_qs(self) -> QuerySet[CommitteeMembership]:
        return self._scoped_to_checked(
            CommitteeMembership.objects.filter(started_on__lte=self.as_of)
        )

    def _holders(self, secretaries_since: dt.date | None = None) -> list[int]:
        """The people of `cadre_offices` (office holders and full-time workers); with
        `secretaries_since`, only those of a 书记 office started on or after that day. Read
        from the offices already loaded and sent as one parameter (`__in_ids`): as two
        `IN (subquery)` joined by OR, PostgreSQL ran the trainings' query for minutes at the
        national scale (the subqueries too large to hash, probed row by row)."""
        offices = self.cadre_offices
        if secretaries_since is not None:
            offices = [
                o
                for o in offices
                if o.role == CommitteeRole.SECRETARY and o.started_on >= secretaries_since
            ]
        return ids(o.person for o in offices)

    @functools.cached_property
    def cadre_offices(self) -> list[Office]:
        """Every office started on or before the date in a Party organization the rules
        check, by person, Party organization, start: one query."""
        fields = (
            "person_id", "person__name", "person__id_masked", "party_org_id", "party_org__code",
            "party_org__name", "party_org__township__code", "party_org__founded_on", "role",
            "full_time", "started_on", "ended_on",
        )  # fmt: skip
        rows = self._offices_qs().order_by("person_id", "party_org_id", "started_on", "role")
        offices = [Office(*row) for row in rows.values_list(*fields)]
        # Full-time Party workers outside the committee (`party-workers`), as offices of
        # their own role (`WORKER`): CAD-WORKER-TRAINING holds them to a yearly training.
        workers = self._scoped_to_checked(
            PartyWorker.objects.filter(full_time=True, started_on__lte=self.as_of)
        )
        for row in workers.values_list(*(f for f in fields if f not in ("role", "full_time"))):
            person, name, masked, po, code, po_name, township, founded, started, ended = row
            offices.append(
                Office(person, name, masked, po, code, po_name, township, founded, WORKER, True,
                       started, ended)
            )  # fmt: skip
        offices.sort(key=lambda o: (o.person, o.party_org, o.started_on, o.role))
        return offices

    @functools.cached_property
    def _cadre_trainings(self) -> dict[tuple[Any, ...], dict[int, list[TrainingFact]]]:
        return {}

    def cadre_trainings(
        self, since: dt.date, until: dt.date | None = None
    ) -> dict[int, list[TrainingFact]]:
        """The 集中培训 and 任职培训 of the office holders of `cadre_offices` that ended on
        or after `since` (and on or before `until`) and before the date, by person, in order
        of their end: one query (the first call for the same days)."""
        return self._trainings(since, until, COUNTED_KINDS, None)

    def induction_trainings(self, since: dt.date) -> dict[int, list[TrainingFact]]:
        """The 任职培训 that ended on or after `since` and before the date of the people of
        a 书记 office of `cadre_offices` started on or after `since` (CAD-NEW-SECRETARY)."""
        return self._trainings(since, None, (TrainingKind.INDUCTION,), since)

    def _trainings(self, since: dt.date, until: dt.date | None, kinds: Iterable[str],
                   secretaries_since: dt.date | None) -> dict[int, list[TrainingFact]]:  # fmt: skip
        key = (since, until, tuple(kinds), secretaries_since)
        known = self._cadre_trainings.get(key)
        if known is not None:
            return known
        qs = Training.objects.filter(
            person_id__in_ids=self._holders(secretaries_since),
            kind__in=key[2],
            ended_on__gte=since,
            ended_on__lt=self.as_of,
        )
        if until is not None:
            qs = qs.filter(ended_on__lte=until)
        out: dict[int, list[TrainingFact]] = defaultdict(list)
        for person, kind, ended, days in qs.order_by("person_id", "ended_on", "pk").values_list(
            "person_id", "kind", "ended_on", "days"
        ):
            out[person].append(TrainingFact(kind, ended, days))
        self._cadre_trainings[key] = dict(out)
        return self._cadre_trainings[key]


@dataclass(slots=True, frozen=True)
class PendingRecommendation:
    """A recommendation dated on or before the date with no 党组织意见, of a leader (负责人)
    or main investor (主要出资人) of an organization of the jurisdiction on its date."""

    person: int
    name: str
    masked: str
    kind: str
    recommended_on: dt.date
    township_code: str  # of the organization they lead (the first by code)


class RecommendationFacts(CadreFacts):
    @functools.cached_property
    def pending_recommendations(self) -> list[PendingRecommendation]:
        """Two queries: the recommendations without an opinion, and the leading employments
        of their people in the jurisdiction's organizations."""
        from dangjian.cadres.models import Recommendation
        from dangjian.lib.dated import holds_on
        from dangjian.people.models import Employment, Position

        pending = Recommendation.objects.filter(opinion="", recommended_on__lte=self.as_of)
        if self._only_people is not None:
            pending = pending.filter(person_id__in_ids=self._only_people)
        rows = list(
            pending.order_by("person_id", "recommended_on", "kind").values_list(
                "person_id", "person__name", "person__id_masked", "kind", "recommended_on"
            )
        )
        if not rows:
            return []
        jobs = Employment.objects.filter(
            self._scoped("org__"),
            position__in=(Position.LEADER, Position.INVESTOR),
            person_id__in=pending.values("person_id"),
        )
        if self._only_people is None:
            jobs = jobs.filter(self._only("org__"))
        led: dict[int, list[tuple[Any, Any, str, str]]] = defaultdict(list)
        for person, started, ended, uscc, township in jobs.order_by().values_list(
            "person_id", "started_on", "ended_on", "org__uscc", "org__township__code"
        ):
            led[person].append((started, ended, uscc, township))
        out = []
        for person, name, masked, kind, day in rows:
            there = sorted(
                (uscc, township)
                for started, ended, uscc, township in led.get(person, ())
                if holds_on(started, ended, day)
            )
            if there:
                out.append(PendingRecommendation(person, name, masked, kind, day, there[0][1]))
        return out


def number(days: Decimal) -> Any:
    """A number of days as JSON shows it: 5, 4.5."""
    return int(days) if days == days.to_integral_value() else float(days)
