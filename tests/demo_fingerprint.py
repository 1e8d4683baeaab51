"""A fingerprint of every table `dangjian.demo.generate` writes (issue 13 item 4).

One SHA-256 per table (and per history table) of its rows' values in primary-key order.
The columns are listed explicitly, as they were when the fingerprints were stored, so that a
column added later does not change them. Primary and foreign keys are counted from the first
row of the table they point to (sequences are not reset between tests on PostgreSQL). An
identity number counts as its plain text: its Fernet ciphertext is randomized on purpose and
its lookup hash is keyed with the installation's data key. Left out: salted password
hashes, the history's ciphertexts, ids and dates and the users' `date_joined`/`last_login` (clock
time); the checks recorded by `dangjian demo` (compliance) are not written by `generate`.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import models

from dangjian.accounts.models import User
from dangjian.areas.models import Area, Unit
from dangjian.bodies.models import (
    ContactPoint,
    TopicStudy,
    TownshipCadre,
    WorkBody,
    WorkBodyStaff,
)
from dangjian.cadres.models import (
    InstructorVisit,
    PartyWorker,
    Recommendation,
    Training,
    WorkerAllowance,
)
from dangjian.lib import crypto
from dangjian.life.models import (
    Activity,
    Attendance,
    DemonstrationSite,
    JointGroup,
    JointGroupMember,
    Meeting,
    Pairing,
    PartyGroup,
)
from dangjian.orgs.models import SocialOrganization
from dangjian.partyorgs.models import (
    CommitteeMembership,
    Coverage,
    Instructor,
    InstructorAssignment,
    PartyOrganization,
)
from dangjian.people.models import Employment, Membership, Person

# attname, and the model an id points to, or DECRYPTED for a ciphertext read as its plain text
type Column = tuple[str, Any]
DECRYPTED = "decrypted"

HISTORY = ("history_change_reason", "history_type", "history_user_id")

TABLES: dict[str, tuple[type[models.Model], list[Column]]] = {
    "area": (
        Area,
        [
            ("id", Area),
            ("code", None),
            ("name", None),
            ("level", None),
            ("parent_id", Area),
            ("path", None),
        ],
    ),
    "unit": (Unit, [("id", Unit), ("name", None), ("kind", None), ("area_id", Area)]),
    "social_organization": (
        SocialOrganization,
        [
            ("id", SocialOrganization),
            ("uscc", None),
            ("name", None),
            ("kind", None),
            ("registry_id", Unit),
            ("registration_mode", None),
            ("supervisor_id", Unit),
            ("industry", None),
            ("district_id", Area),
            ("township_id", Area),
            ("community_id", Area),
            ("registered_on", None),
            ("status", None),
            ("status_changed_on", None),
            ("staff_count", None),
            ("party_management", None),
        ],
    ),
    "party_organization": (
        PartyOrganization,
        [
            ("id", PartyOrganization),
            ("code", None),
            ("name", None),
            ("level", None),
            ("form", None),
            ("parent_id", PartyOrganization),
            ("township_id", Area),
            ("unit_id", Unit),
            ("founded_on", None),
            ("term_started_on", None),
            ("status", None),
            ("dissolved_on", None),
        ],
    ),
    "coverage": (
        Coverage,
        [
            ("id", Coverage),
            ("party_org_id", PartyOrganization),
            ("org_id", SocialOrganization),
            ("started_on", None),
            ("ended_on", None),
        ],
    ),
    "committee_membership": (
        CommitteeMembership,
        [
            ("id", CommitteeMembership),
            ("party_org_id", PartyOrganization),
            ("person_id", Person),
            ("role", None),
            ("started_on", None),
            ("ended_on", None),
            ("full_time", None),
        ],
    ),
    "instructor": (Instructor, [("id", Instructor), ("person_id", Person), ("source", None)]),
    "instructor_assignment": (
        InstructorAssignment,
        [
            ("id", InstructorAssignment),
            ("instructor_id", Instructor),
            ("org_id", SocialOrganization),
            ("started_on", None),
            ("ended_on", None),
        ],
    ),
    "person": (
        Person,
        [
            ("id", Person),
            ("name", None),
            ("id_encrypted", DECRYPTED),
            ("id_masked", None),
            ("birth_date", None),
            ("gender", None),
            ("political_status", None),
        ],
    ),
    "employment": (
        Employment,
        [
            ("id", Employment),
            ("person_id", Person),
            ("org_id", SocialOrganization),
            ("position", None),
            ("started_on", None),
            ("ended_on", None),
        ],
    ),
    "membership": (
        Membership,
        [
            ("id", Membership),
            ("person_id", Person),
            ("joined_on", None),
            ("confirmed_on", None),
            ("relation_party_org_id", PartyOrganization),
            ("is_mobile", None),
        ],
    ),
    "user": (
        User,
        [
            ("id", User),
            ("is_superuser", None),
            ("username", None),
            ("first_name", None),
            ("last_name", None),
            ("email", None),
            ("is_staff", None),
            ("is_active", None),
            ("role", None),
            ("area_id", Area),
            ("unit_id", Unit),
            ("party_org_id", PartyOrganization),
            ("instructor_id", Instructor),
        ],
    ),
    # organization life (added after the split: the tables above keep their fingerprints)
    "party_group": (
        PartyGroup,
        [
            ("id", PartyGroup),
            ("party_org_id", PartyOrganization),
            ("name", None),
            ("leader_id", Person),
            ("founded_on", None),
            ("dissolved_on", None),
        ],
    ),
    "joint_group": (
        JointGroup,
        [
            ("id", JointGroup),
            ("name", None),
            ("lead_id", PartyOrganization),
            ("township_id", Area),
            ("founded_on", None),
            ("dissolved_on", None),
        ],
    ),
    "joint_group_member": (
        JointGroupMember,
        [
            ("id", JointGroupMember),
            ("group_id", JointGroup),
            ("party_org_id", PartyOrganization),
            ("started_on", None),
            ("ended_on", None),
        ],
    ),
    "meeting": (
        Meeting,
        [
            ("id", Meeting),
            ("party_org_id", PartyOrganization),
            ("type", None),
            ("party_group_id", PartyGroup),
            ("held_on", None),
            ("topic", None),
            ("expected", None),
            ("present", None),
            ("duties", None),
            ("place", None),
            ("host", None),
            ("recorder", None),
            ("minutes", None),
            ("state", None),
            ("submitted_at", None),
            ("reviewed_at", None),
            ("reviewed_by_id", User),
            ("opinion", None),
        ],
    ),
    "attendance": (
        Attendance,
        [
            ("id", Attendance),
            ("meeting_id", Meeting),
            ("person_id", Person),
            ("status", None),
            ("reason", None),
        ],
    ),
    "activity": (
        Activity,
        [
            ("id", Activity),
            ("party_org_id", PartyOrganization),
            ("kind", None),
            ("held_on", None),
            ("title", None),
            ("participants", None),
            ("duties", None),
            ("partner_id", PartyOrganization),
            ("joint_group_id", JointGroup),
            ("occasion", None),
            ("description", None),
        ],
    ),
    "pairing": (
        Pairing,
        [
            ("id", Pairing),
            ("party_org_id", PartyOrganization),
            ("partner_id", PartyOrganization),
            ("partner_name", None),
            ("started_on", None),
            ("ended_on", None),
            ("content", None),
        ],
    ),
    "demonstration_site": (
        DemonstrationSite,
        [
            ("id", DemonstrationSite),
            ("party_org_id", PartyOrganization),
            ("level", None),
            ("year", None),
            ("named_by", None),
        ],
    ),
    # cadres work (issue 16 item 8; `dangjian.cadres.demo`)
    "topic_study": (
        TopicStudy,
        [
            ("id", TopicStudy),
            ("area_id", Area),
            ("unit_id", Unit),
            ("held_on", None),
            ("topic", None),
        ],
    ),
    "training": (
        Training,
        [
            ("id", Training),
            ("person_id", Person),
            ("name", None),
            ("kind", None),
            ("organizer", None),
            ("started_on", None),
            ("ended_on", None),
            ("days", None),
        ],
    ),
    "party_worker": (
        PartyWorker,
        [
            ("id", PartyWorker),
            ("party_org_id", PartyOrganization),
            ("person_id", Person),
            ("full_time", None),
            ("started_on", None),
            ("ended_on", None),
        ],
    ),
    "worker_allowance": (
        WorkerAllowance,
        [
            ("id", WorkerAllowance),
            ("party_org_id", PartyOrganization),
            ("person_id", Person),
            ("year", None),
            ("amount", None),
        ],
    ),
    "recommendation": (
        Recommendation,
        [
            ("id", Recommendation),
            ("person_id", Person),
            ("kind", None),
            ("recommended_on", None),
            ("party_org_id", PartyOrganization),
            ("opinion", None),
        ],
    ),
    "instructor_visit": (
        InstructorVisit,
        [
            ("id", InstructorVisit),
            ("instructor_id", Instructor),
            ("org_id", SocialOrganization),
            ("visited_on", None),
            ("content", None),
            ("union_set_up", None),
            ("youth_league_set_up", None),
            ("activists", None),
            ("members_found", None),
        ],
    ),
    "work_body": (
        WorkBody,
        [("id", WorkBody), ("unit_id", Unit), ("kind", None), ("established_on", None)],
    ),
    "work_body_staff": (
        WorkBodyStaff,
        [
            ("id", WorkBodyStaff),
            ("body_id", WorkBody),
            ("name", None),
            ("post", None),
            ("full_time", None),
            ("started_on", None),
            ("ended_on", None),
        ],
    ),
    "township_cadre": (
        TownshipCadre,
        [
            ("id", TownshipCadre),
            ("township_id", Area),
            ("name", None),
            ("post", None),
            ("full_time", None),
            ("started_on", None),
            ("ended_on", None),
        ],
    ),
    "contact_point": (
        ContactPoint,
        [
            ("id", ContactPoint),
            ("unit_id", Unit),
            ("leader_name", None),
            ("leader_post", None),
            ("org_id", SocialOrganization),
            ("started_on", None),
            ("ended_on", None),
        ],
    ),
}


def _history_columns(columns: list[Column]) -> list[Column]:
    """The history table's: the same but the ciphertext (the history keeps it, not the lookup
    hash; the person's plain number is counted once, in the table itself), plus who changed
    it, how and why."""
    kept = [c for c in columns if c[0] != "id_encrypted"]
    return kept + [(name, None) for name in HISTORY]


def _digest(
    queryset: models.QuerySet[Any], columns: list[Column], order: str, first: dict[type, int]
) -> str:
    names = [name for name, _ref in columns]
    refs = [ref for _name, ref in columns]
    digest = hashlib.sha256()
    for row in queryset.order_by(order).values_list(*names).iterator(chunk_size=5000):
        values = [
            crypto.decrypt(value)
            if ref == DECRYPTED
            else value - first[ref]
            if ref is not None and value is not None
            else value
            for value, ref in zip(row, refs, strict=True)
        ]
        digest.update(repr(values).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def fingerprint() -> dict[str, str]:
    """table → SHA-256 of its rows, and `history.` + table → of its history's rows."""
    first: dict[type, int] = {}
    for model, _columns in TABLES.values():
        lowest = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        first[model] = lowest or 0
    result: dict[str, str] = {}
    for table, (model, columns) in TABLES.items():
        result[table] = _digest(model._default_manager.all(), columns, "pk", first)
        history = model.history.model  # type: ignore[attr-defined]
        result[f"history.{table}"] = _digest(
            history.objects.all(), _history_columns(columns), "history_id", first
        )
    return result
