"""五 加强以党组织书记为重点的骨干队伍建设 — the facts of Party organizations: members
by organizational relation, offices held, coverage."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

from django.db.models import Count

from dangjian.compliance.facts.management import ManagementFacts
from dangjian.lib.dated import holds_on
from dangjian.partyorgs.models import (
    SOCIAL_ORG_FORMS,
    CommitteeMembership,
    CommitteeRole,
    Coverage,
)
from dangjian.people.models import Membership


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


class BackboneFacts(ManagementFacts):
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
                Membership.member_on_q(d),
                self._party_scoped("relation_party_org__"),
                self._only("relation_party_org__", party=True),
            )
            .order_by()
            .values_list("relation_party_org_id")
            .annotate(all=Count("pk"), formal=Count("pk", filter=self.formal_q("")))
        )
        for party_org, count, formal in members:
            facts = out.get(party_org)
            if facts is not None:
                facts.members, facts.formal_members = count, formal
        for party_org, role, full_time, started, ended, person in (
            CommitteeMembership.objects.filter(
                self._party_scoped("party_org__"),
                self._only("party_org__", party=True),
                started_on__lte=d,
            )
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
            Coverage.objects.filter(
                Coverage.current_on_q(d),
                self._party_scoped("party_org__"),
                self._only("party_org__", party=True),
            )
            .order_by("party_org_id", "org_id")
            .values_list("party_org_id", "org_id")
        ):
            if party_org in out:
                out[party_org].covers.append(org)
        return out
