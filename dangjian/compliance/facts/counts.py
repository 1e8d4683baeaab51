"""The facts as SQL, for the reports, which only count: `org_table` (one row per
organization, the same facts as `orgs`) and the GROUP BYs over it; the database does the
counting. `tests/test_facts_sql.py` holds these readings equal to the Python ones."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import Case, Count, F, Max, Min, Q, QuerySet, Value, When

from dangjian.compliance.facts.base import _compose, _execute, _sql_rows
from dangjian.compliance.facts.coverage import CoverageFacts
from dangjian.orgs.models import (
    OrgKind,
    SocialOrganization,
)
from dangjian.partyorgs.models import (
    SOCIAL_ORG_FORMS,
    PartyOrganization,
    PartyOrgForm,
    PartyOrgLevel,
)
from dangjian.people.models import Employment, Membership


class CountFacts(CoverageFacts):
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
        # seventh off the query at the national scale), encoded as `Profile` decodes it.
        rows = _execute(
            f"SELECT t.{by}, {Profile.encoding()}, "
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
        """Active Party organizations of social organizations, by township (read once)."""
        return dict(self._active_party_orgs_by_township)

    @functools.cached_property
    def _active_party_orgs_by_township(self) -> dict[int, int]:
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

    @staticmethod
    def encoding() -> str:
        """The profile of an `org_table` row `t` as one integer, in SQL (one parameter: the
        formal members a standalone Party organization needs)."""
        return " + ".join(f"({sql}) * {1 << shift}" for _n, shift, _b, sql, _r in _PARTS)

    @classmethod
    def decode(cls, code: int) -> Profile:
        """The profile `encoding` gave as `code`."""
        return cls(**{n: read(code >> shift & (1 << b) - 1) for n, shift, b, _s, read in _PARTS})


def _standalone(rank: int) -> int | None:
    return None if rank == 3 else rank


# The parts of a profile, defined once for the SQL that encodes it and the Python that
# decodes it: (field, bits, its number in SQL over an `org_table` row `t`, its reading).
_PART_SPECS: tuple[tuple[str, int, str, Callable[[int], Any]], ...] = (
    ("formal", 2, "CASE WHEN t.formal = 0 THEN 0 WHEN t.formal < %s THEN 1 ELSE 2 END", int),
    ("members", 1, "CASE WHEN t.members > 0 THEN 1 ELSE 0 END", bool),
    ("standalone", 2, "COALESCE(t.standalone, 3)", _standalone),  # 3: none
    ("joint", 1, "t.joint", bool),
    ("covered", 1, "t.covered", bool),
    ("instructor", 1, "t.instructor", bool),
)
# With the shift of each (the last part in the lowest bits).
_PARTS = tuple(
    (name, sum(b for _n, b, _s, _r in _PART_SPECS[i + 1 :]), bits, sql, read)
    for i, (name, bits, sql, read) in enumerate(_PART_SPECS)
)


LEVEL_RANKS = (PartyOrgLevel.COMMITTEE, PartyOrgLevel.GENERAL_BRANCH, PartyOrgLevel.BRANCH)
