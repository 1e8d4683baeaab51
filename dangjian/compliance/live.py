"""Live re-evaluation: after every write, the rules again for what it touched.

`dangjian.lib.changes` tells this module, once a transaction has committed, which rows of
which models it wrote (a form, the API, an import, an undo, the admin alike). `refresh`
turns them into the subjects whose findings may have changed (`Scope`, set-based: a few
queries over the history tables, whatever the number of rows), evaluates every rule over
just those (the facts restricted to them: `Facts.restrict`, `Facts.restrict_units`) on
today's date, and brings the findings store — and the tasks — in line for exactly those
subjects (`engine.reconcile`). A finding about a subject outside the scope is left as it
is: the scope holds every subject whose findings can depend on what was written.

Which subjects a write touches (one step along the relations, in every version the
history holds, so that what a row related to *before* the change is looked at too):

- an organization: it; the Party organizations that ever covered it; its units;
- a Party organization: it; the organizations it ever covered; its unit; the members whose
  relation it ever held, and every organization that ever employed them;
- a coverage, an instructor's assignment: its organization (and Party organization);
- an employment, a membership, a person: the person; every organization that ever
  employed them; every Party organization that ever held their relation;
- a committee office: its Party organization and its holder;
- a training, a recommendation, a Party worker: its person (the rules of 五.3 and 五.4 read every office
  and leading employment of a person in scope);
- a meeting, a Party group: its Party organization (rules LIFE-MEETINGS, LIFE-REVIEW);
- a unit: it; the organizations it registers or supervises;
- a topic study: its district (subject type `area`) or its unit (MGT-STUDY);
- an applicant: its person (DEV-TALK, DEV-ACTIVIST-TIME); a Party organization written
  brings the applicants it ever developed (and, as for every rule of a person, the members
  whose relation it holds: DEV-PROBATION-OVERDUE);
- a transfer: its member (DYN-TRANSFER; a received one moves their membership too);
- a month's dues: its member (MEM-DUES-LAPSE); a return of dues: its Party organization
  (FUN-DUES-RETURN);
- an annual inspection: its organization (DYN-INSPECTION); a rectification, a venue check:
  its Party organization (DYN-WEAK-OVERDUE, VEN-SIX);

and the supervisory units of every organization in the scope (rule MGT-INDUSTRY counts
the Party organizations each one manages). A write touching more than `FULL_CHECK_SHARE`
of the organizations is followed by a full check instead.

Rules that depend only on the calendar (a period running out) are followed by the daily
full check (`daily_check`, run by the background worker: docs/deployment.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from dangjian.areas.models import Unit
from dangjian.bodies.models import TopicStudy
from dangjian.cadres.models import PartyWorker, Recommendation, Training
from dangjian.compliance.engine import evaluate, reconcile, record
from dangjian.compliance.facts import Facts
from dangjian.compliance.models import CheckRun, FindingRecord
from dangjian.compliance.rules.base import RULES
from dangjian.development.models import Applicant
from dangjian.dues.models import DuesPayment, DuesReturn
from dangjian.inspections.models import AnnualInspection
from dangjian.lib import changes
from dangjian.life.models import Meeting, PartyGroup
from dangjian.orgs.models import SocialOrganization
from dangjian.partyorgs.models import (
    CommitteeMembership,
    Coverage,
    InstructorAssignment,
    PartyOrganization,
)
from dangjian.people.models import Employment, Membership, Person
from dangjian.rectifications.models import Rectification
from dangjian.transfers.models import Transfer
from dangjian.venues.models import Venue

FOLLOWED: tuple[type[models.Model], ...] = (
    SocialOrganization,
    PartyOrganization,
    Coverage,
    InstructorAssignment,
    Employment,
    Membership,
    CommitteeMembership,
    Person,
    Unit,
    Meeting,
    PartyGroup,
    Training,
    Recommendation,
    PartyWorker,
    TopicStudy,
    Applicant,
    Transfer,
    DuesPayment,
    DuesReturn,
    AnnualInspection,
    Rectification,
    Venue,
)
FULL_CHECK_SHARE = 0.5  # beyond this share of all organizations, a full check is cheaper
SUBJECT_TYPES = ("social_org", "party_org", "person", "unit", "area")


@dataclass
class Scope:
    """The subjects whose findings a write may have changed, by type."""

    orgs: set[int] = field(default_factory=set)
    party_orgs: set[int] = field(default_factory=set)
    people: set[int] = field(default_factory=set)
    units: set[int] = field(default_factory=set)
    areas: set[int] = field(default_factory=set)  # districts (MGT-STUDY)

    def __bool__(self) -> bool:
        return bool(self.orgs or self.party_orgs or self.people or self.units or self.areas)


Row = tuple[Any, ...]


def _history(model: type[models.Model]) -> Any:
    return model.history.model  # type: ignore[attr-defined]


def _ever(model: type[models.Model], by: str, keys: set[int], *fields: str) -> list[Row]:
    """`fields` of every version (current, earlier, deleted) of `model`'s rows whose `by` is
    in `keys`: what those rows related to at any time."""
    if not keys:
        return []
    return list(
        _history(model)
        .objects.filter(**{f"{by}__in_ids": keys})
        .order_by()
        .values_list(*fields)
        .distinct()
    )


def _ids(rows: list[Row], i: int = 0) -> set[int]:
    return {row[i] for row in rows if row[i] is not None}


def scope_of(written: dict[type[models.Model], set[int]]) -> Scope:
    """The subjects a write touched (the table at the top of this module)."""
    s = Scope()
    direct_orgs = set(written.get(SocialOrganization, set()))
    direct_party_orgs = set(written.get(PartyOrganization, set()))
    people = set(written.get(Person, set()))
    s.units |= written.get(Unit, set())
    s.orgs |= direct_orgs
    s.party_orgs |= direct_party_orgs
    rows = _ever(Coverage, "id", written.get(Coverage, set()), "org_id", "party_org_id")
    s.orgs |= _ids(rows, 0)
    s.party_orgs |= _ids(rows, 1)
    s.orgs |= _ids(
        _ever(InstructorAssignment, "id", written.get(InstructorAssignment, set()), "org_id")
    )
    rows = _ever(Employment, "id", written.get(Employment, set()), "person_id")
    people |= _ids(rows)
    rows = _ever(Membership, "id", written.get(Membership, set()), "person_id")
    people |= _ids(rows)
    for model in (CommitteeMembership, Meeting, PartyGroup):
        s.party_orgs |= _ids(_ever(model, "id", written.get(model, set()), "party_org_id"))
    # An office and a training: their holder's training findings (CAD-*) too.
    people |= _ids(_ever(CommitteeMembership, "id", written.get(CommitteeMembership, set()),
                         "person_id"))  # fmt: skip
    people |= _ids(_ever(Training, "id", written.get(Training, set()), "person_id"))
    people |= _ids(_ever(Recommendation, "id", written.get(Recommendation, set()), "person_id"))
    people |= _ids(_ever(PartyWorker, "id", written.get(PartyWorker, set()), "person_id"))
    people |= _ids(_ever(Applicant, "id", written.get(Applicant, set()), "person_id"))
    # A transfer: its member (the relation it moved is their membership, written with it).
    people |= _ids(_ever(Transfer, "id", written.get(Transfer, set()), "person_id"))
    # A month's dues: its member (MEM-DUES-LAPSE); a return: its Party organization
    # (FUN-DUES-RETURN).
    people |= _ids(_ever(DuesPayment, "id", written.get(DuesPayment, set()), "person_id"))
    s.party_orgs |= _ids(_ever(DuesReturn, "id", written.get(DuesReturn, set()), "party_org_id"))
    # An inspection: its organization (DYN-INSPECTION); a rectification, a venue check: its
    # Party organization (DYN-WEAK-OVERDUE, VEN-SIX).
    s.orgs |= _ids(_ever(AnnualInspection, "id", written.get(AnnualInspection, set()), "org_id"))
    for touched in (Rectification, Venue):
        s.party_orgs |= _ids(_ever(touched, "id", written.get(touched, set()), "party_org_id"))
    # A topic study: its district or unit (MGT-STUDY).
    rows = _ever(TopicStudy, "id", written.get(TopicStudy, set()), "area_id", "unit_id")
    s.areas |= _ids(rows, 0)
    s.units |= _ids(rows, 1)
    # One step along the relations from what was written.
    rows = _ever(Coverage, "org_id", direct_orgs, "party_org_id")
    s.party_orgs |= _ids(rows)
    s.orgs |= _ids(_ever(Coverage, "party_org_id", direct_party_orgs, "org_id"))
    # The training rules of a Party organization's office holders and full-time workers
    # follow it (dissolved, its form changed: CAD-*).
    people |= _ids(_ever(CommitteeMembership, "party_org_id", direct_party_orgs, "person_id"))
    people |= _ids(_ever(PartyWorker, "party_org_id", direct_party_orgs, "person_id"))
    people |= _ids(_ever(Applicant, "party_org_id", direct_party_orgs, "person_id"))
    # A lone member's relation held nearby exempts their organization (COV-JOINT).
    held = _ids(_ever(Membership, "relation_party_org_id", direct_party_orgs, "person_id"))
    s.orgs |= _ids(_ever(Employment, "person_id", held, "org_id"))
    s.orgs |= _ids(_ever(Employment, "person_id", people, "org_id"))
    s.party_orgs |= _ids(_ever(Membership, "person_id", people, "relation_party_org_id"))
    s.people |= people
    if s.units:
        s.orgs |= set(
            SocialOrganization.objects.filter(
                Q(registry_id__in_ids=s.units) | Q(supervisor_id__in_ids=s.units)
            ).values_list("pk", flat=True)
        )
    s.units |= _ids(_ever(SocialOrganization, "id", s.orgs, "supervisor_id"))
    s.units |= _ids(_ever(SocialOrganization, "id", s.orgs, "registry_id"))
    s.units |= _ids(_ever(PartyOrganization, "id", s.party_orgs, "unit_id"))
    return s


def _subjects(scope: Scope) -> dict[str, set[int]]:
    """The subjects a re-evaluation of `scope` speaks for, by type: its own, and the
    members whose relation one of its Party organizations holds (rule DYN-TRANSFER finds
    them through it)."""
    people = set(scope.people)
    people |= set(
        Membership.objects.filter(relation_party_org_id__in_ids=scope.party_orgs)
        .order_by()
        .values_list("person_id", flat=True)
    )
    return {
        "social_org": scope.orgs,
        "party_org": scope.party_orgs,
        "person": people,
        "unit": scope.units,
        "area": scope.areas,
    }


def refresh(scope: Scope, *, as_of: dt.date | None = None, cause: str = "") -> tuple[int, int]:
    """Evaluate every rule for the subjects of `scope` on `as_of` (today) and bring their
    findings (and tasks) in line. Returns (opened, resolved)."""
    assert all(set(r.subjects) <= set(SUBJECT_TYPES) for r in RULES.values()), (
        "a rule of a new subject type"
    )
    if not scope:
        return 0, 0
    day = as_of or timezone.localdate()
    total = SocialOrganization.objects.count()
    if total and len(scope.orgs) > FULL_CHECK_SHARE * total:
        return _full(day)
    facts = Facts(day)
    facts.restrict(sorted(scope.orgs), sorted(scope.party_orgs))
    facts.restrict_units(scope.units)
    subjects = _subjects(scope)
    # the training rules read every office of these people, wherever it is held
    facts.restrict_people(subjects["person"])
    with transaction.atomic():
        _serialize()
        result = evaluate(as_of=day, facts=facts)
        result.findings = [
            f for f in result.findings if f.subject.pk in subjects.get(f.subject.type, set())
        ]
        speaks = Q(pk__in=[])
        for kind, keys in subjects.items():
            if keys:
                speaks |= Q(subject_type=kind, subject_pk__in_ids=keys)
        return reconcile(
            result, FindingRecord.objects.filter(speaks, resolved_on__isnull=True), cause=cause
        )


def _full(day: dt.date) -> tuple[int, int]:
    last = CheckRun.objects.order_by("-as_of").values_list("as_of", flat=True).first()
    run = record(evaluate(as_of=max(day, last) if last else day))
    return run.opened, run.resolved


def _serialize() -> None:
    """One re-evaluation at a time (two writers re-evaluating the same subject would both
    open its new finding): PostgreSQL's transaction-scoped advisory lock; SQLite already
    lets one transaction write at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x44_4A_4C_56])  # "DJLV"


def on_commit(written: dict[type[models.Model], set[int]], reasons: list[str]) -> None:
    """The listener `apps.py` registers with `dangjian.lib.changes`."""
    refresh(scope_of(written), cause=describe(written, reasons))


def describe(written: dict[type[models.Model], set[int]], reasons: list[str]) -> str:
    """What a write changed, as a task's history says it: 「数据变更：指导员派驻1条（原因）」."""
    what = "、".join(
        f"{model._meta.verbose_name}{len(keys)}条"
        for model, keys in sorted(written.items(), key=lambda item: item[0]._meta.label)
    )
    why = "；".join(r for r in reasons if r)
    return f"数据变更：{what}" + (f"（{why}）" if why else "")


def follow() -> None:
    changes.listen(FOLLOWED, on_commit)


def daily_check(day: dt.date | None = None) -> CheckRun | None:
    """The full check of the day (the periods that ran out since yesterday), unless one
    was recorded for the day already."""
    today = day or timezone.localdate()
    if CheckRun.objects.filter(as_of__gte=today).exists():
        return None
    return record(evaluate(as_of=today))
