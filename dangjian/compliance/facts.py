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

from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import Case, Count, F, Max, Min, Q, QuerySet, Value, When

from dangjian.areas.models import Area, Unit, UnitKind
from dangjian.lib.bulk import key_batches
from dangjian.lib.dated import holds_on, holds_on_q
from dangjian.orgs.models import (
    OrgKind,
    OrgStatus,
    PartyManagement,
    RegistrationMode,
    SocialOrganization,
)
from dangjian.partyorgs.models import (
    COVERING_FORMS,
    SOCIAL_ORG_FORMS,
    CommitteeMembership,
    CommitteeRole,
    Coverage,
    InstructorAssignment,
    PartyOrganization,
    PartyOrgForm,
    PartyOrgLevel,
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
    try:
        sql, params = qs.query.get_compiler(qs.db).as_sql()
    except EmptyResultSet:  # a filter that can match nothing (`pk__in` an empty set)
        return
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
    """The facts of one jurisdiction (`area`, None for all) on one date (`as_of`).

    Two readings of the same definitions: `orgs` and `party_orgs` build Python objects for
    the rules (which need each member's dates and relation); `org_table` and the counts
    below it are the same facts as SQL, for the reports, which the database counts. Both
    start from the same querysets (`org_base`, `member_employments`, `coverings`,
    `instructed`), so that a report and `check` cannot disagree (tested on random data)."""

    def __init__(self, as_of: dt.date, area: Area | None = None) -> None:
        self.as_of = as_of
        self.area = area
        # The organizations and Party organizations of a jurisdiction that is not a whole
        # area (a queryset of primary keys, or a set of them): None for the whole area.
        self._only_orgs: Any = None
        self._only_party_orgs: Any = None

    def restrict(self, orgs: Any, party_orgs: Any) -> None:
        """Keep only these organizations and Party organizations (for a user whose
        jurisdiction is not a whole area: a registry, a supervisory unit, a secretary):
        querysets of their primary keys, or sets of them. Members too: only those held by
        these Party organizations or employed here."""
        self._only_orgs, self._only_party_orgs = orgs, party_orgs
        for name in ("orgs", "party_orgs", "members_by_township"):
            self.__dict__.pop(name, None)

    def _only(self, prefix: str, party: bool = False) -> Q:
        """The restriction (if any) on rows whose organization (or Party organization, with
        `party`) `prefix` leads to."""
        only = self._only_party_orgs if party else self._only_orgs
        return Q() if only is None else Q(**{f"{prefix}pk__in": only})

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

    # --- the definitions, as querysets -----------------------------------------------------

    def active_q(self, prefix: str = "") -> Q:
        """An organization active on the date: registered by then, and 正常, or its status
        changed only later (or on no recorded day)."""
        return Q(**{f"{prefix}registered_on__lte": self.as_of}) & (
            Q(**{f"{prefix}status": OrgStatus.ACTIVE})
            | Q(**{f"{prefix}status_changed_on__isnull": True})
            | Q(**{f"{prefix}status_changed_on__gt": self.as_of})
        )

    def org_base(self) -> QuerySet[SocialOrganization]:
        """The organizations of the jurisdiction registered on or before the date."""
        return SocialOrganization.objects.filter(
            self._scoped(""), self._only(""), registered_on__lte=self.as_of
        ).order_by()

    def member_employments(self) -> QuerySet[Employment]:
        """Who an organization's members are: employments on the date of members (formal or
        probationary) by an organization of the jurisdiction. A member is formal when
        confirmed on or before the date (`formal_q`). Every reading joins them to `org_base`
        (registered by the date), so they are not filtered by registration here: a second
        join to the organizations cost a tenth of the national org-table query."""
        d = self.as_of
        return Employment.objects.filter(
            Employment.current_on_q(d),
            self._scoped("org__"),
            self._only("org__"),
            person__membership__joined_on__lte=d,
        ).order_by()

    def formal_q(self, prefix: str = "person__membership__") -> Q:
        return Q(**{f"{prefix}confirmed_on__lte": self.as_of})

    def coverings(self) -> QuerySet[Coverage]:
        """Coverage on the date of an organization of the jurisdiction by an active Party
        organization that can cover it (单独组建, 联合组建, 功能型)."""
        return Coverage.objects.filter(
            Coverage.current_on_q(self.as_of),
            self._scoped("org__"),
            self._only("org__"),
            party_org__form__in=COVERING_FORMS,
        ).order_by()

    def instructed(self) -> QuerySet[InstructorAssignment]:
        """Instructor assignments holding on the date, of organizations of the jurisdiction."""
        return InstructorAssignment.objects.filter(
            holds_on_q(self.as_of, start_required=True), self._scoped("org__"), self._only("org__")
        ).order_by()

    def party_org_base(self) -> QuerySet[PartyOrganization]:
        """The Party organizations of the jurisdiction founded on or before the date."""
        return PartyOrganization.objects.filter(
            self._party_scoped(""), self._only("", party=True), founded_on__lte=self.as_of
        ).order_by()

    # --- the facts as Python objects (the rules) -------------------------------------------

    @functools.cached_property
    def orgs(self) -> dict[int, OrgFacts]:
        """Every organization registered on or before the date, active or not."""
        d = self.as_of
        out: dict[int, OrgFacts] = {}
        rows = _rows(
            self.org_base().values_list(
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
            self.member_employments().values_list(
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
        for org_id, party_org, form, level in self.coverings().values_list(
            "org_id", "party_org_id", "party_org__form", "party_org__level"
        ):
            if org_id in out:
                out[org_id].covering.append((party_org, form, level))
        for org_id in self.instructed().values_list("org_id", flat=True).distinct():
            if org_id in out:
                out[org_id].instructor = True
        return out

    @functools.cached_property
    def party_orgs(self) -> dict[int, PartyOrgFacts]:
        """Every Party organization founded on or before the date, active or not."""
        d = self.as_of
        out: dict[int, PartyOrgFacts] = {}
        for row in self.party_org_base().values_list(
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
        township of their employer (the lowest-numbered, if several). Two GROUP BYs.
        {township id: [formal, probationary]}"""
        out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for township, n_formal, n_probationary in (
            self.held_members()
            .order_by()
            .values_list("relation_party_org__township_id")
            .annotate(
                n_formal=Count("pk", filter=self.formal_q("")),
                n_probationary=Count("pk", filter=~self.formal_q("")),
            )
        ):
            out[township][0] += n_formal
            out[township][1] += n_probationary
        for township, n_formal, n_probationary in _sql_rows(
            "SELECT o.township_id, SUM(f.formal), SUM(1 - f.formal) "
            "FROM ({}) f JOIN ({}) o ON o.id = f.first_org GROUP BY o.township_id",
            self.loose_members(),
            self._employers().values("id", "township_id"),
        ):
            out[township][0] += n_formal
            out[township][1] += n_probationary
        return dict(out)

    def held_members(self) -> QuerySet[Membership]:
        """Members on the date whose organizational relation a Party organization of the
        jurisdiction holds: counted in that Party organization's township."""
        return Membership.objects.filter(
            Membership.member_on_q(self.as_of),
            self._party_scoped("relation_party_org__"),
            self._only("relation_party_org__", party=True),
            relation_party_org__isnull=False,
        )

    def loose_members(self) -> QuerySet[Any, Any]:
        """Members on the date with no organizational relation, employed by an organization
        of the jurisdiction: one row per person (person_id, first_org: their first employer
        of all their employers, formal: 1/0). Counted in `first_org`'s township when that
        one is an organization of the jurisdiction (`_employers`)."""
        d = self.as_of
        loose = Employment.objects.filter(
            Employment.current_on_q(d),
            person__membership__joined_on__lte=d,
            person__membership__relation_party_org__isnull=True,
        ).order_by()
        if self.area is not None or self._only_orgs is not None:
            here = loose.filter(self._scoped("org__"), self._only("org__"))
            loose = loose.filter(person_id__in=here.values("person_id"))
        return loose.values("person_id").annotate(
            first_org=Min("org_id"),
            formal=Max(Case(When(self.formal_q(), then=Value(1)), default=Value(0))),
        )

    def _employers(self) -> QuerySet[SocialOrganization]:
        return SocialOrganization.objects.filter(self._scoped(""), self._only(""))

    def counted_members(self, formal: bool | None = None) -> Q:
        """The people `members_by_township` counts (all of them, or only the formal or only
        the probationary members, with `formal`), as a filter on people: the rows behind
        its figures."""
        held = self.held_members()
        loose = self.loose_members().filter(Q(first_org__in=self._employers().values("id")))
        if formal is not None:
            held = held.filter(self.formal_q("") if formal else ~self.formal_q(""))
            loose = loose.filter(Q(formal=1 if formal else 0))
        return Q(pk__in=held.values("person_id")) | Q(pk__in=loose.values("person_id"))

    # --- the facts as SQL (the reports) ----------------------------------------------------

    def org_table(self) -> tuple[str, list[Any]]:
        """One row per organization of `org_base`: the same facts as `orgs`, as a SELECT
        the reports count from (in SQL, so the database does the counting):

            id, township_id, kind, industry, uscc, name, staff_count,
            active      1/0
            formal      formal members (each person once)
            members     members, formal or probationary
            standalone  the rank of the highest standalone Party organization covering it
                        (0 党委, 1 党总支, 2 党支部), NULL when none
            joint       1 when a joint Party organization covers it
            covered     1 when any Party organization covers it
            instructor  1 when an instructor is assigned to it
        """
        base = self.org_base().values(
            "id", "township_id", "kind", "industry", "uscc", "name", "staff_count",
            active=Case(When(self.active_q(), then=Value(1)), default=Value(0)),
        )  # fmt: skip
        members = (
            self.member_employments()
            .values("org_id")
            .annotate(
                formal=Count("person_id", distinct=True, filter=self.formal_q()),
                members=Count("person_id", distinct=True),
            )
        )
        standalone = Q(party_org__form=PartyOrgForm.STANDALONE)
        coverage = (
            self.coverings()
            .values("org_id")
            .annotate(
                standalone=Min(
                    Case(
                        When(standalone & Q(party_org__level=PartyOrgLevel.COMMITTEE), then=0),
                        When(standalone & Q(party_org__level=PartyOrgLevel.GENERAL_BRANCH), then=1),
                        When(standalone, then=2),
                        default=None,
                    )
                ),
                joint=Max(
                    Case(When(party_org__form=PartyOrgForm.JOINT, then=Value(1)), default=Value(0))
                ),
            )
        )
        instructed = self.instructed().values("org_id").distinct()
        return _compose(
            "SELECT o.id, o.township_id, o.kind, o.industry, o.uscc, o.name, o.staff_count, "
            "o.active, COALESCE(e.formal, 0) AS formal, COALESCE(e.members, 0) AS members, "
            "c.standalone, COALESCE(c.joint, 0) AS joint, "
            "CASE WHEN c.org_id IS NULL THEN 0 ELSE 1 END AS covered, "
            "CASE WHEN i.org_id IS NULL THEN 0 ELSE 1 END AS instructor "
            "FROM ({}) o LEFT JOIN ({}) e ON e.org_id = o.id "
            "LEFT JOIN ({}) c ON c.org_id = o.id LEFT JOIN ({}) i ON i.org_id = o.id",
            base,
            members,
            coverage,
            instructed,
        )

    def profiles(self, by: str, threshold: int) -> list[tuple[Any, Profile, int, int]]:
        """The active organizations counted by `by` (a column of `org_table`: "township_id",
        "kind") and by what the reports tell apart of them (`Profile`, with `threshold`
        formal members for a standalone Party organization): [(key, profile, organizations,
        staff)]."""
        assert by in ("township_id", "kind")
        try:
            sql, params = self.org_table()
        except EmptyResultSet:  # restricted to nothing
            return []
        # The profile as one integer (grouping by it rather than by its six parts took a
        # seventh off the query at the national scale): formal band × 64 + members × 32 +
        # standalone rank (3: none) × 8 + joint × 4 + covered × 2 + instructor.
        rows = _execute(
            f"SELECT t.{by}, "
            "(CASE WHEN t.formal = 0 THEN 0 WHEN t.formal < %s THEN 1 ELSE 2 END) * 64 "
            "+ (CASE WHEN t.members > 0 THEN 32 ELSE 0 END) + COALESCE(t.standalone, 3) * 8 "
            "+ t.joint * 4 + t.covered * 2 + t.instructor, "
            f"COUNT(*), SUM(COALESCE(t.staff_count, 0)) FROM ({sql}) t "
            "WHERE t.active = 1 GROUP BY 1, 2",
            [threshold, *params],
        )
        decode = functools.cache(Profile.decode)  # some forty codes, for 180,000 rows
        return [(key, decode(code), n, staff or 0) for key, code, n, staff in rows]

    def eligible_for_joint(self, threshold: int) -> list[tuple[int, str, str, str, int, int]]:
        """Active organizations with 1 to threshold − 1 formal members that no Party
        organization covers: [(pk, USCC, name, industry, formal, township id)]."""
        try:
            sql, params = self.org_table()
        except EmptyResultSet:  # restricted to nothing
            return []
        return _execute(
            f"SELECT t.id, t.uscc, t.name, t.industry, t.formal, t.township_id FROM ({sql}) t "
            "WHERE t.active = 1 AND t.covered = 0 AND t.formal >= 1 AND t.formal < %s",
            [*params, threshold],
        )

    def active_party_orgs_by_township(self) -> dict[int, int]:
        """Active Party organizations of social organizations, by township."""
        return dict(
            self.party_org_base()
            .filter(PartyOrganization.active_on_q(self.as_of), form__in=SOCIAL_ORG_FORMS)
            .values_list("township_id")
            .annotate(n=Count("pk"))
        )

    def _active_member_employments(self) -> QuerySet[Employment]:
        return self.member_employments().filter(self.active_q("org__"))

    def members_by_kind(self) -> dict[str | None, tuple[int, int]]:
        """Members of active organizations, each person once per kind and once in all
        (key None): (members, of them whose organizational relation no Party organization
        covering that organization holds). One pass, grouped by person."""
        rows = self._active_member_employments().values(
            "org_id",
            "person_id",
            kind=F("org__kind"),
            relation=F("person__membership__relation_party_org_id"),
        )
        held = self.coverings().values("org_id", "party_org_id")
        kinds = list(OrgKind.values)
        assert all(k.isidentifier() for k in kinds)  # written into the SQL below
        flags = "".join(
            f", MAX(CASE WHEN e.kind = '{k}' THEN 1 ELSE 0 END) AS k{i}"
            f", MAX(CASE WHEN e.kind = '{k}' AND c.org_id IS NULL THEN 1 ELSE 0 END) AS e{i}"
            for i, k in enumerate(kinds)
        )
        sums = "".join(f", SUM(p.k{i}), SUM(p.e{i})" for i in range(len(kinds)))
        found = _sql_rows(
            f"SELECT COUNT(*), SUM(p.elsewhere){sums} FROM ("
            "SELECT e.person_id, MAX(CASE WHEN c.org_id IS NULL THEN 1 ELSE 0 END) AS elsewhere"
            f"{flags} FROM ({{}}) e LEFT JOIN ({{}}) c "
            "ON c.org_id = e.org_id AND c.party_org_id = e.relation GROUP BY e.person_id) p",
            rows,
            held,
        )
        total = found[0] if found else (0,) * (2 + 2 * len(kinds))
        out: dict[str | None, tuple[int, int]] = {None: (total[0], total[1] or 0)}
        for i, kind in enumerate(kinds):
            out[kind] = (total[2 + 2 * i] or 0, total[3 + 2 * i] or 0)
        return out

    def joint_party_orgs_by_kind(self) -> dict[str | None, int]:
        """Joint Party organizations covering active organizations, once per kind of the
        organizations they cover and once in all (key None)."""
        qs = self.coverings().filter(self.active_q("org__"), party_org__form=PartyOrgForm.JOINT)
        n = Count("party_org_id", distinct=True)
        out: dict[str | None, int] = dict(qs.values_list("org__kind").annotate(n=n))
        out[None] = qs.aggregate(n=n)["n"]
        return out

    def instructors_by_kind(self) -> dict[str | None, int]:
        """Instructors (people) assigned to active organizations, once per kind and once in
        all (key None)."""
        qs = self.instructed().filter(self.active_q("org__"))
        n = Count("instructor__person_id", distinct=True)
        out: dict[str | None, int] = dict(qs.values_list("org__kind").annotate(n=n))
        out[None] = qs.aggregate(n=n)["n"]
        return out


@dataclass(frozen=True, slots=True)
class Profile:
    """What the reports tell apart of an active organization (`Facts.profiles`)."""

    formal: (
        int  # 0: no formal member; 1: fewer than a standalone Party organization needs; 2: enough
    )
    members: bool  # any member, formal or probationary
    standalone: int | None  # rank of its highest standalone Party organization (LEVEL_RANKS)
    joint: bool
    covered: bool  # by any Party organization (standalone, joint, functional)
    instructor: bool

    @classmethod
    def decode(cls, code: int) -> Profile:
        rank = code >> 3 & 3
        return cls(
            code >> 6,
            bool(code >> 5 & 1),
            None if rank == 3 else rank,
            bool(code >> 2 & 1),
            bool(code >> 1 & 1),
            bool(code & 1),
        )


LEVEL_RANKS = (PartyOrgLevel.COMMITTEE, PartyOrgLevel.GENERAL_BRANCH, PartyOrgLevel.BRANCH)


def _compose(template: str, *parts: QuerySet[Any, Any]) -> tuple[str, list[Any]]:
    """A SELECT over the compiled SQL of querysets (`{}` in `template`, in order), with
    their parameters in order: for joins the ORM cannot write (of grouped subqueries).
    Raises EmptyResultSet when one of them can match nothing."""
    sqls, params = [], []
    for qs in parts:
        sql, p = qs.query.get_compiler(qs.db).as_sql()
        sqls.append(sql)
        params.extend(p)
    return template.format(*sqls), params


def _execute(sql: str, params: list[Any]) -> list[Any]:
    """Run one of the reports' queries. On PostgreSQL without JIT compilation: it cost more
    than it saved (0.5 s of the 3.3 s org table at the national scale, measured)."""
    connection = connections["default"]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        return cursor.fetchall()


def _sql_rows(template: str, *parts: QuerySet[Any, Any]) -> list[Any]:
    try:
        sql, params = _compose(template, *parts)
    except EmptyResultSet:
        return []
    return _execute(sql, params)
