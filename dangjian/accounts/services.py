"""Writes on users."""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from dangjian.accounts.models import ROLE_AREA_LEVEL, ROLE_UNIT_KIND, Role, User
from dangjian.areas.models import Area, Unit
from dangjian.partyorgs.models import Instructor, PartyOrganization
from dangjian.people.models import Person


def generate_password() -> str:
    return secrets.token_urlsafe(12)


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    password: str,
    area_code: str | None = None,
    unit_name: str | None = None,
    party_org_code: str | None = None,
    instructor_id_number: str | None = None,
) -> User:
    """Create a user whose role fixes the jurisdiction (POLICY.md roles, CONTRACT.md).

    Raises ValidationError with Chinese messages naming the field and the value; writes
    nothing then.
    """
    errors: dict[str, str] = {}
    if role not in Role.values:
        raise ValidationError({"role": f"角色「{role}」不存在，可选：{'、'.join(Role.values)}"})
    role = Role(role)
    if User.objects.filter(username=username).exists():
        errors["username"] = f"用户名「{username}」已存在"
    user = User(username=username, role=role)
    if area_code:
        user.area = Area.objects.filter(code=area_code).first()
        if user.area is None:
            errors["area"] = f"区划代码「{area_code}」不存在"
    if unit_name:
        user.unit = Unit.objects.filter(name=unit_name).first()
        if user.unit is None:
            errors["unit"] = f"单位「{unit_name}」不存在"
    if party_org_code:
        user.party_org = PartyOrganization.objects.filter(code=party_org_code).first()
        if user.party_org is None:
            errors["party_org"] = f"党组织编码「{party_org_code}」不存在"
    if instructor_id_number:
        person = Person.objects.by_id_number(instructor_id_number).first()
        user.instructor = Instructor.objects.filter(person=person).first() if person else None
        if user.instructor is None:
            errors["instructor"] = "该公民身份号码不是已登记的党建工作指导员"
    # A jurisdiction the role does not take is a mistake, not something to ignore.
    if user.area_id and role not in ROLE_AREA_LEVEL:
        errors["area"] = f"角色「{role.label}」不按区划确定管辖范围，请勿指定 --area"
    if user.unit_id and role not in ROLE_UNIT_KIND:
        errors["unit"] = f"角色「{role.label}」不按单位确定管辖范围，请勿指定 --unit"
    if user.party_org_id and role != Role.ORG:
        errors["party_org"] = f"角色「{role.label}」不按党组织确定管辖范围，请勿指定 --party-org"
    if errors:
        raise ValidationError(errors)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.full_clean()
    user.save()
    return user
