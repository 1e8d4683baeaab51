"""The jurisdiction gate (属地管理、分级负责): what each user may see and touch.

Every read that acts for a user goes through `Jurisdiction(user)`: its selectors return only
what the user's role and jurisdiction allow, and its `access_*` helpers fetch one object or
raise `NotFound` — exactly as for an object that does not exist, so that nobody learns what
lies outside their jurisdiction.

| role | sees |
|---|---|
| city, district, township | everything whose township lies in their area (materialized path) |
| registry | organizations it registered directly, and what hangs on them |
| supervisor | organizations it supervises, its industry Party organizations, what hangs on them |
| org | its Party organization, the organizations that one covers, its sub-organizations |
| instructor | the organizations assigned to them |

A superuser (the system operator) sees everything; a user with no role sees nothing.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, Max, Min, OuterRef, Q, QuerySet
from django.http import Http404

from dangjian.accounts.models import Role, User
from dangjian.areas.models import Area
from dangjian.lib.codes import normalize_uscc
from dangjian.orgs.models import (
    RegistrationMode,
    SocialOrganization,
    SocialOrganizationQuerySet,
)
from dangjian.partyorgs.models import (
    CommitteeMembership,
    Coverage,
    InstructorAssignment,
    PartyOrganization,
    PartyOrganizationQuerySet,
)
from dangjian.people.models import Employment, Membership, Person

AREA_ROLES = (Role.CITY, Role.DISTRICT, Role.TOWNSHIP)


class NotFound(Http404):
    """The object does not exist — or lies outside the user's jurisdiction: the same."""


@dataclass(frozen=True)
class Scope:
    """What a figure counts, in words: an area's name (长沙市), or the organizations of a
    unit, a Party organization or an instructor (长沙市教育局主管的社会组织)."""

    name: str
    area: bool  # the name is an area's

    def title(self, subject: str) -> str:
        """The heading of `subject` over this scope, without saying 社会组织 twice:
        长沙市社会组织党建概况, 长沙市教育局主管的社会组织党建概况."""
        if subject.startswith(ORGS) and self.name.endswith(ORGS):
            return self.name + subject.removeprefix(ORGS)
        return self.name + subject

    @property
    def line(self) -> str:
        """The line under a table's title: 填报区划：长沙市, 统计范围：…的社会组织."""
        return f"{'填报区划' if self.area else '统计范围'}：{self.name}"


ORGS = "社会组织"


class Jurisdiction:
    def __init__(self, user: User | None) -> None:
        self.user = user

    # --- who -----------------------------------------------------------------------------

    @property
    def everything(self) -> bool:
        return self.user is None or (self.user.is_superuser and not self.user.role)

    @property
    def area(self) -> Area | None:
        """The user's area, for the area roles."""
        if self.user is not None and self.user.role in AREA_ROLES:
            return self.user.area
        return None

    @property
    def nothing(self) -> bool:
        u = self.user
        if self.everything or u is None:
            return False
        if not u.is_active or not u.role:
            return True
        if u.role in AREA_ROLES:
            return u.area_id is None
        if u.role in (Role.REGISTRY, Role.SUPERVISOR):
            return u.unit_id is None
        if u.role == Role.ORG:
            return u.party_org_id is None
        return u.instructor_id is None

    def label(self) -> str:
        if self.user is None:
            return "系统"
        return self.user.jurisdiction_label() or self.user.username

    def scope(self, area: Area | None = None) -> Scope:
        """What the figures of this user's reports and dashboard count (of `area`, when one
        is asked for), in words — the one place the titles take it from."""
        whose = None if self.everything or self.area is not None else self._whose()
        if whose is None:
            top = area or self.area or (self.covered_area() if self.everything else None)
            return Scope(top.name if top is not None else "全部", True)
        if area is not None:
            top = self.facts_area()
            if top is None or not top.path.startswith(area.path):
                # A part of this user's organizations: those in `area`.
                return Scope(f"{whose}{area.name}{ORGS}", False)
        return Scope(f"{whose}{ORGS}", False)

    def _whose(self) -> str:
        """Whose organizations a user who is no area officer sees (…主管的)."""
        u = self.user
        if u is None or self.nothing:
            return "（无管辖范围）"
        if u.role == Role.REGISTRY and u.unit is not None:
            return f"{u.unit.name}直接登记的"
        if u.role == Role.SUPERVISOR and u.unit is not None:
            return f"{u.unit.name}主管的"
        if u.role == Role.ORG and u.party_org is not None:
            return f"{u.party_org.name}覆盖的"
        if u.role == Role.INSTRUCTOR and u.instructor is not None:
            return f"{u.instructor.person.name}（党建工作指导员）联系的"
        return "（无管辖范围）"

    def covered_area(self) -> Area | None:
        """The smallest area holding every organization (for those who see everything):
        the common prefix of the lowest and the highest township path is every path's."""
        # Over the townships that hold an organization (an index probe each), not over
        # the organizations: a country has some forty thousand of those, and millions of these.
        holding = Area.objects.filter(
            Exists(SocialOrganization.objects.filter(township=OuterRef("pk")))
        )
        ends = holding.aggregate(low=Min("path"), high=Max("path"))
        if ends["low"] is None:
            roots = list(Area.objects.filter(parent__isnull=True)[:2])
            return roots[0] if len(roots) == 1 else None
        code = _common_path({ends["low"], ends["high"]}).rstrip("/").rsplit("/", 1)[-1]
        return Area.objects.filter(code=code).first() if code else None

    # --- selectors -----------------------------------------------------------------------

    def orgs(self) -> SocialOrganizationQuerySet:
        qs: SocialOrganizationQuerySet = SocialOrganization.objects.all()
        if self.everything:
            return qs
        if self.nothing:
            return qs.none()
        u = self.user
        assert u is not None
        if u.role in AREA_ROLES:
            assert u.area is not None
            return qs.filter(township__path__startswith=u.area.path)
        if u.role == Role.REGISTRY:
            return qs.filter(registry_id=u.unit_id, registration_mode=RegistrationMode.DIRECT)
        if u.role == Role.SUPERVISOR:
            return qs.filter(supervisor_id=u.unit_id)
        if u.role == Role.ORG:
            return qs.filter(
                Exists(
                    Coverage.objects.filter(
                        org=OuterRef("pk"), party_org_id__in=self._own_party_orgs()
                    )
                )
            )
        assert u.instructor_id is not None
        return qs.filter(
            Exists(
                InstructorAssignment.objects.filter(
                    org=OuterRef("pk"), instructor_id=u.instructor_id
                )
            )
        )

    @functools.cache  # noqa: B019  (one Jurisdiction per request or command)
    def _own_party_orgs(self) -> list[int]:
        """The secretary's Party organization and everything under it."""
        assert self.user is not None and self.user.party_org_id is not None
        found = [self.user.party_org_id]
        frontier = found
        for _depth in range(10):
            frontier = list(
                PartyOrganization.objects.filter(parent_id__in=frontier).values_list(
                    "pk", flat=True
                )
            )
            if not frontier:
                break
            found.extend(frontier)
        return found

    def party_orgs(self) -> PartyOrganizationQuerySet:
        qs: PartyOrganizationQuerySet = PartyOrganization.objects.all()
        if self.everything:
            return qs
        if self.nothing:
            return qs.none()
        u = self.user
        assert u is not None
        if u.role in AREA_ROLES:
            assert u.area is not None
            return qs.filter(township__path__startswith=u.area.path)
        if u.role == Role.ORG:
            return qs.filter(pk__in=self._own_party_orgs())
        covering = Exists(
            Coverage.objects.filter(party_org=OuterRef("pk"), org__in=self.orgs().values("pk"))
        )
        if u.role == Role.SUPERVISOR:
            return qs.filter(covering | Q(unit_id=u.unit_id))
        return qs.filter(covering)

    def people(self) -> QuerySet[Person]:
        qs = Person.objects.all()
        if self.everything:
            return qs
        if self.nothing:
            return qs.none()
        orgs = self.orgs().values("pk")
        party_orgs = self.party_orgs().values("pk")
        return qs.filter(
            Exists(Employment.objects.filter(person=OuterRef("pk"), org__in=orgs))
            | Exists(
                Membership.objects.filter(person=OuterRef("pk"), relation_party_org__in=party_orgs)
            )
            | Exists(
                CommitteeMembership.objects.filter(person=OuterRef("pk"), party_org__in=party_orgs)
            )
            | Exists(
                InstructorAssignment.objects.filter(instructor__person=OuterRef("pk"), org__in=orgs)
            )
        )

    def areas(self) -> QuerySet[Area]:
        qs = Area.objects.all()
        if self.everything:
            return qs
        if self.area is not None:
            return qs.filter(path__startswith=self.area.path)
        if self.nothing:
            return qs.none()
        return qs.filter(pk__in=self.orgs().values("township_id"))

    def facts_area(self) -> Area | None:
        """The smallest area holding everything this user sees: what rules and reports are
        computed over before they are cut to the user's own objects."""
        if self.everything:
            return None
        if self.area is not None:
            return self.area
        if "_facts_area" not in self.__dict__:
            # Computed once per data version for the same unit, Party organization or
            # instructor (two queries over what it sees), then one lookup of the area.
            from django.core.cache import cache

            from dangjian.core.version import data_version

            u = self.user
            assert u is not None
            key = (
                f"facts_area:{data_version()}:{u.role}:{u.unit_id}:{u.party_org_id}:"
                f"{u.instructor_id}"
            )
            code = cache.get(key)
            if code is None:
                code = self._facts_area_code()
                cache.set(key, code, 24 * 3600)
            self.__dict__["_facts_area"] = Area.objects.filter(code=code).first() if code else None
        area: Area | None = self.__dict__["_facts_area"]
        return area

    def _facts_area_code(self) -> str:
        paths = set(self.orgs().values_list("township__path", flat=True).distinct()[:10_000])
        paths |= set(self.party_orgs().values_list("township__path", flat=True).distinct()[:10_000])
        if not paths:
            return ""
        common = _common_path(paths)
        return common.rstrip("/").rsplit("/", 1)[-1]

    def is_whole_area(self) -> bool:
        """Does this user see everything of its facts area (so no further cut is needed)?"""
        return self.everything or self.area is not None

    # --- single objects ------------------------------------------------------------------

    def access_org(self, uscc: str) -> SocialOrganization:
        org = self.orgs().filter(uscc=normalize_uscc(uscc)).first()
        if org is None:
            raise NotFound("社会组织不存在")
        return org

    def access_party_org(self, code: str) -> PartyOrganization:
        party_org = self.party_orgs().filter(code=code).first()
        if party_org is None:
            raise NotFound("党组织不存在")
        return party_org

    def access_person(self, pk: Any) -> Person:
        try:
            person = self.people().filter(pk=int(pk)).first()
        except (TypeError, ValueError):
            person = None
        if person is None:
            raise NotFound("人员不存在")
        return person

    def access_area(self, code: str) -> Area:
        area = self.areas().filter(code=code).first()
        if area is None:
            raise NotFound("区划不存在")
        return area


def _common_path(paths: set[str]) -> str:
    parts = [p.strip("/").split("/") for p in paths]
    common: list[str] = []
    for level in zip(*parts, strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    return "/" + "/".join(common) + "/" if common else ""


def scope_label(user: User | None, area: Area | None = None) -> Scope:
    """What `user`'s figures (of `area`, when one is asked for) count, in words: the
    label every title of a dashboard, a report page and a report file is made of."""
    return Jurisdiction(user).scope(area)


def findings_for(user: User | None) -> QuerySet[Any]:
    """The recorded findings (待办) whose subject the user may see."""
    from dangjian.compliance.models import FindingRecord

    gate = Jurisdiction(user)
    qs = FindingRecord.objects.all()
    if gate.everything:
        return qs
    if gate.nothing:
        return qs.none()
    if gate.area is not None:
        return qs.filter(area_path__startswith=gate.area.path)
    # Correlated EXISTS (one primary-key lookup per finding), not `IN (subquery)`: under an
    # OR, PostgreSQL cannot turn an IN into a join and may run the subquery again for each
    # finding — seconds for a secretary's dashboard once the table's statistics are off.
    subject = OuterRef("subject_pk")
    q: Any = (
        (Q(subject_type="social_org") & Exists(gate.orgs().filter(pk=subject)))
        | (Q(subject_type="party_org") & Exists(gate.party_orgs().filter(pk=subject)))
        | (Q(subject_type="person") & Exists(gate.people().filter(pk=subject)))
    )
    if gate.user is not None and gate.user.unit_id:
        q |= Q(subject_type="unit", subject_pk=gate.user.unit_id)
    return qs.filter(q)


def facts_for(as_of: Any, area: Area | None, user: User | None) -> Any:
    """The facts a report shows this user: of `area` (or of the user's whole jurisdiction),
    cut to the user's own organizations when the jurisdiction is not a whole area."""
    from dangjian.compliance.facts import Facts

    gate = Jurisdiction(user)
    if area is None and not gate.everything:
        area = gate.facts_area()
    facts = Facts(as_of, area)
    if gate.nothing:
        facts.restrict(set(), set())
    elif not gate.is_whole_area():
        facts.restrict(gate.orgs().values("pk"), gate.party_orgs().values("pk"))
    return facts


def scoped(qs: QuerySet[Any], user: User | None) -> QuerySet[Any]:
    """Any queryset of the project's models cut to what `user` may see — for generic
    places such as the admin. A model the gate does not know is shown to the operator only."""
    from dangjian.areas.models import Unit
    from dangjian.core.models import AuditEvent
    from dangjian.imports.models import ImportBatch
    from dangjian.partyorgs.models import Instructor

    gate = Jurisdiction(user)
    if gate.everything:
        return qs
    if gate.nothing:
        return qs.none()
    model = qs.model
    orgs = gate.orgs().values("pk")
    party_orgs = gate.party_orgs().values("pk")
    people = gate.people().values("pk")
    rules: dict[Any, Q] = {
        SocialOrganization: Q(pk__in=orgs),
        PartyOrganization: Q(pk__in=party_orgs),
        Person: Q(pk__in=people),
        Area: Q(pk__in=gate.areas().values("pk")),
        Employment: Q(org__in=orgs),
        Membership: Q(person__in=people),
        Coverage: Q(party_org__in=party_orgs),
        CommitteeMembership: Q(party_org__in=party_orgs),
        Instructor: Q(person__in=people),
        InstructorAssignment: Q(org__in=orgs),
        ImportBatch: Q(user=user),
        User: Q(pk=user.pk if user is not None else None),
    }
    from dangjian.cadres.models import Training
    from dangjian.life.models import (
        Activity,
        Attendance,
        DemonstrationSite,
        JointGroup,
        JointGroupMember,
        Meeting,
        MeetingAttachment,
        Pairing,
        PartyGroup,
    )

    rules.update(
        {
            PartyGroup: Q(party_org__in=party_orgs),
            Meeting: Q(party_org__in=party_orgs),
            Attendance: Q(meeting__party_org__in=party_orgs),
            MeetingAttachment: Q(meeting__party_org__in=party_orgs),
            Activity: Q(party_org__in=party_orgs),
            Pairing: Q(party_org__in=party_orgs),
            DemonstrationSite: Q(party_org__in=party_orgs),
            JointGroup: Q(lead__in=party_orgs),
            JointGroupMember: Q(party_org__in=party_orgs),
            Training: Q(person__in=people),
        }
    )  # organization life by its Party organization, a training by its trainee
    from dangjian.transfers.models import Transfer

    rules[Transfer] = Q(from_party_org__in=party_orgs)  # a transfer by its issuer
    from dangjian.bodies.selectors import PATHS

    if model in PATHS:  # the work bodies' records: the area officers'
        from dangjian.bodies.selectors import visible

        return qs.filter(pk__in=visible(model, gate).values("pk"))
    if model is Unit:
        assert user is not None
        if gate.area is not None:
            return qs.filter(area__path__startswith=gate.area.path)
        return qs.filter(pk=user.unit_id) if user.unit_id else qs.none()
    from dangjian.compliance.models import FindingRecord
    from dangjian.reports.models import JointProposal

    if model is FindingRecord:
        return findings_for(user)
    if model is JointProposal:
        return qs.filter(user=user)
    if model is AuditEvent or model not in rules:
        return qs.none()
    return qs.filter(rules[model])
