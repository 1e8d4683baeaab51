"""Instructors' work (POLICY 三.2) by quarter: per instructor, the organizations they are
assigned to during the quarter, how many they visited, and what came of the visits; per
township the same summed; and the instructors with no visit in the quarter. Three queries
over the jurisdiction, whatever its size."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.cadres.models import InstructorVisit
from dangjian.partyorgs.models import InstructorAssignment

QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def quarter_of(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_days(text: str) -> tuple[dt.date, dt.date]:
    """The first and last day of "2026-Q3" (ValueError for anything else)."""
    match = QUARTER.match(text)
    if match is None:
        raise ValueError(text)
    year, q = int(match[1]), int(match[2])
    first = dt.date(year, 3 * q - 2, 1)
    following = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
    return first, following - dt.timedelta(days=1)


@dataclass
class Progress:
    """One instructor's (or one township's) quarter."""

    key: int
    name: str
    masked: str = ""
    township: str = ""
    assigned: set[int] = field(default_factory=set)  # organizations
    visited: set[int] = field(default_factory=set)
    visits: int = 0
    unions: int = 0
    leagues: int = 0
    activists: int = 0
    members: int = 0

    @property
    def idle(self) -> bool:
        return self.visits == 0

    def row(self) -> list[Any]:
        return [
            len(self.assigned), len(self.visited), self.visits, self.unions, self.leagues,
            self.activists, self.members,
        ]  # fmt: skip


def progress(user: Any, quarter: str) -> tuple[list[Progress], list[Progress]]:
    """(per instructor, per township) for the organizations the user sees."""
    first, last = quarter_days(quarter)
    orgs = Jurisdiction(user).orgs().values("pk")
    during = Q(started_on__lte=last) & (Q(ended_on__isnull=True) | Q(ended_on__gt=first))
    people: dict[int, Progress] = {}
    towns: dict[str, Progress] = {}
    where: dict[int, str] = {}
    for instructor, name, masked, org, township_code, township in (
        InstructorAssignment.objects.filter(during, org__in=orgs)
        .order_by("instructor__person__name", "instructor_id")
        .values_list(
            "instructor_id",
            "instructor__person__name",
            "instructor__person__id_masked",
            "org_id",
            "org__township__code",
            "org__township__name",
        )
    ):
        people.setdefault(instructor, Progress(instructor, name, masked)).assigned.add(org)
        towns.setdefault(township_code, Progress(0, township, township=township_code))
        towns[township_code].assigned.add(org)
        where[org] = township_code
    visits = defaultdict(list)
    for row in InstructorVisit.objects.filter(
        org__in=orgs, visited_on__gte=first, visited_on__lte=last
    ).values_list(
        "instructor_id", "org_id", "union_set_up", "youth_league_set_up", "activists",
        "members_found", "org__township__code", "org__township__name",
    ):  # fmt: skip
        visits[row[0]].append(row)
    for instructor, rows in visits.items():
        for _i, org, union, league, activists, members, code, township in rows:
            targets = [towns.setdefault(code, Progress(0, township, township=code))]
            if instructor in people:
                targets.append(people[instructor])
            for p in targets:
                p.visited.add(org)
                p.visits += 1
                p.unions += union
                p.leagues += league
                p.activists += activists
                p.members += members
    return list(people.values()), sorted(towns.values(), key=lambda p: p.township)
