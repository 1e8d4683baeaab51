"""六.1 Dues (MEM-DUES-LAPSE, FUN-DUES-RETURN): the members who paid nothing in the months
the rule looks at, and the returns of dues short of what was paid up — each one grouped
query over the whole jurisdiction, never one per member (the dues table is the largest the
system holds: about 36 million rows a year nationally).

- `dues_lapsed(months)`: the members (formal or probationary on the date) whose relation a
  Party organization the rules check holds (as for `probationers`: active on the date, of
  form 单独组建, 联合组建 or 功能型), members since before the first of the `months` months
  before the date's month, with no dues row of 实缴金额 > 0 in any of them — one anti-join
  over the dues of the window (the (person, month) index); then, for those found only, the
  latest month before the window they paid in — one GROUP BY.
- `short_returns`: the returns (党费上缴与拨返) of a year before the date's year whose
  返还金额 is below 上缴金额, of every Party organization of a social organization (单独组建,
  联合组建, 功能型, 行业党委) whatever its state — one query."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, F, Max, OuterRef, Q

from dangjian.compliance.facts.development import DevelopmentFacts
from dangjian.compliance.facts.life import add_months
from dangjian.dues.models import DuesPayment, DuesReturn
from dangjian.lib.dated import holds_on_q
from dangjian.partyorgs.models import COVERING_FORMS, SOCIAL_ORG_FORMS
from dangjian.people.models import Membership


@dataclass(slots=True, frozen=True)
class LapsedFact:
    person: int
    name: str
    masked: str
    party_org: str  # the code of the Party organization holding the relation
    township_code: str
    first: dt.date  # the first month of the window (its first day)
    last: dt.date  # the last month of the window (its first day)
    last_paid: dt.date | None  # the latest month before the window paid in (its first day)


@dataclass(slots=True, frozen=True)
class ReturnFact:
    party_org: int
    code: str
    name: str
    township_code: str
    year: int
    paid_up: Decimal
    returned: Decimal


def lapse_window(day: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """The first days of the first and the last of the `months` months before `day`'s month
    (D = 2026-11-30, 6 months: 2026-05-01 and 2026-10-01)."""
    this_month = day.replace(day=1)
    return add_months(this_month, -months), add_months(this_month, -1)


class DuesFacts(DevelopmentFacts):
    def restrict_people(self, people: Iterable[int]) -> None:
        super().restrict_people(people)
        self.__dict__.pop("_dues_lapsed", None)

    def dues_lapsed(self, months: int) -> list[LapsedFact]:
        cached = self.__dict__.get("_dues_lapsed")
        if cached is None or cached[0] != months:
            cached = (months, self._lapsed(months))
            self.__dict__["_dues_lapsed"] = cached
        return cached[1]

    def _lapsed(self, months: int) -> list[LapsedFact]:
        d = self.as_of
        if months <= 0:
            return []
        first, last = lapse_window(d, months)
        only = (
            Q(person_id__in_ids=self._only_people)
            if self._only_people is not None
            else self._only("relation_party_org__", party=True)
        )
        paid = DuesPayment.objects.filter(
            person_id=OuterRef("person_id"), month__gte=first, month__lte=last, paid__gt=0
        )
        qs = Membership.objects.filter(
            Membership.member_on_q(d),
            holds_on_q(d, start="founded_on", end="dissolved_on", prefix="relation_party_org__",
                       start_required=True),
            self._party_scoped("relation_party_org__"),
            only,
            ~Exists(paid),
            joined_on__lt=first,
            relation_party_org__form__in=COVERING_FORMS,
        ).order_by("person_id")  # fmt: skip
        rows = list(
            qs.values_list(
                "person_id", "person__name", "person__id_masked", "relation_party_org__code",
                "relation_party_org__township__code",
            )
        )  # fmt: skip
        latest: dict[int, dt.date] = {}
        if rows:
            latest = dict(
                DuesPayment.objects.filter(
                    person_id__in_ids=frozenset(r[0] for r in rows), month__lt=first, paid__gt=0
                )
                .order_by()
                .values("person_id")
                .annotate(latest=Max("month"))
                .values_list("person_id", "latest")
            )
        return [LapsedFact(*row, first, last, latest.get(row[0])) for row in rows]

    @functools.cached_property
    def short_returns(self) -> list[ReturnFact]:
        qs = DuesReturn.objects.filter(
            self._party_scoped("party_org__"),
            self._only("party_org__", party=True),
            year__lt=self.as_of.year,
            returned__lt=F("paid_up"),
            party_org__form__in=SOCIAL_ORG_FORMS,
        ).order_by("party_org_id", "year")
        return [
            ReturnFact(*row)
            for row in qs.values_list(
                "party_org_id", "party_org__code", "party_org__name", "party_org__township__code",
                "year", "paid_up", "returned",
            )
        ]  # fmt: skip
