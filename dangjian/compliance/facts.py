"""What the system knows about each organization and Party organization on a date —
computed once, set-based, and shared by the rules engine and the reports, so that a report
and `check` can never disagree.

Every fact is one query over the whole jurisdiction (a GROUP BY, or the rows that carry a
relation), combined in Python by primary key: the number of queries does not grow with the
number of organizations.

Queries whose rows are combined by key clear the models' default ordering (`.order_by()`):
`Meta.ordering` would otherwise sort every row by related columns — employments and
memberships by the person's name, which joins the people table only to sort by it.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connections
from django.db.models import Count, Q, QuerySet

from dangjian.areas.models import Area, Unit, UnitKind
from dangjian.lib.bulk import key_batches
from dangjian.lib.dated import holds_on, holds_on_q
from dangjian.orgs.models import OrgStatus, PartyManagement, RegistrationMode, SocialOrganization
from dangjian.partyorgs.models import (
    COVERING_FORMS,
    SOCIAL_ORG_FORMS,
    CommitteeMembership,
    CommitteeRole,
    Coverage,
    InstructorAssignment,
    PartyOrganization,
    PartyOrgForm,
)
from dangjian.people.models import Employment, Membership

# Forms of Party organization that can hold a lone member's relation (纳入管理, POLICY 3.1).
ADOPTING_FORMS = (PartyOrgForm.INDUSTRY, PartyOrgForm.TOWNSHIP, PartyOrgForm.COMMUNITY)


def _rows(qs: QuerySet[Any, Any], chunk: int = 20_000) -> Iterator[tuple[Any, ...]]:
    """The rows of a `values_list` query of plain columns, read straight from a database
    cursor: Django's iterator spends more time on each row (its converter pipeline) than
    the database does, for the two large queries below. A server-side cursor on PostgreSQL,
    as Django's own iterator uses. Only for columns whose database value is already the
    Python one: integers, text and dates (SQLite's driver converts dates, with Django's
    converter; it would not turn 0/1 into booleans)."""
    sql, params = qs.query.get_compiler(qs.db).as_sql()
    connection = connections[qs.db]
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk):
            yield from rows


@dataclass(slots=True)
class Member:
    person_id: int
    formal: bool
    since: dt.date  # from when they count here: employed and (for formal) confirmed
    relation_id: int | None
    relation_form: str | None  # the form of the Party organization holding the relation
    relation_active: bool


@dataclass(slots=True)
class OrgFacts:
    pk: int
    uscc: str
    name: str
    kind: str
    industry: str
    township_id: int
    township_code: str
    township_name: str
    community_code: str | None
    community_name: str
    registered_on: dt.date
    status: str
    status_changed_on: dt.date | None
    registration_mode: str
    registry_id: int
    supervisor_id: int | None
    party_management: str
    staff_count: int | None
    active: bool
    members: list[Member] = field(default_factory=list)
    covering: list[tuple[int, str, str]] = field(default_factory=list)  # (pk, form, level)
    instructor: bool = False
    formal: int = 0  # how many of the members are formal (kept as members are added)

    def add(self, member: Member) -> None:
        self.members.append(member)
        if member.formal:
            self.formal += 1

    @property
    def member_count(self) -> int:
        return len(self.members)

    def formal_since(self, n: int) -> dt.date | None:
        """The day the organization reached n formal members (of those it has now)."""
        dates = sorted(m.since for m in self.members if m.formal)
        return dates[n - 1] if len(dates) >= n else None

    @property
    def covered(self) -> bool:
        return bool(self.covering)

    def covered_by(self, *forms: str) -> list[tuple[int, str, str]]:
        return [c for c in self.covering if c[1] in forms]


@dataclass(slots=True)
class PartyOrgFacts:
    pk: int
    code: str
    name: str
    level: str
    form: str
    township_code: str
    founded_on: dt.date
    term_started_on: dt.date | None
    dissolved_on: dt.date | None
    unit_id: int | None
    active: bool
    formal_members: int = 0  # whose organizational relation it holds
    members: int = 0
    # role, full time, since, person: one row per office held (a person may hold two)
    offices: list[tuple[str, bool, dt.date, int]] = field(default_factory=list)
    last_secretary_left: dt.date | None = None
    covers: list[int] = field(default_factory=list)  # organization pks, current coverage

    @property
    def of_social_orgs(self) -> bool:
        return self.form in SOCIAL_ORG_FORMS

    def holders(self, role: str) -> int:
        return len({person for r, _full, _since, person in self.offices if r == role})

    @property
    def full_time_workers(self) -> int:
        return len({person for _r, full, _since, person in self.offices if full})

    @property
    def office_holders(self) -> int:
        """How many people the committee has (not how many offices)."""
        return len({person for _r, _full, _since, person in self.offices})


@dataclass(slots=True)
class RelationMember:
    person_id: int
    name: str
    masked: str
    relation_id: int


class Facts:
    """The facts of one jurisdiction (`area`, None for all) on one date (`as_of`)."""

    def __init__(self, as_of: dt.date, area: Area | None = None) -> None:
        self.as_of = as_of
        self.area = area

    def restrict(self, org_pks: set[int], party_org_pks: set[int]) -> None:
        """Keep only these organizations and Party organizations (for a user whose
        jurisdiction is not a whole area: a registry, a supervisory unit, a secretary)."""
        self.orgs = {pk: o for pk, o in self.orgs.items() if pk in org_pks}
        self.party_orgs = {pk: p for pk, p in self.party_orgs.items() if pk in party_org_pks}
        # Members too: only those held by these Party organizations or employed here.
        self._only = (org_pks, party_org_pks)
        self.__dict__.pop("members_by_township", None)

    def _scoped(self, prefix: str) -> Q:
        """Rows whose organization (`prefix` leads from the row to it: "" for an
        organization itself, "org__" for its employments, coverages …) lies in the area."""
        if self.area is None:
            return Q()
        if self.area.level == "community":  # finer than a township: by the org's community
            return Q(**{f"{prefix}community__path__startswith": self.area.path})
        return Q(**{f"{prefix}township__path__startswith": self.area.path})

    def _party_scoped(self, prefix: str) -> Q:
        """Rows whose Party organization (`prefix` leads to it) lies in the area. Party
        organizations are recorded by township: in a community, they are those of its
        township covering (or having covered) one of its organizations — never one the
        township's own view leaves out (a joint one of a neighbouring township)."""
        if self.area is None:
            return Q()
        if self.area.level == "community":
            covering = Coverage.objects.filter(
                org__community__path__startswith=self.area.path
            ).values("party_org_id")
            return Q(**{f"{prefix}pk__in": covering, f"{prefix}township_id": self.area.parent_id})
        return Q(**{f"{prefix}township__path__startswith": self.area.path})

    @functools.cached_property
    def orgs(self) -> dict[int, OrgFacts]:
        """Every organization registered on or before the date, active or not."""
        d = self.as_of
        out: dict[int, OrgFacts] = {}
        rows = _rows(
            SocialOrganization.objects.filter(self._scoped(""), registered_on__lte=d)
            .values_list(
                "pk", "uscc", "name", "kind", "industry", "township_id", "township__code",
                "township__name", "community__code", "community__name", "registered_on", "status",
                "status_changed_on", "registration_mode", "registry_id", "supervisor_id",
                "party_management", "staff_count",
            )
        )  # fmt: skip
        for (
            pk, uscc, name, kind, industry, township_id, township_code, township_name,
            community_code, community_name, registered_on, status, changed, mode, registry,
            supervisor, management, staff,
        ) in rows:  # fmt: skip
            active = status == OrgStatus.ACTIVE or changed is None or changed > d
            out[pk] = OrgFacts(
                pk, uscc, name, kind, industry, township_id, township_code, township_name,
                community_code, community_name or "", registered_on, status, changed, mode,
                registry, supervisor, management, staff, active,
            )  # fmt: skip
        seen: dict[tuple[int, int], Member] = {}
        for org_id, person_id, started, confirmed, relation, form, founded, dissolved in _rows(
            Employment.objects.filter(
                Employment.current_on_q(d),
                self._scoped("org__"),
                person__membership__joined_on__lte=d,
                org__registered_on__lte=d,
            )
            .order_by()
            .values_list(
                "org_id", "person_id", "started_on", "person__membership__confirmed_on",
                "person__membership__relation_party_org_id",
                "person__membership__relation_party_org__form",
                "person__membership__relation_party_org__founded_on",
                "person__membership__relation_party_org__dissolved_on",
            )
        ):  # fmt: skip
            org = out.get(org_id)
            if org is None:
                continue
            formal = confirmed is not None and confirmed <= d
            since = started or dt.date.min  # counts from being employed and, if formal,
            if formal and confirmed > since:  # confirmed
                since = confirmed
            member = seen.get((org_id, person_id))
            if member is not None:  # a second employment of the same person counts once,
                member.since = min(member.since, since)  # from the earlier start
                continue
            member = Member(
                person_id,
                formal,
                since,
                relation,
                form,
                founded is not None and holds_on(founded, dissolved, d),
            )
            seen[(org_id, person_id)] = member
            org.add(member)
        for org_id, party_org, form, level in Coverage.objects.filter(
            Coverage.current_on_q(d), self._scoped("org__"), party_org__form__in=COVERING_FORMS
        ).values_list("org_id", "party_org_id", "party_org__form", "party_org__level"):
            if org_id in out:
                out[org_id].covering.append((party_org, form, level))
        for org_id in (
            InstructorAssignment.objects.filter(
                holds_on_q(d, start_required=True), self._scoped("org__")
            )
            .order_by()
            .values_list("org_id", flat=True)
            .distinct()
        ):
            if org_id in out:
                out[org_id].instructor = True
        return out

    @functools.cached_property
    def party_orgs(self) -> dict[int, PartyOrgFacts]:
        """Every Party organization founded on or before the date, active or not."""
        d = self.as_of
        out: dict[int, PartyOrgFacts] = {}
        for row in PartyOrganization.objects.filter(
            self._party_scoped(""), founded_on__lte=d
        ).values_list(
            "pk", "code", "name", "level", "form", "township__code", "founded_on",
            "term_started_on", "dissolved_on", "unit_id",
        ):  # fmt: skip
            out[row[0]] = PartyOrgFacts(*row, active=holds_on(row[6], row[8], d))
        members = (
            Membership.objects.filter(
                Membership.member_on_q(d), self._party_scoped("relation_party_org__")
            )
            .order_by()
            .values_list("relation_party_org_id")
            .annotate(all=Count("pk"), formal=Count("pk", filter=Q(confirmed_on__lte=d)))
        )
        for party_org, count, formal in members:
            facts = out.get(party_org)
            if facts is not None:
                facts.members, facts.formal_members = count, formal
        for party_org, role, full_time, started, ended, person in (
            CommitteeMembership.objects.filter(self._party_scoped("party_org__"), started_on__lte=d)
            .order_by("party_org_id", "role", "started_on")
            .values_list("party_org_id", "role", "full_time", "started_on", "ended_on", "person_id")
        ):
            facts = out.get(party_org)
            if facts is None:
                continue
            if holds_on(started, ended, d):
                facts.offices.append((role, full_time, started, person))
            elif role == CommitteeRole.SECRETARY and ended is not None:
                left = facts.last_secretary_left
                facts.last_secretary_left = ended if left is None else max(left, ended)
        for party_org, org in (
            Coverage.objects.filter(Coverage.current_on_q(d), self._party_scoped("party_org__"))
            .order_by("party_org_id", "org_id")
            .values_list("party_org_id", "org_id")
        ):
            if party_org in out:
                out[party_org].covers.append(org)
        return out

    @functools.cached_property
    def covered_org_status(self) -> dict[int, tuple[bool, dt.date | None]]:
        """Active or not, and since when not, for every organization a Party organization of
        this jurisdiction covers (they may lie outside it)."""
        wanted = {org for p in self.party_orgs.values() for org in p.covers}
        known = {pk: (o.active, o.status_changed_on) for pk, o in self.orgs.items() if pk in wanted}
        missing = sorted(wanted - set(known))
        for batch in key_batches(missing):
            for pk, status, changed in SocialOrganization.objects.filter(pk__in=batch).values_list(
                "pk", "status", "status_changed_on"
            ):
                active = status == OrgStatus.ACTIVE or changed is None or changed > self.as_of
                known[pk] = (active, changed)
        return known

    @functools.cached_property
    def units(self) -> dict[int, tuple[str, str, str]]:
        """Every unit: (name, kind, area code)."""
        return {
            pk: (name, kind, code)
            for pk, name, kind, code in Unit.objects.values_list("pk", "name", "kind", "area__code")
        }

    @functools.cached_property
    def supervisory_units(self) -> dict[int, tuple[str, str]]:
        """Supervisory units of this jurisdiction: {pk: (name, area code)}."""
        qs = Unit.objects.filter(kind=UnitKind.SUPERVISORY)
        if self.area is not None:
            qs = qs.filter(area__path__startswith=self.area.path)
        return {pk: (name, code) for pk, name, code in qs.values_list("pk", "name", "area__code")}

    @functools.cached_property
    def party_orgs_managed_by_unit(self) -> dict[int, int]:
        """How many active Party organizations of social organizations each supervisory unit
        manages: those covering an active organization whose Party work it manages (POLICY
        2.2: supervised registration, not delegated)."""
        d = self.as_of
        counts: dict[int, set[int]] = defaultdict(set)
        for unit, party_org in (
            Coverage.objects.filter(
                Coverage.current_on_q(d),
                SocialOrganization.active_on_q(d, prefix="org__"),
                party_org__form__in=COVERING_FORMS,
                org__registration_mode=RegistrationMode.SUPERVISED,
                org__party_management=PartyManagement.DEFAULT,
                org__supervisor_id__in=list(self.supervisory_units),
            )
            .order_by()
            .values_list("org__supervisor_id", "party_org_id")
            .distinct()
        ):
            counts[unit].add(party_org)
        return {unit: len(party_orgs) for unit, party_orgs in counts.items()}

    @functools.cached_property
    def industry_committees(self) -> dict[int, list[tuple[str, int]]]:
        """Active industry Party committees and general branches by supervisory unit:
        {unit: [(code, full-time workers)]}."""
        d = self.as_of
        full_time: dict[int, int] = defaultdict(int)
        for party_org in (
            CommitteeMembership.objects.filter(
                holds_on_q(d, start_required=True),
                full_time=True,
                party_org__form=PartyOrgForm.INDUSTRY,
            )
            .order_by()
            .values_list("party_org_id", flat=True)
        ):
            full_time[party_org] += 1
        out: dict[int, list[tuple[str, int]]] = defaultdict(list)
        for pk, code, unit in PartyOrganization.objects.filter(
            PartyOrganization.active_on_q(d),
            form=PartyOrgForm.INDUSTRY,
            level__in=["committee", "general_branch"],
            unit__isnull=False,
        ).values_list("pk", "code", "unit_id"):
            out[unit].append((code, full_time.get(pk, 0)))
        return out

    def members_of(self, party_orgs: list[int]) -> list[RelationMember]:
        """Members on the date whose organizational relation one of `party_orgs` holds."""
        out: list[RelationMember] = []
        for batch in key_batches(sorted(party_orgs)):
            out.extend(
                RelationMember(*row)
                for row in Membership.objects.filter(
                    Membership.member_on_q(self.as_of),
                    relation_party_org_id__in=batch,
                )
                .order_by("person__id_masked", "person_id")
                .values_list(
                    "person_id", "person__name", "person__id_masked", "relation_party_org_id"
                )
            )
        return out

    @functools.cached_property
    def members_by_township(self) -> dict[int, list[int]]:
        """Members on the date, counted once (POLICY 3.1): in the township of the Party
        organization that holds their organizational relation, or, with no relation, in the
        township of their employer (the lowest-numbered, if several).
        {township id: [formal, probationary]}"""
        d = self.as_of
        out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        held = Membership.objects.filter(
            Membership.member_on_q(d),
            self._party_scoped("relation_party_org__"),
            relation_party_org__isnull=False,
        )
        only = getattr(self, "_only", None)
        if only is not None:
            held = held.filter(relation_party_org_id__in=sorted(only[1]))
        for township, n_formal, n_probationary in (
            held.order_by()
            .values_list("relation_party_org__township_id")
            .annotate(
                n_formal=Count("pk", filter=Q(confirmed_on__lte=d)),
                n_probationary=Count(
                    "pk", filter=Q(confirmed_on__isnull=True) | Q(confirmed_on__gt=d)
                ),
            )
        ):
            out[township][0] += n_formal
            out[township][1] += n_probationary
        employer: dict[int, tuple[int, int, bool, str]] = {}
        current = Employment.objects.filter(
            Employment.current_on_q(d),
            person__membership__joined_on__lte=d,
            person__membership__relation_party_org__isnull=True,
        ).order_by()
        if self.area is not None:  # everyone employed here, with all their employers
            current = current.filter(
                person_id__in=current.filter(self._scoped("org__")).values("person_id")
            )
        for person, org, township, path, confirmed in current.values_list(
            "person_id", "org_id", "org__township_id", "org__township__path",
            "person__membership__confirmed_on",
        ).iterator(chunk_size=5000):  # fmt: skip
            formal = confirmed is not None and confirmed <= d
            if person not in employer or org < employer[person][0]:
                employer[person] = (org, township, formal, path)
        for org, township, formal, path in employer.values():
            if self.area is not None and not path.startswith(self.area.path):
                continue  # counted where their first employer is
            if only is not None and org not in only[0]:
                continue
            out[township][0 if formal else 1] += 1
        return dict(out)
