"""Named actors, one per role, over a small dataset in two districts (芙蓉区, 天心区).

- city: 长沙市 officer — sees everything.
- furong: 芙蓉区 officer — 芙蓉区 only.
- wenyilu: 文艺路街道 cadre — 文艺路街道 only.
- registry: 芙蓉区民政局 — organizations it registered directly.
- supervisor: 长沙市教育局 — organizations it supervises.
- secretary: the Party secretary of D-FR-1 (文艺路街道's standalone branch).
- outsider: 天心区 officer — sees nothing of 芙蓉区.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from dangjian.accounts.models import Role, User
from dangjian.areas.models import UnitKind
from dangjian.orgs.models import RegistrationMode
from dangjian.partyorgs.models import (
    CommitteeMembership,
    Instructor,
    InstructorAssignment,
    PartyOrgForm,
)
from tests import factories


@dataclass
class World:
    areas: dict[str, Any]
    users: dict[str, User]
    orgs: dict[str, Any]
    party_orgs: dict[str, Any]
    people: dict[str, Any]


def build_world(areas: dict[str, Any]) -> World:
    furong_registry = factories.unit("芙蓉区民政局", UnitKind.CIVIL_AFFAIRS, areas["furong"])
    tianxin_registry = factories.unit("天心区民政局", UnitKind.CIVIL_AFFAIRS, areas["tianxin"])
    education = factories.unit("长沙市教育局", UnitKind.SUPERVISORY, areas["city"])
    orgs = {
        "fr_assoc": factories.org(
            areas["wenyilu"], name="芙蓉区书法协会", registry=furong_registry
        ),
        "fr_school": factories.org(
            areas["chaoyang"],
            name="芙蓉区某培训学校",
            kind="service_agency",
            registry=furong_registry,
            registration_mode=RegistrationMode.SUPERVISED,
            supervisor=education,
            industry="education",
        ),
        "tx_fund": factories.org(
            areas["pozi"], name="天心区助学基金会", kind="foundation", registry=tianxin_registry
        ),
    }
    d = dt.date(2018, 1, 1)
    people = {
        "fr_member": factories.member(orgs["fr_assoc"]),
        "tx_member": factories.member(orgs["tx_fund"]),
    }
    # Distinctive names: the walk test looks for them on every page.
    for key, name in (("fr_member", "芙蓉甲党员"), ("tx_member", "天心乙党员")):
        people[key].name = name
        people[key].save()
    for _ in range(2):
        factories.member(orgs["fr_assoc"])
    party_orgs = {
        "fr": factories.party_org(
            areas["wenyilu"],
            code="D-FR-1",
            name="芙蓉区书法协会党支部",
            covers=[orgs["fr_assoc"]],
            founded_on=d,
        ),
        "tx": factories.party_org(
            areas["pozi"],
            code="D-TX-1",
            name="天心区助学基金会党支部",
            covers=[orgs["tx_fund"]],
            founded_on=d,
        ),
    }
    CommitteeMembership.objects.create(
        party_org=party_orgs["fr"], person=people["fr_member"], role="secretary", started_on=d
    )
    # trained as the rules ask (CAD-*): the tests of the pages count other findings
    factories.cadre_kept(people["fr_member"], d, dt.date.today())
    instructor_person = factories.person("指导员甲")
    instructor = Instructor.objects.create(person=instructor_person, source="retired_cadre")
    InstructorAssignment.objects.create(instructor=instructor, org=orgs["fr_school"], started_on=d)
    people["instructor"] = instructor_person
    users = {
        "city": factories.user("city", role=Role.CITY, area=areas["city"]),
        "furong": factories.user("furong", role=Role.DISTRICT, area=areas["furong"]),
        "wenyilu": factories.user("wenyilu", role=Role.TOWNSHIP, area=areas["wenyilu"]),
        "registry": factories.user("registry", role=Role.REGISTRY, unit=furong_registry),
        "supervisor": factories.user("supervisor", role=Role.SUPERVISOR, unit=education),
        "secretary": factories.user("secretary", role=Role.ORG, party_org=party_orgs["fr"]),
        "instructor": factories.user("instructor", role=Role.INSTRUCTOR, instructor=instructor),
        "outsider": factories.user("outsider", role=Role.DISTRICT, area=areas["tianxin"]),
    }
    return World(areas, users, orgs, party_orgs, people)


def add_cross_jurisdiction_links(world: World) -> None:
    """Relations that cross the two districts (for the walk test): a joint Party
    organization recorded in 芙蓉区 that covers 天心区's foundation, holds the relation of a
    member working there and is the parent of 天心区's branch. The outsider (天心区) sees
    its name and code as a plain label, never a link or its page (docs/security.md)."""
    areas = world.areas
    joint = factories.party_org(
        areas["wenyilu"],
        code="D-FR-J",
        name="芙蓉区跨区联合党支部",
        form=PartyOrgForm.JOINT,
        covers=[world.orgs["fr_school"], world.orgs["tx_fund"]],
        founded_on=dt.date(2018, 1, 1),
    )
    world.party_orgs["fr_joint"] = joint
    world.people["tx_joint_member"] = factories.member(world.orgs["tx_fund"], relation=joint)
    tianxin = world.party_orgs["tx"]
    tianxin.parent = joint
    tianxin.save()
