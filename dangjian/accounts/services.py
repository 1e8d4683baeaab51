"""Writes on users: creating one (`dangjian user add` and the users' pages), deactivating
one, resetting a password, changing one's own.

Who may manage whom is one rule, `may_manage` (docs/permissions.md): a district officer
manages the township, registry, supervisor, secretary and instructor users whose
jurisdiction lies in the district; a city officer the district officers of the city; the
system operator everyone. The services check it themselves, so the pages, the command and
any later caller share one validation path. A user outside the actor's jurisdiction is
`NotFound` (as one that does not exist); a role the actor may not create or manage is
`UserPermissionDenied` (a 403 with a Chinese message). Every act writes an `AuditEvent`
and a history row of the user.
"""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from dangjian.accounts.jurisdiction import NotFound
from dangjian.accounts.models import ROLE_AREA_LEVEL, ROLE_UNIT_KIND, Role, User
from dangjian.areas.models import Area, Unit
from dangjian.core.models import AuditAction, AuditEvent
from dangjian.partyorgs.models import Instructor, InstructorAssignment, PartyOrganization
from dangjian.people.models import Person

# The roles each managing role creates and manages (docs/permissions.md).
MANAGED_ROLES: dict[str, tuple[Role, ...]] = {
    Role.CITY: (Role.DISTRICT,),
    Role.DISTRICT: (Role.TOWNSHIP, Role.REGISTRY, Role.SUPERVISOR, Role.ORG, Role.INSTRUCTOR),
}
NO_RIGHT = (
    "您没有管理用户的权限：只有市级管理员（管理区级管理员）和区级管理员（管理本区的"
    "乡镇(街道)、登记管理机关、业务主管单位、党组织书记和党建工作指导员用户）可以管理用户"
)
REASON_MAX = 200


class UserPermissionDenied(PermissionDenied):
    """The actor may not create or manage this role (or any): a 403, its message Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def is_operator(actor: User) -> bool:
    """The system operator: a superuser without a role (the gate's `everything`)."""
    return actor.is_active and actor.is_superuser and not actor.role


def creatable_roles(actor: User) -> tuple[Role, ...]:
    """The roles `actor` may create and manage users of (none: no user management)."""
    if not actor.is_authenticated or not actor.is_active:
        return ()
    if is_operator(actor):
        return tuple(Role)
    if actor.area_id is None:
        return ()
    return MANAGED_ROLES.get(actor.role, ())


def may_manage_users(actor: User) -> bool:
    return bool(creatable_roles(actor))


def within_q(area: Area, prefix: str = "") -> Q:
    """The users whose jurisdiction lies in `area`: their area, their unit's area, their
    Party organization's township, or an organization their instructor is assigned to."""
    path = area.path
    assigned = InstructorAssignment.objects.filter(
        instructor=OuterRef(f"{prefix}instructor"), org__township__path__startswith=path
    )
    return (
        Q(**{f"{prefix}area__path__startswith": path})
        | Q(**{f"{prefix}unit__area__path__startswith": path})
        | Q(**{f"{prefix}party_org__township__path__startswith": path})
        | (Q(**{f"{prefix}instructor__isnull": False}) & Q(Exists(assigned)))
    )


def users_within(actor: User) -> QuerySet[User]:
    """The users inside `actor`'s jurisdiction — those a refusal names as 403, not 404."""
    qs = User.objects.all()
    if is_operator(actor):
        return qs
    if not may_manage_users(actor) or actor.area is None:
        return qs.none()
    return qs.filter(within_q(actor.area))


def managed_q(actor: User) -> Q:
    """`may_manage` as a filter over users (the selector's reading of the same rule)."""
    if is_operator(actor):
        return ~Q(pk=actor.pk)
    roles = creatable_roles(actor)
    if not roles or actor.area is None:
        return Q(pk__in=[])
    return Q(role__in=roles, is_superuser=False) & within_q(actor.area) & ~Q(pk=actor.pk)


def lies_within(target: User, area: Area) -> bool:
    """Does `target`'s jurisdiction (saved or not) lie in `area`?"""
    path = area.path
    if target.area_id is not None and target.area is not None:
        return target.area.path.startswith(path)
    if target.unit_id is not None and target.unit is not None:
        return target.unit.area is not None and target.unit.area.path.startswith(path)
    if target.party_org_id is not None and target.party_org is not None:
        return target.party_org.township.path.startswith(path)
    if target.instructor_id is not None:
        return InstructorAssignment.objects.filter(
            instructor_id=target.instructor_id, org__township__path__startswith=path
        ).exists()
    return False


def may_manage(actor: User, target: User) -> bool:
    """May `actor` create (an unsaved `target`: its role and jurisdiction) or manage (a
    saved one) `target`? The one rule of the pages, the forms and the services."""
    if target.pk is not None and target.pk == actor.pk:
        return False  # one's own account: 修改密码, not the management pages
    if is_operator(actor):
        return True
    if target.is_superuser or target.role not in creatable_roles(actor):
        return False
    assert actor.area is not None  # creatable_roles says so
    return lies_within(target, actor.area)


def access_user(actor: User, pk: object) -> User:
    """The user `pk` as `actor` may act on it: no right to manage users at all, or a role
    the actor does not manage → `UserPermissionDenied`; outside the jurisdiction (or
    missing) → `NotFound`, the same for both."""
    if not may_manage_users(actor):
        raise UserPermissionDenied(NO_RIGHT)
    try:
        target = users_within(actor).filter(pk=int(str(pk))).first()
    except ValueError:
        target = None
    if target is None:
        raise NotFound("用户不存在")
    _check_manage(actor, target)
    return target


def _check_manage(actor: User, target: User) -> None:
    if may_manage(actor, target):
        return
    if target.pk == actor.pk:
        raise UserPermissionDenied("不能在用户管理中操作自己的账号；修改本人密码请用「修改密码」")
    label = Role(target.role).label if target.role else "系统管理员"
    raise UserPermissionDenied(f"您不能管理角色为「{label}」的用户")


def _audit(actor: User | None, action: AuditAction, target: User, extra: str = "") -> None:
    detail = f"{action.label}：用户「{target.username}」（{target.jurisdiction_label()}）"
    AuditEvent.objects.create(user=actor, action=action, detail=detail + extra)


def _save(user: User, actor: User | None, reason: str) -> None:
    """Save with a history row naming who and why (password fields are not in it)."""
    user._history_user = actor  # type: ignore[attr-defined]
    user._change_reason = reason  # type: ignore[attr-defined]
    user.save()


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
    full_name: str = "",
    actor: User | None = None,
) -> User:
    """Create a user whose role fixes the jurisdiction (POLICY.md roles, CONTRACT.md).

    `actor` is who creates it (None: the command line, the operator at the terminal):
    they may create only the roles they manage (`UserPermissionDenied` otherwise), with a
    jurisdiction inside theirs — one outside it reads as one that does not exist.

    Raises ValidationError with Chinese messages naming the field and the value; writes
    nothing then.
    """
    errors: dict[str, str] = {}
    if role not in Role.values:
        raise ValidationError({"role": f"角色「{role}」不存在，可选：{'、'.join(Role.values)}"})
    role = Role(role)
    if actor is not None and role not in creatable_roles(actor):
        if not may_manage_users(actor):
            raise UserPermissionDenied(NO_RIGHT)
        raise UserPermissionDenied(f"您不能新建角色为「{role.label}」的用户")
    # What the actor may name: inside their area (the operator and the command: anything).
    inside = actor.area if actor is not None and not is_operator(actor) else None
    if not username:
        errors["username"] = "请填写用户名"
    elif User.objects.filter(username=username).exists():
        errors["username"] = f"用户名「{username}」已存在"
    user = User(username=username, role=role, first_name=full_name.strip())
    if area_code:
        areas = Area.objects.filter(code=area_code)
        if inside is not None:
            areas = areas.filter(path__startswith=inside.path)
        user.area = areas.first()
        if user.area is None:
            errors["area"] = f"区划代码「{area_code}」不存在"
    if unit_name:
        units = Unit.objects.filter(name=unit_name)
        if inside is not None:
            units = units.filter(area__path__startswith=inside.path)
        user.unit = units.first()
        if user.unit is None:
            errors["unit"] = f"单位「{unit_name}」不存在"
    if party_org_code:
        party_orgs = PartyOrganization.objects.filter(code=party_org_code)
        if inside is not None:
            party_orgs = party_orgs.filter(township__path__startswith=inside.path)
        user.party_org = party_orgs.first()
        if user.party_org is None:
            errors["party_org"] = f"党组织编码「{party_org_code}」不存在"
    if instructor_id_number:
        person = Person.objects.by_id_number(instructor_id_number).first()
        instructors = Instructor.objects.filter(person=person)
        if inside is not None:
            instructors = instructors.filter(
                Exists(
                    InstructorAssignment.objects.filter(
                        instructor=OuterRef("pk"), org__township__path__startswith=inside.path
                    )
                )
            )
        user.instructor = instructors.first() if person else None
        if user.instructor is None:
            errors["instructor"] = "该公民身份号码不是已登记的党建工作指导员"
    # A jurisdiction the role does not take is a mistake, not something to ignore.
    if user.area_id and role not in ROLE_AREA_LEVEL:
        errors["area"] = f"角色「{role.label}」不按区划确定管辖范围，请勿指定 --area"
    if user.unit_id and role not in ROLE_UNIT_KIND:
        errors["unit"] = f"角色「{role.label}」不按单位确定管辖范围，请勿指定 --unit"
    if user.party_org_id and role != Role.ORG:
        errors["party_org"] = f"角色「{role.label}」不按党组织确定管辖范围，请勿指定 --party-org"
    if user.instructor_id and role != Role.INSTRUCTOR:
        errors["instructor"] = (
            f"角色「{role.label}」不按指导员身份确定管辖范围，请勿指定 --instructor"
        )
    if errors:
        raise ValidationError(errors)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.full_clean()
    if actor is not None:
        _check_manage(actor, user)  # the scope found lies inside: this holds
    _save(user, actor, "新建用户")
    _audit(actor, AuditAction.USER_CREATE, user)
    return user


@transaction.atomic
def user_deactivate(*, actor: User, target: User, reason: str) -> User:
    """停用: the user can no longer log in (nor use an API token); the reason is recorded."""
    target = access_user(actor, target.pk)
    target = User.objects.select_for_update().get(pk=target.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写停用原因"})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": f"停用原因不能超过{REASON_MAX}个字（现有{len(reason)}个字）"}
        )
    if not target.is_active:
        raise ValidationError({"reason": f"用户「{target.username}」已经停用"})
    target.is_active = False
    _save(target, actor, f"停用：{reason}")
    _audit(actor, AuditAction.USER_DEACTIVATE, target, f"；原因：{reason}")
    return target


@transaction.atomic
def user_reset_password(*, actor: User, target: User) -> str:
    """A new generated password for `target`, returned to be shown once; nothing else of
    the user changes."""
    target = access_user(actor, target.pk)
    password = generate_password()
    validate_password(password, target)
    target.set_password(password)
    _save(target, actor, "重置密码")
    _audit(actor, AuditAction.USER_RESET_PASSWORD, target)
    return password


@transaction.atomic
def user_change_own_password(*, user: User, password: str) -> None:
    """The user's own new password (the form has checked the old one and the
    validators; they are checked here again for any other caller)."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password1": exc.messages}) from None
    user.set_password(password)
    _save(user, user, "修改本人密码")
    _audit(user, AuditAction.PASSWORD_CHANGE, user)
