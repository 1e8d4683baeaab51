"""What the apps' demo functions share: the run (`DemoContext`), the city being generated
(`CityContext`: its areas, its random sequence, its rows) and the organizations on their
way to the database (`Org`, `Member`), with the Party members and Party organization each
one gets from the apps that come after it."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from dangjian.areas.models import Unit
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
from dangjian.compliance.policy import in_force as load_policy
from dangjian.demo.regions import Regions
from dangjian.demo.scales import Scale
from dangjian.development.models import Applicant
from dangjian.dissolutions.models import Destination, Dissolution
from dangjian.dues.models import DuesReturn, Fund
from dangjian.inspections.models import AnnualInspection, Evaluation
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
from dangjian.rectifications.models import Rectification, RectificationNote
from dangjian.transfers.models import Transfer
from dangjian.venues.models import ServiceCentre, Venue

Progress = Callable[[str, int, int], None]  # (what is being done, orgs done, orgs in all)

# USCC characters 9–17 are a bijection of a serial number (`dangjian.orgs.demo.uscc`).
USCC_SPACE = 31**9


# --- the areas the data go into -------------------------------------------------------------


@dataclass(eq=False)
class Township:
    pk: int
    code: str
    name: str
    district: District
    communities: list[tuple[int, str, str]] = field(default_factory=list)  # pk, code, name
    n_orgs: int = 0


@dataclass(eq=False)
class District:
    pk: int
    code: str
    name: str
    city: City
    townships: list[Township] = field(default_factory=list)


@dataclass(eq=False)
class City:
    pk: int
    code: str
    name: str  # as people say it: 长沙市 (北京市 for 北京市市辖区)
    province_pk: int
    province_code: str
    province_name: str
    districts: list[District] = field(default_factory=list)

    @property
    def townships(self) -> list[Township]:
        return [t for d in self.districts for t in d.townships]

    @property
    def region_prefixes(self) -> set[str]:
        """The first 4 digits of the identity numbers of people born here; the province's
        (430000) stands in for years before the city's codes existed (岳阳: 1983)."""
        return {d.code[:4] for d in self.districts} | {self.code[:4], self.province_code[:4]}


# --- the organizations on their way --------------------------------------------------------


@dataclass(eq=False)
class Member:
    person: Person
    membership: Membership
    employment: Employment

    @property
    def since(self) -> dt.date:
        """From when a formal member counts in the organization (as the rules read it):
        employed there and confirmed."""
        start = self.employment.started_on or dt.date.min
        confirmed = self.membership.confirmed_on
        return max(start, confirmed) if confirmed else start


@dataclass(eq=False)
class Org:
    """A social organization (`obj`, not yet saved) and what the apps add to it."""

    obj: SocialOrganization
    township: Township
    serial: int
    ended: dt.date | None  # when it stopped (注销/撤销/停止活动), else None
    category: int  # 0: no formal member, 1: 1–2, 2: 3 or more
    formal: list[Member] = field(default_factory=list)
    probationary: list[Member] = field(default_factory=list)
    departed: list[Member] = field(default_factory=list)
    party_org: PartyOrganization | None = None  # the one that covers it
    joint_candidate: bool = False
    # COV-JOINT: when its situation was put right (None: still open), and whether by a
    # joint Party organization (else by holding the lone member's relation nearby)
    joint_fixed: dt.date | None = None
    joined_joint: bool = False

    def formal_since(self, n: int) -> dt.date | None:
        """The day it reached n formal members (of those it has now), as the rules read it."""
        dates = sorted(m.since for m in self.formal)
        return dates[n - 1] if len(dates) >= n else None

    @property
    def active(self) -> bool:
        return self.ended is None

    @property
    def community_pk(self) -> int | None:
        return self.obj.community_id


@dataclass
class Rows:
    """One city's rows, inserted in dependency order (`dangjian.demo.generator.save`)."""

    units: list[Unit] = field(default_factory=list)
    territorial: list[PartyOrganization] = field(default_factory=list)  # townships, industries
    community_party_orgs: list[PartyOrganization] = field(default_factory=list)
    orgs: list[SocialOrganization] = field(default_factory=list)
    party_orgs: list[PartyOrganization] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    employments: list[Employment] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    coverages: list[Coverage] = field(default_factory=list)
    committee: list[CommitteeMembership] = field(default_factory=list)
    instructors: list[Instructor] = field(default_factory=list)
    assignments: list[InstructorAssignment] = field(default_factory=list)
    # organization life (`dangjian.life.demo`)
    party_groups: list[PartyGroup] = field(default_factory=list)
    joint_groups: list[JointGroup] = field(default_factory=list)
    joint_group_members: list[JointGroupMember] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    attendance: list[Attendance] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    pairings: list[Pairing] = field(default_factory=list)
    demonstration_sites: list[DemonstrationSite] = field(default_factory=list)
    # cadres work (`dangjian.cadres.demo`)
    topic_studies: list[TopicStudy] = field(default_factory=list)
    trainings: list[Training] = field(default_factory=list)
    party_workers: list[PartyWorker] = field(default_factory=list)
    worker_allowances: list[WorkerAllowance] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)
    instructor_visits: list[InstructorVisit] = field(default_factory=list)
    # work bodies (`dangjian.bodies.demo`; their units are in `units`)
    work_bodies: list[WorkBody] = field(default_factory=list)
    work_body_staff: list[WorkBodyStaff] = field(default_factory=list)
    township_cadres: list[TownshipCadre] = field(default_factory=list)
    contact_points: list[ContactPoint] = field(default_factory=list)
    # development and transfers (`dangjian.development.demo`, `dangjian.transfers.demo`)
    applicants: list[Applicant] = field(default_factory=list)
    transfers: list[Transfer] = field(default_factory=list)
    # dissolution cases in progress (`dangjian.dissolutions.demo`)
    dissolutions: list[Dissolution] = field(default_factory=list)
    destinations: list[Destination] = field(default_factory=list)
    # dues and funds (`dangjian.dues.demo`): the dues rows as tuples (person, month,
    # category, base, paid, paid_on), for they are the most numerous
    dues: list[tuple[Any, ...]] = field(default_factory=list)
    dues_returns: list[DuesReturn] = field(default_factory=list)
    funds: list[Fund] = field(default_factory=list)
    # inspections, rectifications and venues (`dangjian.inspections.demo`,
    # `dangjian.rectifications.demo`, `dangjian.venues.demo`)
    inspections: list[AnnualInspection] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    rectifications: list[Rectification] = field(default_factory=list)
    rectification_notes: list[RectificationNote] = field(default_factory=list)
    service_centres: list[ServiceCentre] = field(default_factory=list)
    venues: list[Venue] = field(default_factory=list)


# --- the run and the city ------------------------------------------------------------------

COUNTS = (
    "orgs",
    "party_orgs",
    "people",
    "members_formal",
    "members_probationary",
    "employments",
    "coverages",
    "committee",
    "instructors",
    "assignments",
    "units",
    "users",
    "party_groups",
    "joint_groups",
    "joint_group_members",
    "meetings",
    "attendance",
    "activities",
    "pairings",
    "demonstration_sites",
    "topic_studies",
    "trainings",
    "party_workers",
    "worker_allowances",
    "recommendations",
    "instructor_visits",
    "work_bodies",
    "work_body_staff",
    "township_cadres",
    "contact_points",
    "applicants",
    "transfers",
    "dues",
    "dues_returns",
    "funds",
    "dissolutions",
    "inspections",
    "evaluations",
    "rectifications",
    "service_centres",
    "venues",
)


class DemoContext:
    """One run of the generator: its scale and seed, the policy's periods, the counts so far
    and what must stay unique across cities (serial numbers, unit names, identity numbers)."""

    def __init__(self, scale: Scale, seed: int, progress: Progress | None) -> None:
        self.scale = scale
        self.seed = seed
        self.progress = progress
        self.history_date = timezone.now()
        policy = load_policy()
        self.setup_days: int = policy["setup_within_days"]
        self.fix_days: int = policy["fix_within_days"]
        self.dissolve_days: int = policy["dissolve_within_days"]
        self.transfer_days: int = policy["transfer_within_days"]
        self.committee_min: int = policy["branch_committee_min_formal_members"]
        self.fulltime_min: int = policy["fulltime_worker_min_members"]
        self.industry_min: int = policy["industry_committee_min_party_orgs"]
        self.new_secretary_months: int = policy["new_secretary_training_months"]
        self.counts: dict[str, int] = dict.fromkeys(COUNTS, 0)
        self.org_serial = 0
        self.party_org_serial = 0
        self.uscc_offset = random.Random(f"{seed}:uscc").randrange(USCC_SPACE)
        self.units: dict[str, Unit] = {u.name: u for u in Unit.objects.order_by("pk")}
        # identity numbers in use: (region, birth date) → sequence numbers; regions belong
        # to one city, so a city's entries go once no later city can use its regions.
        self.used_ids: dict[tuple[str, dt.date], set[int]] = {}
        self.names_shared: set[str] = set()  # province-level names are shared between cities
        self.done = 0

    def report(self, what: str, done: int | None = None) -> None:
        if done is not None:
            self.done = done
        if self.progress:
            self.progress(what, self.done, self.scale.orgs)

    def forget_ids(self, prefixes: set[str]) -> None:
        """Drop the identity-number bookkeeping of regions no later city draws from."""
        for key in [k for k in self.used_ids if k[0][:4] in prefixes]:
            del self.used_ids[key]


@dataclass(eq=False)
class CityContext:
    """One city (地级市) being generated: every draw for it comes from `rng`, in order."""

    demo: DemoContext
    city: City
    rng: random.Random
    regions: Regions
    rows: Rows = field(default_factory=Rows)
