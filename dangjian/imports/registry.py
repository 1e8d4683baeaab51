"""The import kinds, in the order CONTRACT.md gives (each may refer to the earlier ones)."""

from __future__ import annotations

from dangjian.imports.base import Kind
from dangjian.imports.kinds.activities import (
    ActivitiesKind,
    DemonstrationSitesKind,
    JointGroupsKind,
    PairingsKind,
)
from dangjian.imports.kinds.bodies import (
    ContactPointsKind,
    StudiesKind,
    TownshipCadresKind,
    WorkBodiesKind,
    WorkBodyStaffKind,
)
from dangjian.imports.kinds.cadres import (
    InstructorVisitsKind,
    PartyWorkersKind,
    RecommendationsKind,
    TrainingsKind,
    WorkerAllowancesKind,
)
from dangjian.imports.kinds.committees import CommitteesKind
from dangjian.imports.kinds.development import ApplicantsKind
from dangjian.imports.kinds.dues import DuesKind, DuesReturnsKind, FundsKind
from dangjian.imports.kinds.inspections import EvaluationsKind, InspectionsKind
from dangjian.imports.kinds.instructors import InstructorsKind
from dangjian.imports.kinds.life import MeetingsKind, PartyGroupsKind
from dangjian.imports.kinds.orgs import OrgsKind
from dangjian.imports.kinds.partyorgs import PartyOrgsKind
from dangjian.imports.kinds.people import PeopleKind
from dangjian.imports.kinds.rectifications import RectificationsKind
from dangjian.imports.kinds.transfers import TransfersKind
from dangjian.imports.kinds.venues import ServiceCentresKind, VenuesKind

KINDS: dict[str, type[Kind]] = {
    kind.name: kind
    for kind in (
        OrgsKind,
        PartyOrgsKind,
        PeopleKind,
        CommitteesKind,
        InstructorsKind,
        PartyGroupsKind,
        MeetingsKind,
        TrainingsKind,
        ApplicantsKind,  # CONTRACT's order: after `trainings`
        TransfersKind,  # CONTRACT's order: after `applicants`
        PairingsKind,
        DemonstrationSitesKind,
        JointGroupsKind,
        ActivitiesKind,  # names a 联组 of `joint-groups`
        InspectionsKind,  # CONTRACT's order: `inspections`, `rectifications` before `studies`
        EvaluationsKind,  # the project's own (docs/dynamics.md)
        RectificationsKind,
        StudiesKind,
        RecommendationsKind,
        DuesKind,  # CONTRACT's order: `dues`, `dues-returns` after `recommendations`
        DuesReturnsKind,
        FundsKind,  # the project's own (docs/dues.md)
        ServiceCentresKind,  # the project's own (docs/dynamics.md): before the venues using them
        VenuesKind,  # CONTRACT's order: last
        PartyWorkersKind,
        WorkerAllowancesKind,  # of a Party worker of `party-workers`
        InstructorVisitsKind,
        WorkBodiesKind,
        WorkBodyStaffKind,  # of a work body of `work-bodies`
        TownshipCadresKind,
        ContactPointsKind,
    )
}
