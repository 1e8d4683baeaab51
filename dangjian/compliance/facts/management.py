"""二 健全社会组织党建工作管理体制 — the facts of the management rules: units, the Party
organizations each supervisory unit manages, its industry Party committees."""

from __future__ import annotations

import functools
from collections import defaultdict

from django.db.models import Q

from dangjian.areas.models import Unit, UnitKind
from dangjian.compliance.facts.base import FactsBase
from dangjian.orgs.models import (
    PartyManagement,
    RegistrationMode,
    SocialOrganization,
)
from dangjian.partyorgs.models import (
    COVERING_FORMS,
    CommitteeMembership,
    Coverage,
    PartyOrganization,
    PartyOrgForm,
)


class ManagementFacts(FactsBase):
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
        if self._only_units is not None:
            qs = qs.filter(pk__in=sorted(self._only_units))
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
        # Only the units the rules look at (all of them unless restricted).
        units, their_offices = Q(), Q()
        if self._only_units is not None:
            units = Q(unit_id__in=sorted(self._only_units))
            their_offices = Q(party_org__unit_id__in=sorted(self._only_units))
        full_time: dict[int, int] = defaultdict(int)
        for party_org in (
            CommitteeMembership.objects.filter(
                CommitteeMembership.current_on_q(d),
                their_offices,
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
            units,
            form=PartyOrgForm.INDUSTRY,
            level__in=["committee", "general_branch"],
            unit__isnull=False,
        ).values_list("pk", "code", "unit_id"):
            out[unit].append((code, full_time.get(pk, 0)))
        return out
