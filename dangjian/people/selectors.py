"""Reads of people for a user, through the jurisdiction gate: the list's filters and search
(the rows behind the member and instructor figures, `web.figures`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.areas.models import AreaLevel
from dangjian.people.models import Employment, Membership, Person
from dangjian.web import figures

SORT = {"name": "name", "id": "id_masked"}


def person_search_q(text: str) -> Q:
    """The search of every people list: a part of the name, or the start of the masked
    identity number (never the number itself)."""
    return Q(name__contains=text) | Q(id_masked__startswith=text)


def people_list(*, gate: Jurisdiction, filters: dict[str, Any], today: dt.date) -> QuerySet[Person]:
    """The people of the user's jurisdiction that `filters` keep (the keys of
    `people.views.people_filters`)."""
    f = filters
    f["figure"] = bool(f["as_of"] or f["member"] or f["working"] or f["instructor"])
    qs = gate.people()
    if f["figure"]:
        # The people a figure counts, by its own definitions (`figures.people_q`), on its
        # date, in its area and the user's jurisdiction.
        facts = figures.facts_for_list(f["as_of"] or today, f["area"], gate)
        qs = qs.filter(
            figures.people_q(
                facts,
                member=f["member"],
                working=f["working"],
                elsewhere=f["elsewhere"],
                instructor=f["instructor"],
                kind=f["kind"],
            )
        )
    elif f["area"] is not None:
        # Working in an organization of the area, or with their relation held there.
        area = f["area"]
        where = "community__path" if area.level == AreaLevel.COMMUNITY else "township__path"
        qs = qs.filter(
            Exists(
                Employment.objects.filter(
                    person=OuterRef("pk"), **{f"org__{where}__startswith": area.path}
                )
            )
            | Exists(
                Membership.objects.filter(
                    person=OuterRef("pk"),
                    relation_party_org__township__path__startswith=area.path,
                )
            )
        )
    if f["q"]:
        qs = qs.filter(person_search_q(f["q"]))
    return qs
