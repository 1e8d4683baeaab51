"""Export with the import columns, so that export → import → export gives the same file,
and templates to fill in (CONTRACT.md `export`).

Identity numbers are masked (first 6 + ******** + last 4) unless the caller asks for them
and may see them; every unmasked export is recorded in the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.accounts.models import User
from dangjian.areas.models import Area, Unit
from dangjian.compliance.policy import in_force
from dangjian.core.models import AuditAction, AuditEvent
from dangjian.imports.base import Kind
from dangjian.imports.fields import Column
from dangjian.imports.lookups import Place, shared_places
from dangjian.imports.registry import KINDS
from dangjian.imports.service import HINT_MARK
from dangjian.lib import crypto, sheets
from dangjian.orgs.models import (
    Industry,
    OrgKind,
    OrgStatus,
    PartyManagement,
    RegistrationMode,
)
from dangjian.partyorgs.models import (
    CommitteeMembership,
    CommitteeRole,
    Coverage,
    InstructorAssignment,
    InstructorSource,
    PartyOrganization,
    PartyOrgForm,
    PartyOrgLevel,
    PartyOrgStatus,
    SecretarySource,
)
from dangjian.people.models import Employment, PoliticalStatus, Position

CHUNK = 2000

__all__ = ["HINT_MARK", "export_rows", "rows_seen_by", "write_export", "write_template"]


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _label(choices: Any, value: str | None) -> str:
    return str(choices(value).label) if value else ""


class _AreaNames:
    """Areas as the importer reads them back: the name where it is unambiguous in the
    scope the importer resolves it in, the code otherwise."""

    def __init__(self) -> None:
        self.places = shared_places()

    def name(self, area_id: int | None, *, scoped: bool) -> str:
        if area_id is None:
            return ""
        place: Place = self.places.by_id[area_id]
        same = self.places.by_name.get((place.level, place.name), [])
        if scoped:
            same = [p for p in same if p.parent_id == place.parent_id]
        return place.name if len(same) == 1 else place.code


def _id_number(encrypted: str, masked: str, unmask: bool) -> str:
    return crypto.decrypt(encrypted) if unmask else masked


def _orgs(gate: Jurisdiction, area: Area | None, unmask: bool) -> Iterator[list[str]]:
    qs = gate.orgs().order_by("uscc")
    if area is not None:
        qs = qs.within(area)
    return org_export_rows(qs)


def org_export_rows(qs: Any) -> Iterator[list[str]]:
    """The `orgs` kind's rows (its import columns, as text) of the organizations of `qs`:
    the export, and what the registry's live feed merges a change onto (`dangjian.feed`)."""
    names = _AreaNames()
    units = dict(Unit.objects.values_list("pk", "name"))
    for row in qs.values_list(
        "uscc", "name", "kind", "registry_id", "registration_mode", "supervisor_id", "industry",
        "district_id", "township_id", "community_id", "registered_on", "status",
        "status_changed_on", "staff_count", "party_management",
    ).iterator(chunk_size=CHUNK):  # fmt: skip
        (uscc, name, kind, registry, mode, supervisor, industry, district, township,
         community, registered, status, changed, staff, management) = row  # fmt: skip
        yield [
            uscc,
            name,
            _label(OrgKind, kind),
            units[registry],
            _label(RegistrationMode, mode),
            units.get(supervisor, "") if supervisor else "",
            _label(Industry, industry),
            names.name(district, scoped=False),
            names.name(township, scoped=True),
            names.name(community, scoped=True),
            _date(registered),
            _label(OrgStatus, status),
            _date(changed),
            "" if staff is None else str(staff),
            _label(PartyManagement, management),
        ]


def _party_orgs(gate: Jurisdiction, area: Area | None, unmask: bool) -> Iterator[list[str]]:
    names = _AreaNames()
    qs = gate.party_orgs().order_by("code")
    if area is not None:
        qs = qs.within(area)
    code_of = dict(PartyOrganization.objects.values_list("pk", "code"))
    for chunk in _chunks(qs.values_list(
        "pk", "code", "name", "level", "form", "parent_id", "township_id", "founded_on",
        "term_started_on", "status", "dissolved_on",
    )):  # fmt: skip
        covers: dict[int, list[str]] = {}
        for party_org, uscc in (
            Coverage.objects.filter(party_org_id__in=[r[0] for r in chunk], ended_on__isnull=True)
            .order_by("org__uscc")
            .values_list("party_org_id", "org__uscc")
        ):
            covers.setdefault(party_org, []).append(uscc)
        for (
            pk,
            code,
            name,
            level,
            form,
            parent,
            township,
            founded,
            term,
            status,
            dissolved,
        ) in chunk:
            yield [
                code,
                name,
                _label(PartyOrgLevel, level),
                _label(PartyOrgForm, form),
                code_of.get(parent, "") if parent else "",
                ";".join(covers.get(pk, [])),
                names.name(township, scoped=False),
                _date(founded),
                _date(term),
                _label(PartyOrgStatus, status),
                _date(dissolved),
            ]


def _people(gate: Jurisdiction, area: Area | None, unmask: bool) -> Iterator[list[str]]:
    people = (
        gate.people()
        .filter(
            ~Q(political_status="") | Q(employments__isnull=False) | Q(membership__isnull=False)
        )
        .distinct()
    )
    if area is not None:
        people = people.filter(
            Q(employments__org__township__path__startswith=area.path)
            | Q(membership__relation_party_org__township__path__startswith=area.path)
        ).distinct()
    code_of = dict(PartyOrganization.objects.values_list("pk", "code"))
    for chunk in _chunks(
        people.order_by("id_masked", "pk").values_list(
            "pk", "name", "id_encrypted", "id_masked", "political_status",
            "membership__joined_on", "membership__confirmed_on",
            "membership__relation_party_org_id", "membership__probation_extended_to",
        )
    ):  # fmt: skip
        jobs: dict[int, list[tuple[Any, ...]]] = {}
        employment = Employment.objects.filter(person_id__in=[r[0] for r in chunk])
        for job in employment.order_by("person_id", "started_on", "org__uscc", "pk").values_list(
            "person_id", "org__uscc", "position", "started_on", "ended_on"
        ):
            jobs.setdefault(job[0], []).append(job[1:])
        for pk, name, encrypted, masked, status, joined, confirmed, relation, extended in chunk:
            number = _id_number(encrypted, masked, unmask)
            own = [
                _label(PoliticalStatus, status),
                _date(joined),
                _date(confirmed),
                code_of.get(relation, "") if relation else "",
                _date(extended) if confirmed is None else "",  # 预备期延长至: probationary only
            ]
            for uscc, position, started, ended in jobs.get(pk) or [(None, "", None, None)]:
                yield [
                    name,
                    number,
                    uscc or "",
                    _label(Position, position),
                    _date(started),
                    _date(ended),
                    *own,
                ]


def _committees(gate: Jurisdiction, area: Area | None, unmask: bool) -> Iterator[list[str]]:
    qs = CommitteeMembership.objects.all()
    if not gate.everything:
        qs = qs.filter(party_org__in=gate.party_orgs().values("pk"))
    if area is not None:
        qs = qs.filter(party_org__township__path__startswith=area.path)
    for code, encrypted, masked, role, started, ended, full_time, source in qs.order_by(
        "party_org__code", "person__id_masked", "role", "started_on", "pk"
    ).values_list(
        "party_org__code", "person__id_encrypted", "person__id_masked", "role", "started_on",
        "ended_on", "full_time", "source",
    ).iterator(chunk_size=CHUNK):  # fmt: skip
        yield [
            code,
            _id_number(encrypted, masked, unmask),
            _label(CommitteeRole, role),
            _date(started),
            _date(ended),
            "是" if full_time else "否",
            _label(SecretarySource, source),
        ]


def _instructors(gate: Jurisdiction, area: Area | None, unmask: bool) -> Iterator[list[str]]:
    qs = InstructorAssignment.objects.all()
    if not gate.everything:
        qs = qs.filter(org__in=gate.orgs().values("pk"))
    if area is not None:
        qs = qs.filter(org__township__path__startswith=area.path)
    for name, encrypted, masked, source, uscc, started, ended in qs.order_by(
        "instructor__person__id_masked", "instructor__person_id", "org__uscc", "started_on", "pk"
    ).values_list(
        "instructor__person__name", "instructor__person__id_encrypted",
        "instructor__person__id_masked", "instructor__source", "org__uscc", "started_on",
        "ended_on",
    ).iterator(chunk_size=CHUNK):  # fmt: skip
        yield [
            name,
            _id_number(encrypted, masked, unmask),
            _label(InstructorSource, source),
            uscc,
            _date(started),
            _date(ended),
        ]


def _party_groups(gate: Jurisdiction, area: Area | None, unmask: bool) -> Iterator[list[str]]:
    from dangjian.life.models import PartyGroup

    qs = PartyGroup.objects.all()
    if not gate.everything:
        qs = qs.filter(party_org__in=gate.party_orgs().values("pk"))
    if area is not None:
        qs = qs.filter(party_org__township__path__startswith=area.path)
    for code, name, encrypted, masked, founded, dissolved in qs.order_by(
        "party_org__code", "name"
    ).values_list(
        "party_org__code", "name", "leader__id_encrypted", "leader__id_masked", "founded_on",
        "dissolved_on",
    ).iterator(chunk_size=CHUNK):  # fmt: skip
        leader = _id_number(encrypted, masked, unmask) if encrypted else ""
        yield [code, name, leader, _date(founded), _date(dissolved)]


def _meetings(gate: Jurisdiction, area: Area | None, unmask: bool) -> Iterator[list[str]]:
    from dangjian.life.models import Attendance, AttendanceStatus, Meeting, MeetingType, duties_text

    qs = Meeting.objects.all()
    if not gate.everything:
        qs = qs.filter(party_org__in=gate.party_orgs().values("pk"))
    if area is not None:
        qs = qs.filter(party_org__township__path__startswith=area.path)
    rows = qs.order_by("party_org__code", "held_on", "type", "party_group__name", "pk").values_list(
        "pk", "party_org__code", "type", "party_group__name", "held_on", "topic", "expected",
        "present", "duties", "place", "host", "recorder", "minutes",
    )  # fmt: skip
    for chunk in _chunks(rows):
        lists: dict[int, dict[str, list[str]]] = {}
        for meeting, status, reason, encrypted, masked in (
            Attendance.objects.filter(meeting_id__in=[row[0] for row in chunk])
            .order_by("meeting_id", "person__id_masked", "pk")
            .values_list(
                "meeting_id", "status", "reason", "person__id_encrypted", "person__id_masked"
            )
        ):
            number = _id_number(encrypted, masked, unmask)
            if status == AttendanceStatus.LEAVE and reason:
                number += f"（{reason}）"
            lists.setdefault(meeting, {}).setdefault(status, []).append(number)
        for pk, code, type_, group, held, topic, expected, present, duties, *rest in chunk:
            people = lists.get(pk, {})
            yield [
                code,
                _label(MeetingType, type_),
                group or "",
                _date(held),
                topic,
                "" if expected is None else str(expected),
                "" if present is None else str(present),
                duties_text(duties),
                *rest,
                *(
                    ";".join(people.get(status, []))
                    for status in (
                        AttendanceStatus.PRESENT,
                        AttendanceStatus.LEAVE,
                        AttendanceStatus.ABSENT,
                    )
                ),
            ]


def _life_scoped(
    model: Any, gate: Jurisdiction, area: Area | None, field: str = "party_org"
) -> Any:
    """The records of a life model whose Party organization (`field`) the gate sees, in
    `area` when given."""
    qs = model.objects.all()
    if not gate.everything:
        qs = qs.filter(**{f"{field}__in": gate.party_orgs().values("pk")})
    if area is not None:
        qs = qs.filter(**{f"{field}__township__path__startswith": area.path})
    return qs


def _pairings(gate: Jurisdiction, area: Area | None, unmask: bool) -> Iterator[list[str]]:
    from dangjian.life.models import Pairing

    qs = _life_scoped(Pairing, gate, area).order_by(
        "party_org__code", "started_on", "partner__code", "partner_name", "pk"
    )
    for code, partner, name, started, ended, content in qs.values_list(
        "party_org__code", "partner__code", "partner_name", "started_on", "ended_on", "content"
    ).iterator(chunk_size=CHUNK):
        yield [code, partner or "", name, _date(started), _date(ended), content]


def _demonstration_sites(gate: Jurisdiction, area: Area | None, unmask: bool
                         ) -> Iterator[list[str]]:  # fmt: skip
    from dangjian.life.models import DemonstrationSite, SiteLevel

    qs = _life_scoped(DemonstrationSite, gate, area).order_by(
        "party_org__code", "year", "level", "pk"
    )
    for code, level, year, named_by in qs.values_list(
        "party_org__code", "level", "year", "named_by"
    ).iterator(chunk_size=CHUNK):
        yield [code, _label(SiteLevel, level), str(year), named_by]


def _joint_groups(gate: Jurisdiction, area: Area | None, unmask: bool) -> Iterator[list[str]]:
    """One row per member of the 联组 whose lead the gate sees (in `area`: the lead's), of
    the members it sees too."""
    from dangjian.life.models import JointGroupMember

    names = _AreaNames()
    qs = _life_scoped(JointGroupMember, gate, area, "group__lead")
    if not gate.everything:
        qs = qs.filter(party_org__in=gate.party_orgs().values("pk"))
    qs = qs.order_by("group__lead__code", "group__name", "party_org__code", "started_on", "pk")
    for row in qs.values_list(
        "group__name", "group__lead__code", "group__township_id", "group__founded_on",
        "group__dissolved_on", "party_org__code", "started_on", "ended_on",
    ).iterator(chunk_size=CHUNK):  # fmt: skip
        name, lead, township, founded, dissolved, member, started, ended = row
        yield [
            name, lead, names.name(township, scoped=False), _date(founded), _date(dissolved),
            member, _date(started), _date(ended),
        ]  # fmt: skip


def _activities(gate: Jurisdiction, area: Area | None, unmask: bool) -> Iterator[list[str]]:
    from dangjian.life.models import Activity, ActivityKind, duties_text

    qs = _life_scoped(Activity, gate, area).order_by(
        "party_org__code", "held_on", "kind", "title", "pk"
    )
    for row in qs.values_list(
        "party_org__code", "kind", "held_on", "title", "participants", "duties",
        "partner__code", "joint_group__name", "occasion", "description",
    ).iterator(chunk_size=CHUNK):  # fmt: skip
        code, kind, held, title, participants, duties, partner, group, occasion, text = row
        yield [
            code, _label(ActivityKind, kind), _date(held), title,
            "" if participants is None else str(participants), duties_text(duties),
            partner or "", group or "", occasion, text,
        ]  # fmt: skip


def _trainings(gate: Jurisdiction, area: Area | None, unmask: bool) -> Iterator[list[str]]:
    from dangjian.cadres.models import Training, TrainingKind
    from dangjian.imports.kinds.cadres import days_text

    qs = Training.objects.all()
    if not gate.everything:
        qs = qs.filter(person__in=gate.people().values("pk"))
    if area is not None:
        qs = qs.filter(
            Q(person__employments__org__township__path__startswith=area.path)
            | Q(person__membership__relation_party_org__township__path__startswith=area.path)
        ).distinct()
    qs = qs.order_by("started_on", "name", "person__id_masked", "pk")
    for encrypted, masked, name, kind, organizer, started, ended, days in qs.values_list(
        "person__id_encrypted", "person__id_masked", "name", "kind", "organizer", "started_on",
        "ended_on", "days",
    ).iterator(chunk_size=CHUNK):  # fmt: skip
        yield [
            _id_number(encrypted, masked, unmask), name, _label(TrainingKind, kind), organizer,
            _date(started), _date(ended), days_text(days),
        ]  # fmt: skip


def _applicants(gate: Jurisdiction, area: Area | None, unmask: bool) -> Iterator[list[str]]:
    """`applicants` (docs/development.md): those developed by a Party organization the gate
    sees (in `area` when given)."""
    from dangjian.development.models import Applicant, ApplicantStatus

    qs = Applicant.objects.all()
    if not gate.everything:
        qs = qs.filter(party_org__in=gate.party_orgs().values("pk"))
    if area is not None:
        qs = qs.filter(party_org__township__path__startswith=area.path)
    qs = qs.order_by("applied_on", "person__id_masked", "pk")
    for encrypted, masked, code, applied, talked, activist, candidate, status, changed in qs.values_list(
        "person__id_encrypted", "person__id_masked", "party_org__code", "applied_on", "talked_on",
        "activist_on", "candidate_on", "status", "status_changed_on",
    ).iterator(chunk_size=CHUNK):  # fmt: skip
        yield [
            _id_number(encrypted, masked, unmask), code, _date(applied), _date(talked),
            _date(activist), _date(candidate), _label(ApplicantStatus, status), _date(changed),
        ]  # fmt: skip


def _transfers(gate: Jurisdiction, area: Area | None, unmask: bool) -> Iterator[list[str]]:
    """`transfers` (docs/transfers.md): those issued by a Party organization the gate sees
    (in `area` when given)."""
    from dangjian.transfers.models import Transfer, TransferStatus

    qs = Transfer.objects.all()
    if not gate.everything:
        qs = qs.filter(from_party_org__in=gate.party_orgs().values("pk"))
    if area is not None:
        qs = qs.filter(from_party_org__township__path__startswith=area.path)
    qs = qs.order_by("issued_on", "person__id_masked", "pk")
    for encrypted, masked, source, target, to_name, letter, issued, status, received in qs.values_list(
        "person__id_encrypted", "person__id_masked", "from_party_org__code", "to_party_org__code",
        "to_name", "letter_no", "issued_on", "status", "received_on",
    ).iterator(chunk_size=CHUNK):  # fmt: skip
        yield [
            _id_number(encrypted, masked, unmask), source, target or "", to_name, letter,
            _date(issued), _label(TransferStatus, status), _date(received),
        ]  # fmt: skip


def _dues(gate: Jurisdiction, area: Area | None, unmask: bool) -> Iterator[list[str]]:
    """`dues` (docs/dues.md): the payments of the members the gate sees (whose relation is
    held in `area` when given), with the amount due computed from the policy's brackets."""

    from dangjian.dues.amounts import amount_due
    from dangjian.dues.models import DuesCategory, DuesPayment
    from dangjian.imports.kinds.dues import month_text

    policy = in_force()
    qs = DuesPayment.objects.all()
    if not gate.everything:
        qs = qs.filter(person__in=gate.people().values("pk"))
    if area is not None:
        qs = qs.filter(person__membership__relation_party_org__township__path__startswith=area.path)
    qs = qs.order_by("month", "person__id_masked", "pk")
    for encrypted, masked, month, category, base, paid, paid_on in qs.values_list(
        "person__id_encrypted", "person__id_masked", "month", "category", "base", "paid",
        "paid_on",
    ).iterator(chunk_size=CHUNK):  # fmt: skip
        yield [
            _id_number(encrypted, masked, unmask), month_text(month), _label(DuesCategory, category),
            _money(base), _money(paid), _date(paid_on), _money(amount_due(policy, category, base)),
        ]  # fmt: skip


def _money(value: Any) -> str:
    return "" if value is None else f"{value:.2f}"


def _of_party_orgs(gate: Jurisdiction, area: Area | None, qs: Any) -> Any:
    """The records of the Party organizations the gate sees (in `area` when given)."""
    if not gate.everything:
        qs = qs.filter(party_org__in=gate.party_orgs().values("pk"))
    if area is not None:
        qs = qs.filter(party_org__township__path__startswith=area.path)
    return qs


def _dues_returns(gate: Jurisdiction, area: Area | None, unmask: bool) -> Iterator[list[str]]:
    from dangjian.dues.models import DuesReturn

    qs = _of_party_orgs(gate, area, DuesReturn.objects.all())
    for code, year, paid_up, returned, returned_on in qs.order_by(
        "party_org__code", "year"
    ).values_list("party_org__code", "year", "paid_up", "returned", "returned_on"):
        yield [code, str(year), _money(paid_up), _money(returned), _date(returned_on)]


def _funds(gate: Jurisdiction, area: Area | None, unmask: bool) -> Iterator[list[str]]:
    from dangjian.dues.models import Fund, FundSource

    qs = _of_party_orgs(gate, area, Fund.objects.all())
    for code, year, source, amount in qs.order_by("party_org__code", "year", "source").values_list(
        "party_org__code", "year", "source", "amount"
    ):
        yield [code, str(year), _label(FundSource, source), _money(amount)]


def _recommendations(gate: Jurisdiction, area: Area | None, unmask: bool) -> Iterator[list[str]]:
    from dangjian.cadres.models import Opinion, Recommendation, RecommendationKind

    qs = Recommendation.objects.all()
    if not gate.everything:
        qs = qs.filter(person__in=gate.people().values("pk"))
    if area is not None:
        qs = qs.filter(person__employments__org__township__path__startswith=area.path).distinct()
    qs = qs.order_by("recommended_on", "person__id_masked", "kind", "pk")
    for encrypted, masked, kind, day, code, opinion in qs.values_list(
        "person__id_encrypted", "person__id_masked", "kind", "recommended_on", "party_org__code",
        "opinion",
    ).iterator(chunk_size=CHUNK):  # fmt: skip
        yield [
            _id_number(encrypted, masked, unmask), _label(RecommendationKind, kind), _date(day),
            code or "", _label(Opinion, opinion) if opinion else "",
        ]  # fmt: skip


def _party_workers(gate: Jurisdiction, area: Area | None, unmask: bool) -> Iterator[list[str]]:
    from dangjian.cadres.models import PartyWorker

    qs = PartyWorker.objects.all()
    if not gate.everything:
        qs = qs.filter(party_org__in=gate.party_orgs().values("pk"))
    if area is not None:
        qs = qs.filter(party_org__township__path__startswith=area.path)
    for code, encrypted, masked, full_time, started, ended in qs.order_by(
        "party_org__code", "person__id_masked", "started_on", "pk"
    ).values_list(
        "party_org__code", "person__id_encrypted", "person__id_masked", "full_time",
        "started_on", "ended_on",
    ).iterator(chunk_size=CHUNK):  # fmt: skip
        yield [
            code, _id_number(encrypted, masked, unmask), "是" if full_time else "否",
            _date(started), _date(ended),
        ]  # fmt: skip


def _worker_allowances(gate: Jurisdiction, area: Area | None, unmask: bool) -> Iterator[list[str]]:
    from dangjian.cadres.models import WorkerAllowance

    qs = WorkerAllowance.objects.all()
    if not gate.everything:
        qs = qs.filter(party_org__in=gate.party_orgs().values("pk"))
    if area is not None:
        qs = qs.filter(party_org__township__path__startswith=area.path)
    for code, encrypted, masked, year, amount in qs.order_by(
        "party_org__code", "person__id_masked", "year", "pk"
    ).values_list(
        "party_org__code", "person__id_encrypted", "person__id_masked", "year", "amount"
    ).iterator(chunk_size=CHUNK):  # fmt: skip
        yield [code, _id_number(encrypted, masked, unmask), str(year), f"{amount:.2f}"]


def _studies(gate: Jurisdiction, area: Area | None, unmask: bool) -> Iterator[list[str]]:
    """研究主体 as its district's code (a name may not be unique) or its unit's name."""
    from dangjian.bodies.models import TopicStudy

    qs = TopicStudy.objects.all()
    if not gate.everything and gate.area is None:
        return  # the studies are the area officers' (and the system's) records
    for scope in (gate.area, area):
        if scope is not None:
            qs = qs.filter(
                Q(area__path__startswith=scope.path) | Q(unit__area__path__startswith=scope.path)
            )
    for code, unit, held, topic in qs.order_by("held_on", "area__code", "unit__name", "pk").values_list(
        "area__code", "unit__name", "held_on", "topic"
    ).iterator(chunk_size=CHUNK):  # fmt: skip
        yield [code or unit or "", _date(held), topic]


def _instructor_visits(gate: Jurisdiction, area: Area | None, unmask: bool) -> Iterator[list[str]]:
    from dangjian.cadres.models import InstructorVisit

    qs = InstructorVisit.objects.all()
    if not gate.everything:
        qs = qs.filter(org__in=gate.orgs().values("pk"))
    if area is not None:
        qs = qs.filter(org__township__path__startswith=area.path)
    for row in qs.order_by(
        "visited_on", "instructor__person__id_masked", "org__uscc", "pk"
    ).values_list(
        "instructor__person__id_encrypted", "instructor__person__id_masked", "org__uscc",
        "visited_on", "content", "union_set_up", "youth_league_set_up", "activists",
        "members_found",
    ).iterator(chunk_size=CHUNK):  # fmt: skip
        encrypted, masked, uscc, day, content, union, league, activists, found = row
        yield [
            _id_number(encrypted, masked, unmask), uscc, _date(day), content,
            "是" if union else "否", "是" if league else "否", str(activists), str(found),
        ]  # fmt: skip


def _of_orgs(gate: Jurisdiction, area: Area | None, qs: Any) -> Any:
    """The records of the organizations the gate sees (in `area` when given)."""
    if not gate.everything:
        qs = qs.filter(org__in=gate.orgs().values("pk"))
    if area is not None:
        qs = qs.filter(org__township__path__startswith=area.path)
    return qs


def _yes(value: bool) -> str:
    return "是" if value else "否"


def _inspections(gate: Jurisdiction, area: Area | None, unmask: bool) -> Iterator[list[str]]:
    from dangjian.inspections.models import AnnualInspection, InspectionResult

    qs = _of_orgs(gate, area, AnnualInspection.objects.all())
    for uscc, year, result, party, day in qs.order_by("org__uscc", "year").values_list(
        "org__uscc", "year", "result", "party_section", "inspected_on"
    ):
        yield [uscc, str(year), _label(InspectionResult, result), _yes(party), _date(day)]


def _evaluations(gate: Jurisdiction, area: Area | None, unmask: bool) -> Iterator[list[str]]:
    from dangjian.inspections.models import Evaluation

    qs = _of_orgs(gate, area, Evaluation.objects.all())
    for uscc, day, grade, until, party, score in qs.order_by(
        "org__uscc", "evaluated_on"
    ).values_list(
        "org__uscc", "evaluated_on", "grade", "valid_until", "party_section", "party_score"
    ):
        score_text = "" if score is None else str(score)
        yield [uscc, _date(day), grade, _date(until), _yes(party), score_text]


def _rectifications(gate: Jurisdiction, area: Area | None, unmask: bool) -> Iterator[list[str]]:
    from dangjian.rectifications.models import Rectification

    qs = _of_party_orgs(gate, area, Rectification.objects.all())
    for code, day, problem, deadline, resolved in qs.order_by(
        "party_org__code", "identified_on"
    ).values_list("party_org__code", "identified_on", "problem", "deadline", "resolved_on"):
        yield [code, _date(day), problem, _date(deadline), _date(resolved)]


def _venues(gate: Jurisdiction, area: Area | None, unmask: bool) -> Iterator[list[str]]:
    from dangjian.venues.models import SIX_FIELDS, Venue

    qs = _of_party_orgs(gate, area, Venue.objects.all())
    for code, name, *flags, day in qs.order_by("party_org__code", "checked_on").values_list(
        "party_org__code", "name", *SIX_FIELDS, "checked_on"
    ):
        yield [code, name, *(_yes(flag) for flag in flags), _date(day)]


def _service_centres(gate: Jurisdiction, area: Area | None, unmask: bool
                     ) -> Iterator[list[str]]:  # fmt: skip
    from dangjian.venues.models import ServiceCentre

    qs = ServiceCentre.objects.all()
    for scope in (None if gate.everything else gate.area, area):
        if scope is not None:
            qs = qs.filter(township__path__startswith=scope.path)
    if not gate.everything and gate.area is None:  # the centres of a Party organization's use
        qs = qs.filter(venues__party_org__in=gate.party_orgs().values("pk")).distinct()
    for row in qs.order_by("name").values_list(
        "name", "township__code", "address", "floor_area", "capacity", "opening_hours",
        "managing_unit",
    ):  # fmt: skip
        name, township, address, floor_area, capacity, hours, unit = row
        yield [
            name, township, address, "" if floor_area is None else str(floor_area),
            "" if capacity is None else str(capacity), hours, unit,
        ]  # fmt: skip


def _in_scope(gate: Jurisdiction, area: Area | None, qs: Any, path: str) -> Any:
    """The records of the work bodies' kinds the gate sees (the area officers' records: none
    for any other role), in `area` when given."""
    if not gate.everything and gate.area is None:
        return qs.none()
    for scope in (gate.area, area):
        if scope is not None:
            qs = qs.filter(**{f"{path}__startswith": scope.path})
    return qs


def _work_bodies(gate: Jurisdiction, area: Area | None, unmask: bool) -> Iterator[list[str]]:
    """The district by its code (a name may not be unique)."""
    from dangjian.bodies.models import WorkBody, WorkBodyKind

    qs = _in_scope(gate, area, WorkBody.objects.all(), "unit__area__path")
    for name, code, kind, established in qs.order_by("unit__area__code", "kind", "unit__name", "pk").values_list(
        "unit__name", "unit__area__code", "kind", "established_on"
    ).iterator(chunk_size=CHUNK):  # fmt: skip
        yield [name, code, _label(WorkBodyKind, kind), _date(established)]


def _work_body_staff(gate: Jurisdiction, area: Area | None, unmask: bool) -> Iterator[list[str]]:
    from dangjian.bodies.models import WorkBodyStaff

    qs = _in_scope(gate, area, WorkBodyStaff.objects.all(), "body__unit__area__path")
    for body, name, post, full_time, started, ended in qs.order_by(
        "body__unit__name", "started_on", "name", "pk"
    ).values_list(
        "body__unit__name", "name", "post", "full_time", "started_on", "ended_on"
    ).iterator(chunk_size=CHUNK):  # fmt: skip
        yield [body, name, post, "专职" if full_time else "兼职", _date(started), _date(ended)]


def _township_cadres(gate: Jurisdiction, area: Area | None, unmask: bool) -> Iterator[list[str]]:
    """The district and the township by their codes (names may not be unique)."""
    from dangjian.bodies.models import TownshipCadre

    qs = _in_scope(gate, area, TownshipCadre.objects.all(), "township__path")
    for district, township, name, post, full_time, started, ended in qs.order_by(
        "township__code", "started_on", "name", "pk"
    ).values_list(
        "township__parent__code", "township__code", "name", "post", "full_time", "started_on",
        "ended_on",
    ).iterator(chunk_size=CHUNK):  # fmt: skip
        yield [
            district or "", township, name, post, "专职" if full_time else "兼职",
            _date(started), _date(ended),
        ]  # fmt: skip


def _contact_points(gate: Jurisdiction, area: Area | None, unmask: bool) -> Iterator[list[str]]:
    from dangjian.bodies.models import ContactPoint

    qs = _in_scope(gate, area, ContactPoint.objects.all(), "org__township__path")
    for unit, leader, post, uscc, started, ended in qs.order_by(
        "org__uscc", "started_on", "unit__name", "leader_name", "pk"
    ).values_list(
        "unit__name", "leader_name", "leader_post", "org__uscc", "started_on", "ended_on"
    ).iterator(chunk_size=CHUNK):  # fmt: skip
        yield [unit, leader, post, uscc, _date(started), _date(ended)]


_EXPORTERS = {
    "orgs": _orgs,
    "party-orgs": _party_orgs,
    "people": _people,
    "committees": _committees,
    "instructors": _instructors,
    "party-groups": _party_groups,
    "meetings": _meetings,
    "trainings": _trainings,
    "applicants": _applicants,
    "transfers": _transfers,
    "pairings": _pairings,
    "demonstration-sites": _demonstration_sites,
    "joint-groups": _joint_groups,
    "activities": _activities,
    "studies": _studies,
    "recommendations": _recommendations,
    "dues": _dues,
    "dues-returns": _dues_returns,
    "funds": _funds,
    "inspections": _inspections,
    "evaluations": _evaluations,
    "rectifications": _rectifications,
    "service-centres": _service_centres,
    "venues": _venues,
    "party-workers": _party_workers,
    "worker-allowances": _worker_allowances,
    "instructor-visits": _instructor_visits,
    "work-bodies": _work_bodies,
    "work-body-staff": _work_body_staff,
    "township-cadres": _township_cadres,
    "contact-points": _contact_points,
}


def _chunks(qs: Any, size: int = CHUNK) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in qs.iterator(chunk_size=size):
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def export_rows(
    kind: str, *, area: Area | None = None, unmask: bool = False, user: User | None = None
) -> Iterator[list[str]]:
    """The rows of an export (without the header), in a stable order, of what `user` may
    see (None: the system itself)."""
    return _EXPORTERS[kind](Jurisdiction(user), area, unmask)


def rows_seen_by(kind: str, gate: Jurisdiction) -> Iterator[list[str]]:
    """The rows of `kind` that `gate` sees, identity numbers masked (a form reads the row of
    the one record it edits through a gate narrowed to it: imports/records.py)."""
    return _EXPORTERS[kind](gate, None, False)


def may_unmask(user: User | None) -> bool:
    """Unmasking identity numbers is a right of its own (people.unmask_id_number)."""
    return user is None or user.has_perm("people.unmask_id_number")


def headers(kind: str) -> list[str]:
    return [column.label for column in KINDS[kind].columns]


def write_export(
    kind: str,
    out: Path | IO[str],
    *,
    area: Area | None = None,
    unmask: bool = False,
    user: User | None = None,
) -> int:
    """Write the export as CSV (UTF-8 with BOM, which Excel opens correctly) or, for a path
    ending in .xlsx, as a workbook. Returns the number of data rows. An unmasked export is
    recorded in the audit log (who, when, what)."""
    if unmask and not may_unmask(user):
        raise PermissionDenied("没有查看完整公民身份号码的权限")
    rows = export_rows(kind, area=area, unmask=unmask, user=user)
    if isinstance(out, Path) and out.suffix.lower() == ".xlsx":
        count = _write_xlsx(kind, rows, out)
    else:
        count = _write_csv(headers(kind), rows, out)
    if unmask:
        AuditEvent.objects.create(
            user=user,
            action=AuditAction.UNMASK_EXPORT,
            detail=f"导出{KINDS[kind].label}（{area or '管辖范围内全部'}）{count} 行，含完整公民身份号码",
        )
    return count


def _write_csv(header: Sequence[str], rows: Iterable[list[str]], out: Path | IO[str]) -> int:
    return sheets.write_csv(out, header, rows)


def _text_columns(kind: type[Kind]) -> list[int]:
    """Columns Excel must keep as text (codes it would turn into numbers)."""
    return [
        i
        for i, c in enumerate(kind.columns)
        if c.personal
        or "统一社会信用代码" in c.label
        or c.key in {"code", "parent_code", "party_org"}
    ]


def _write_xlsx(kind_name: str, rows: Iterable[list[str]], out: Path) -> int:
    from openpyxl.styles import Font

    kind = KINDS[kind_name]
    book = sheets.workbook(write_only=True)
    sheet = book.create_sheet(kind.label)
    sheets.append(sheet, headers(kind_name), font=Font(bold=True))
    text = _text_columns(kind)
    count = 0
    for row in rows:
        cells = sheets.cells(sheet, [value if value != "" else None for value in row])
        for i in text:
            cells[i].number_format = "@"
        sheet.append(cells)
        count += 1
    sheets.save(book, out, policy_version=in_force().version)
    return count


def _hint(column: Column) -> str:
    parts = []
    parts.append("必填" if column.required else "选填")
    if column.hint:
        parts.append(column.hint)
    return HINT_MARK + "；".join(parts)


def write_template(kind_name: str, out: Path | IO[str]) -> None:
    """An empty file to fill in: the header, a hint row (skipped on import), and in xlsx
    drop-down lists for the enumerated columns and text format for the code columns."""
    kind = KINDS[kind_name]
    hints = [_hint(c) for c in kind.columns]
    if not (isinstance(out, Path) and out.suffix.lower() == ".xlsx"):
        _write_csv(headers(kind_name), [hints], out)
        return
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = sheets.workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = kind.label
    sheets.append(sheet, headers(kind_name))
    sheets.append(sheet, hints)
    grey = PatternFill("solid", fgColor="EEEEEE")
    for i, column in enumerate(kind.columns, start=1):
        letter = get_column_letter(i)
        head = sheet.cell(row=1, column=i)
        head.font = Font(bold=True, color="C00000" if column.required else "000000")
        hint = sheet.cell(row=2, column=i)
        hint.fill = grey
        hint.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[letter].width = max(14, min(40, len(column.label) * 2 + 4))
        if i - 1 in _text_columns(kind):
            for row in range(3, 1003):
                sheet.cell(row=row, column=i).number_format = "@"
        if column.options and len(",".join(column.options)) < 250:
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(column.options) + '"',
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle="不是可选值",
                error="请从下拉列表中选择：" + "、".join(column.options),
            )
            sheet.add_data_validation(validation)
            validation.add(f"{letter}3:{letter}1048576")
        if column.is_date:
            for row in range(3, 1003):
                sheet.cell(row=row, column=i).number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A3"
    sheets.save(book, out, policy_version=in_force().version)
