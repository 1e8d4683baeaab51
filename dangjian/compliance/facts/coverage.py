"""三 推进社会组织党组织和党的工作全覆盖 — the facts of organizations: their members
(employed, by formal or probationary), the Party organizations covering them, instructors,
and the members of a Party organization to dissolve."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

from dangjian.compliance.facts.backbone import BackboneFacts
from dangjian.compliance.facts.base import _rows
from dangjian.lib.bulk import key_batches
from dangjian.lib.dated import holds_on
from dangjian.orgs.models import (
    SocialOrganization,
)
from dangjian.partyorgs.models import (
    PartyOrgForm,
)
from dangjian.people.models import Membership

# Forms of Party organization that can hold a lone member's relation (纳入管理, POLICY 3.1).
ADOPTING_FORMS = (PartyOrgForm.INDUSTRY, PartyOrgForm.TOWNSHIP, PartyOrgForm.COMMUNITY)


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
class RelationMember:
    person_id: int
    name: str
    masked: str
    relation_id: int


class CoverageFacts(BackboneFacts):
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
            active = SocialOrganization.active(registered_on, status, changed, d)
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
            formal = Membership.confirmed_by(confirmed, d)
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
                # Whatever their registration, as the coverage says they exist.
                known[pk] = (SocialOrganization.active(None, status, changed, self.as_of), changed)
        return known

    def members_of(self, party_orgs: list[int]) -> list[RelationMember]:
        """Members on the date whose organizational relation one of `party_orgs` held on
        the date: the relation stored today, unless a transfer received after the date moved
        it — then the source of the first such transfer (docs/transfers.md; for today's
        date there is none)."""
        from dangjian.transfers.models import Transfer, TransferStatus

        moved: dict[int, int] = {}  # person -> the relation on the date, moved since
        for person, source in (
            Transfer.objects.filter(status=TransferStatus.RECEIVED, received_on__gt=self.as_of)
            .order_by("person_id", "received_on", "pk")
            .values_list("person_id", "from_party_org_id")
        ):
            moved.setdefault(person, source)
        wanted = set(party_orgs)
        then = sorted(person for person, source in moved.items() if source in wanted)
        fields = ("person_id", "person__name", "person__id_masked", "relation_party_org_id")
        out: list[RelationMember] = []
        for batch in key_batches(sorted(party_orgs)):
            out.extend(
                RelationMember(*row)
                for row in Membership.objects.filter(
                    Membership.member_on_q(self.as_of),
                    relation_party_org_id__in=batch,
                )
                .order_by("person__id_masked", "person_id")
                .values_list(*fields)
                if row[0] not in moved
            )
        for batch in key_batches(then):
            out.extend(
                RelationMember(person, name, masked, moved[person])
                for person, name, masked, _today in Membership.objects.filter(
                    Membership.member_on_q(self.as_of), person_id__in=batch
                ).values_list(*fields)
            )
        if then:
            out.sort(key=lambda m: (m.masked, m.person_id))
        return out
