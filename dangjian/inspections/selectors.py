"""What the pages of annual inspections read (docs/dynamics.md): an organization's
Party-building state on a day, for the inspector to see what to ask; the inspections of the
organizations a user sees."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Min, QuerySet

from dangjian.accounts.jurisdiction import Jurisdiction, findings_for
from dangjian.compliance.models import FindingRecord
from dangjian.inspections.models import AnnualInspection, Evaluation
from dangjian.orgs.models import SocialOrganization
from dangjian.partyorgs.models import COVERING_FORMS, Coverage
from dangjian.people.models import Employment, Membership


@dataclass
class PartyState:
    """An organization's Party building on a day (the inspection's date)."""

    day: dt.date
    covered_by: list[dict[str, Any]] = field(default_factory=list)  # name, code, form, level
    formal: int = 0
    probationary: int = 0
    open_tasks: list[FindingRecord] = field(default_factory=list)  # about the organization
    # about its covering Party organizations, by rule: (rule, how many, the earliest due)
    party_tasks: list[tuple[str, int, dt.date | None]] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return bool(self.covered_by)


def party_state(user: Any, org: SocialOrganization, day: dt.date) -> PartyState:
    """Covered on `day` and by which Party organizations, its members employed that day
    (formal and probationary), and the open tasks about it or its covering Party
    organizations that the user may see."""
    state = PartyState(day)
    coverages = (
        Coverage.objects.filter(Coverage.current_on_q(day), org=org)
        .select_related("party_org")
        .order_by("party_org__code")
    )
    party_orgs = []
    for c in coverages:
        po = c.party_org
        if po.form in COVERING_FORMS and po.is_active(day):
            party_orgs.append(po.pk)
            state.covered_by.append({"name": po.name, "code": po.code,
                                     "form": po.get_form_display(),
                                     "level": po.get_level_display()})  # fmt: skip
    people = Employment.objects.filter(Employment.current_on_q(day), org=org).values("person_id")
    for m in Membership.objects.filter(person_id__in=people, joined_on__lte=day):
        if m.confirmed_on is not None and m.confirmed_on <= day:
            state.formal += 1
        else:
            state.probationary += 1
    seen = findings_for(user).filter(resolved_on__isnull=True)
    own = seen.filter(subject_type="social_org", subject_pk=org.pk)
    state.open_tasks = list(own.order_by("due", "rule"))
    state.party_tasks = list(
        seen.filter(subject_type="party_org", subject_pk__in=party_orgs)
        .order_by()
        .values("rule")
        .annotate(n=Count("pk"), first=Min("due"))
        .order_by("rule")
        .values_list("rule", "n", "first")
    )
    return state


def inspections_seen(gate: Jurisdiction) -> QuerySet[AnnualInspection]:
    qs = AnnualInspection.objects.select_related("org", "org__township")
    if not gate.everything:
        qs = qs.filter(org__in=gate.orgs().values("pk"))
    return qs


def org_inspections(org: SocialOrganization) -> list[AnnualInspection]:
    return list(AnnualInspection.objects.filter(org=org).order_by("-year"))


def org_evaluations(org: SocialOrganization) -> list[Evaluation]:
    return list(Evaluation.objects.filter(org=org).order_by("-evaluated_on"))
