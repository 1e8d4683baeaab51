"""The users' pages (用户管理): the list of the users the actor may manage, a user's page
with its history, adding one, deactivating one, resetting a password — and everyone's own
password change (修改密码).

Thin: the reads are `accounts.selectors`, the writes `accounts.services`, which check
`may_manage` themselves. A user outside the actor's jurisdiction answers 404 as one that
does not exist; a role the actor may not create or manage, 403 with the reason in Chinese.
A generated password is shown once, on the answer to the POST that made it (never
stored, never cached).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from dangjian.accounts import selectors, services
from dangjian.accounts.forms import DeactivateForm, OwnPasswordForm, UserCreateForm
from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.accounts.models import Role, User
from dangjian.web import details, lists, tables
from dangjian.web.frame import crumbs

USERS_TITLE = "用户管理"
STATES = [("active", "启用"), ("inactive", "停用")]
View = Callable[..., HttpResponse]


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(
        request,
        "accounts/forbidden.html",
        {"title": "无权操作", "message": message, "breadcrumbs": crumbs(("无权操作", None))},
        status=403,
    )


def managing(view: View) -> View:
    """Log-in required; a refusal of the services (`UserPermissionDenied`) is a 403 page
    with its message."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except services.UserPermissionDenied as exc:
            return forbidden(request, exc.message)

    return wrapped


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _once(response: HttpResponse) -> HttpResponse:
    """A page showing a password: never kept by a cache or the browser's history."""
    add_never_cache_headers(response)
    return response


# --- the list --------------------------------------------------------------------------


def _filtered(
    request: HttpRequest, gate: Jurisdiction, today: dt.date
) -> tuple[QuerySet[User], dict[str, Any], str]:
    actor = gate.user
    assert actor is not None
    roles = [(r.value, r.label) for r in services.creatable_roles(actor)]
    f = {
        "as_of": None,
        "figure": "",
        "area": None,
        "q": lists.text(request),
        "role": lists.choice(request, "role", roles),
        "state": lists.choice(request, "state", STATES),
    }
    qs = selectors.users_for(actor, f)
    ordered, wanted = tables.sort(request, qs, selectors.SORT, "username")
    return ordered, f, wanted


USER_COLUMNS = [
    ("username", "用户名", ""),
    ("name", "姓名", ""),
    ("role", "角色", ""),
    ("", "管辖范围", ""),
    ("active", "状态", ""),
    ("last_login", "最近登录", lists.WIDE_ONLY),
    ("", "操作", ""),
]
USERS = lists.ListPage(
    title=USERS_TITLE,
    url="web:users",
    export_url="web:users_export",
    form_id="user-filters",
    template="accounts/user_list.html",
    columns=USER_COLUMNS,
    filtered=_filtered,
    results=lists.Results(
        noun="个用户",
        measure="个",
        thing="用户",
        rows_template="accounts/_rows.html",
        pager_label="用户分页",
    ),
)


def _name(user: User) -> str:
    return f"{user.last_name}{user.first_name}".strip()


def _scope(user: User) -> str:
    """The jurisdiction in words, without the role (its own column)."""
    label = user.jurisdiction_label()
    return label.rsplit(" · ", 1)[0] if " · " in label else "—"


def _row(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "name": _name(user),
        "role": user.get_role_display() if user.role else "系统管理员",
        "scope": _scope(user),
        "active": user.is_active,
        "last_login": user.last_login,
        "url": reverse("web:user", kwargs={"pk": user.pk}),
    }


@managing
def user_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not services.may_manage_users(actor):
        return forbidden(request, services.NO_RIGHT)
    shown = USERS.open(request)
    page = tables.page(request, shown.qs)
    filtered = any(shown.f[name] for name in ("q", "role", "state"))
    return shown.render(
        page,
        [],
        filtered=filtered,
        rows=[_row(u) for u in page.object_list],
        roles=[(r.value, r.label) for r in services.creatable_roles(actor)],
        states=STATES,
    )


def _export_rows(gate: Jurisdiction, qs: QuerySet[User], day: dt.date) -> Iterable[Sequence[Any]]:
    for user in qs:
        row = _row(user)
        yield [
            row["username"],
            row["name"],
            row["role"],
            row["scope"],
            "启用" if row["active"] else "停用",
            user.last_login.strftime("%Y-%m-%d %H:%M") if user.last_login else "",
        ]


@managing
def user_export(request: HttpRequest) -> HttpResponse:
    if not services.may_manage_users(_actor(request)):
        return forbidden(request, services.NO_RIGHT)
    header = ["用户名", "姓名", "角色", "管辖范围", "状态", "最近登录"]
    return USERS.export(request, header, _export_rows)


# --- one user ---------------------------------------------------------------------------


def _user_frame(target: User, here: str | None = None) -> list[dict[str, str | None]]:
    items: list[tuple[str, str | None]] = [(USERS_TITLE, reverse("web:users"))]
    if here:
        items += [(target.username, reverse("web:user", kwargs={"pk": target.pk})), (here, None)]
    else:
        items.append((target.username, None))
    return crumbs(*items)


@managing
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    target = services.access_user(_actor(request), pk)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "title": f"用户 {target.username}",
            "breadcrumbs": _user_frame(target),
            "target": target,
            "row": _row(target),
            "history": details.history(target),
        },
    )


@managing
def user_add(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not services.may_manage_users(actor):
        return forbidden(request, services.NO_RIGHT)
    form = UserCreateForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        created = form.save()
        if created is not None:
            user, password = created
            return _once(
                render(
                    request,
                    "accounts/password_shown.html",
                    {
                        "title": "用户已新建",
                        "breadcrumbs": crumbs(
                            (USERS_TITLE, reverse("web:users")), ("新建用户", None)
                        ),
                        "target": user,
                        "row": _row(user),
                        "password": password,
                        "what": "初始密码",
                    },
                )
            )
    return render(
        request,
        "accounts/user_form.html",
        {
            "title": "新建用户",
            "breadcrumbs": crumbs((USERS_TITLE, reverse("web:users")), ("新建用户", None)),
            "form": form,
            "roles": [(r.value, r.label) for r in services.creatable_roles(actor)],
        },
    )


@managing
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    target = services.access_user(actor, pk)
    form = DeactivateForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and form.save(actor=actor, target=target) is not None
    ):
        messages.success(request, f"已停用用户「{target.username}」，该用户不能再登录")
        return redirect("web:user", pk=target.pk)
    return render(
        request,
        "accounts/user_deactivate.html",
        {
            "title": f"停用用户 {target.username}",
            "breadcrumbs": _user_frame(target, "停用"),
            "target": target,
            "row": _row(target),
            "form": form,
        },
    )


@managing
def user_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    target = services.access_user(actor, pk)
    if request.method == "POST":
        password = services.user_reset_password(actor=actor, target=target)
        return _once(
            render(
                request,
                "accounts/password_shown.html",
                {
                    "title": "密码已重置",
                    "breadcrumbs": _user_frame(target, "重置密码"),
                    "target": target,
                    "row": _row(target),
                    "password": password,
                    "what": "新密码",
                },
            )
        )
    return render(
        request,
        "accounts/user_reset_password.html",
        {
            "title": f"重置用户 {target.username} 的密码",
            "breadcrumbs": _user_frame(target, "重置密码"),
            "target": target,
            "row": _row(target),
        },
    )


# --- one's own password -------------------------------------------------------------------


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = OwnPasswordForm(actor, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, actor)
        messages.success(request, "密码已修改，下次登录请使用新密码")
        return redirect("web:password_change")
    return render(
        request,
        "accounts/password_change.html",
        {
            "title": "修改密码",
            "breadcrumbs": crumbs(("修改密码", None)),
            "form": form,
            "role": Role(actor.role).label if actor.role else "",
        },
    )
