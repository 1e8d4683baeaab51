"""The accounts' demo records: one user per role, plus the superuser `admin`, each given a
random password that is shown once. `dangjian.demo` creates them last, on the data of every
city (a secretary needs a Party organization with a secretary, an instructor an instructor).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from dangjian.accounts.models import Role, User
from dangjian.areas.models import Area, Unit, UnitKind
from dangjian.demo.base import CHANGSHA
from dangjian.demo.context import DemoContext
from dangjian.demo.output import DemoUser
from dangjian.partyorgs.models import (
    CommitteeRole,
    Instructor,
    PartyOrganization,
    PartyOrgForm,
    PartyOrgStatus,
)


def users(ctx: DemoContext) -> list[DemoUser]:
    """One user per role, plus the superuser `admin` (passwords random, shown once)."""
    city = Area.objects.filter(code=CHANGSHA).first()
    district = Area.objects.filter(code="430102").first()
    township = Area.objects.filter(code="430102001").first()
    registry = (
        Unit.objects.filter(kind=UnitKind.CIVIL_AFFAIRS, area=district).order_by("pk").first()
    )
    supervisor = (
        Unit.objects.filter(kind=UnitKind.SUPERVISORY, area=city, name__endswith="教育局").first()
        or Unit.objects.filter(kind=UnitKind.SUPERVISORY).order_by("pk").first()
    )
    active = PartyOrganization.objects.filter(status=PartyOrgStatus.ACTIVE)
    with_secretary = active.filter(
        committee__role=CommitteeRole.SECRETARY, committee__ended_on__isnull=True
    )
    party_org = (
        with_secretary.filter(form=PartyOrgForm.STANDALONE, township=township)
        .order_by("code")
        .first()
        or with_secretary.filter(form=PartyOrgForm.STANDALONE).order_by("code").first()
        or with_secretary.order_by("code").first()
        or active.filter(township=township).order_by("code").first()
    )
    instructor = (
        Instructor.objects.filter(
            assignments__ended_on__isnull=True,
            assignments__org__district=district,
        )
        .order_by("pk")
        .first()
        or Instructor.objects.order_by("pk").first()
    )
    secretary_name = ""
    if party_org is not None:
        office = party_org.committee.filter(role=CommitteeRole.SECRETARY).first()
        secretary_name = office.person.name if office else ""
    plans: list[tuple[str, str, dict[str, Any], str, str]] = [
        ("city_admin", Role.CITY, {"area": city}, "市社会组织党工委", ""),
        ("furong_admin", Role.DISTRICT, {"area": district}, "芙蓉区社会组织党建办", ""),
        ("wenyilu_cadre", Role.TOWNSHIP, {"area": township}, "文艺路街道党建专干", ""),
        ("furong_registry", Role.REGISTRY, {"unit": registry}, "芙蓉区民政局", ""),
        ("supervisor_edu", Role.SUPERVISOR, {"unit": supervisor}, "业务主管单位", ""),
        ("org_secretary", Role.ORG, {"party_org": party_org}, secretary_name, ""),
        (
            "instructor",
            Role.INSTRUCTOR,
            {"instructor": instructor},
            instructor.person.name if instructor else "",
            "",
        ),
        ("admin", "", {}, "系统管理员", "全部（系统管理员）"),
    ]
    result = []
    for username, role, target, first_name, scope in plans:
        if any(value is None for value in target.values()):
            continue  # nothing of that kind at this scale
        if User.objects.filter(username=username).exists():
            result.append(DemoUser(username, "（已存在，未修改）", "", "", created=False))
            continue
        user = User(username=username, role=role, first_name=first_name, **target)
        if not role:
            user.is_staff = user.is_superuser = True
        password = _password(user)
        user.set_password(password)
        user.full_clean()
        user.save()
        ctx.counts["users"] += 1
        label = Role(role).label if role else "系统管理员"
        result.append(DemoUser(username, password, label, scope or _scope(user)))
    return result


def _password(user: User) -> str:
    while True:
        password = secrets.token_urlsafe(9)
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password


def _scope(user: User) -> str:
    if user.area is not None:
        return f"{user.area.name}（{user.area.code}）"
    if user.unit is not None:
        return user.unit.name
    if user.party_org is not None:
        return f"{user.party_org.name}（{user.party_org.code}）"
    if user.instructor is not None:
        return f"{user.instructor.person.name}（指导员）负责的社会组织"
    return ""
