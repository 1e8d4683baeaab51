"""The base of the facts: a jurisdiction and a date, the definitions every fact starts
from (querysets over the whole jurisdiction), and the helpers that read their rows.

Queries whose rows are combined by key clear the models' default ordering (`.order_by()`):
`Meta.ordering` would otherwise sort every row by related columns — employments and
memberships by the person's name, which joins the people table only to sort by it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import Q, QuerySet

from dangjian.areas.models import Area
from dangjian.orgs.models import (
    SocialOrganization,
)
from dangjian.partyorgs.models import (
    COVERING_FORMS,
    Coverage,
    InstructorAssignment,
    PartyOrganization,
)
from dangjian.people.models import Employment, Membership


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


class FactsBase:
    """The facts of one jurisdiction (`area`, None for all) on one date (`as_of`): the
    jurisdiction and the definitions every section's facts start from.

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
        self._only_units: set[int] | None = None  # the supervisory units the unit rules see

    def restrict(self, orgs: Any, party_orgs: Any) -> None:
        """Keep only these organizations and Party organizations (for a user whose
        jurisdiction is not a whole area: a registry, a supervisory unit, a secretary):
        querysets of their primary keys, or sets of them. Members too: only those held by
        these Party organizations or employed here."""
        self._only_orgs, self._only_party_orgs = orgs, party_orgs
        for name in (
            "orgs",
            "party_orgs",
            "members_by_township",
            "people",
            "_active_party_orgs_by_township",
        ):
            self.__dict__.pop(name, None)

    def restrict_units(self, units: set[int]) -> None:
        """Keep only these supervisory units as subjects of the unit rules (what each one
        manages is still counted in full): the live re-evaluation of a few of them."""
        self._only_units = units
        self.__dict__.pop("supervisory_units", None)

    def _only(self, prefix: str, party: bool = False) -> Q:
        """The restriction (if any) on rows whose organization (or Party organization, with
        `party`) `prefix` leads to."""
        only = self._only_party_orgs if party else self._only_orgs
        if only is None:
            return Q()
        if isinstance(only, (list, set, tuple, frozenset)):
            # Keys, as one parameter (lib/lookups.py); a set, which the ORM does not walk
            # item by item looking for expressions as it does a list.
            keys = only if isinstance(only, frozenset) else frozenset(only)
            return Q(**{f"{prefix}pk__in_ids": keys})
        return Q(**{f"{prefix}pk__in": only})

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
        """An organization active on the date (`SocialOrganization.active_on_q`)."""
        return SocialOrganization.active_on_q(self.as_of, prefix)

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
        """A formal member on the date (`Membership.formal_on_q`; in Python
        `Membership.confirmed_by`)."""
        return Membership.formal_on_q(self.as_of, prefix)

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
            InstructorAssignment.current_on_q(self.as_of),
            self._scoped("org__"),
            self._only("org__"),
        ).order_by()

    def party_org_base(self) -> QuerySet[PartyOrganization]:
        """The Party organizations of the jurisdiction founded on or before the date."""
        return PartyOrganization.objects.filter(
            self._party_scoped(""), self._only("", party=True), founded_on__lte=self.as_of
        ).order_by()
