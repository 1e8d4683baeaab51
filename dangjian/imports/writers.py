"""Who may write which kind of record, and the rows they may not write.

The area officers (city, district, township) write every kind inside their area; the
registry writes the registration facts of the organizations it registers directly (the
`orgs` kind: its own name as 登记管理机关, 直接登记, 党建管理方式 unchanged) and their annual
inspections and evaluations (`inspections`, `evaluations`); a Party
organization's secretary writes its own members (`people` rows whose relation is the Party
organization or one under it), offices (`committees` rows of those Party organizations) and
organization life (Party groups, meetings, activities, pairings, demonstration sites and the
联组 they lead, of those Party organizations), the applicants they develop (`applicants`) and
the transfers of the relations they hold (`transfers`), and the dues of those members, the
Party organization's returns and funds (`dues`, `dues-returns`, `funds`), and its venue
checks (`venues`);
the system operator writes everything. Every write — form, API, import — goes through the
import kinds, and every kind refuses a row about a stored record its writer may not see
(`outside`), so a key outside the writer's jurisdiction can never be created over or
changed (docs/permissions.md); the import service refuses a whole file of a kind its user
may not write, whoever calls it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Model, QuerySet

from dangjian.accounts.models import Role

AREA_WRITERS = (Role.CITY, Role.DISTRICT, Role.TOWNSHIP)
ALL_KINDS = (
    "orgs", "party-orgs", "people", "committees", "instructors", "party-groups", "meetings",
    "trainings", "applicants", "transfers", "pairings", "demonstration-sites", "joint-groups",
    "activities",
    "studies", "recommendations", "party-workers", "worker-allowances", "instructor-visits",
    "work-bodies", "work-body-staff", "township-cadres", "contact-points",
    "dues", "dues-returns", "funds", "inspections", "evaluations", "rectifications",
    "service-centres", "venues",
)  # fmt: skip
# The records of the districts' work bodies and their contact points: the city's and the
# districts' officers write them; a township's officer writes the rest (its own cadres).
DISTRICT_KINDS = ("work-bodies", "work-body-staff", "contact-points")
# Organization life: a secretary writes those of its own Party organization (and those under it).
LIFE_KINDS = ("party-groups", "meetings", "pairings", "demonstration-sites", "joint-groups",
              "activities")  # fmt: skip
# The kinds each role that is no area officer may write, by role.
ROLE_KINDS: dict[str, tuple[str, ...]] = {
    # The registry: registration facts, inspections and evaluations of its own organizations.
    Role.REGISTRY: ("orgs", "inspections", "evaluations"),
    Role.ORG: (
        "people",
        "committees",
        *LIFE_KINDS,
        "applicants",
        "transfers",
        "dues",
        "dues-returns",
        "funds",
        "venues",
    ),
    Role.INSTRUCTOR: ("instructor-visits",),  # their own visits (the kind checks whose)
}
# Said of a row whose key is a stored record outside the writer's jurisdiction: it cannot be
# created (the key is taken) nor changed (it is not theirs), and nothing more is told of it.
OUTSIDE = "已在您的管辖范围以外登记，不能在此新增或修改（请由其所在地区的管理员办理）"


def writable_kinds(user: Any) -> tuple[str, ...]:
    """The kinds `user` may write (in forms; through the API and the import pages only the
    area officers and the system operator)."""
    if user is None:
        return ALL_KINDS
    if not user.is_authenticated or not user.is_active:
        return ()
    if user.is_superuser and not user.role:
        return ALL_KINDS
    if user.role in AREA_WRITERS:
        if user.area_id is None:
            return ()
        if user.role == Role.TOWNSHIP:
            return tuple(kind for kind in ALL_KINDS if kind not in DISTRICT_KINDS)
        return ALL_KINDS
    if user.role == Role.REGISTRY and user.unit_id is not None:
        return ROLE_KINDS[Role.REGISTRY]
    if user.role == Role.ORG and user.party_org_id is not None:
        return ROLE_KINDS[Role.ORG]
    if user.role == Role.INSTRUCTOR and user.instructor_id is not None:
        return ROLE_KINDS[Role.INSTRUCTOR]
    return ()


def may_write(user: Any, kind: str) -> bool:
    return kind in writable_kinds(user)


def outside(gate: Any, visible: QuerySet[Any], model: type[Model], field: str,
            keys: Iterable[Any], stored_in: QuerySet[Any] | None = None) -> set[Any]:  # fmt: skip
    """Of `keys` (values of `field`), those of stored records of `model` (of `stored_in`,
    when given: the records that belong to some jurisdiction) that are not in `visible`
    (the gate's selector of the model): two indexed reads per 900 keys, none when the gate
    sees everything."""
    if gate is None or gate.everything:
        return set()
    stored_qs = stored_in if stored_in is not None else model._default_manager.all()
    wanted = sorted(set(keys), key=repr)
    stored: set[Any] = set()
    seen: set[Any] = set()
    for start in range(0, len(wanted), 900):
        part = wanted[start : start + 900]
        lookup = {f"{field}__in": part}
        stored.update(stored_qs.filter(**lookup).values_list(field, flat=True))
        seen.update(visible.filter(**lookup).values_list(field, flat=True))
    return stored - seen
