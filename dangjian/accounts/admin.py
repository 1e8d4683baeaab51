"""Admin of users: Django's user admin with change history, roles and jurisdictions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest

from dangjian.accounts.models import ApiToken, LoginFailure, User
from dangjian.accounts.tokens import token_revoke
from dangjian.core.admin import ReadOnlyAdmin, ScopedAdmin, ScopedHistoryAdmin

ROLE_FIELDS = ("role", "area", "unit", "party_org", "instructor")
ROLE_FIELDSET: Any = (  # a fieldset, in both the add and the change form
    "角色与管辖范围",
    {
        "fields": ROLE_FIELDS,
        "description": "市级、区级管理员和乡镇(街道)干部须指定管辖区划；登记管理机关和业务主管单位"
        "须指定所在单位；党组织书记须指定所在党组织；党建工作指导员须指定指导员身份。",
    },
)


# Django registers its groups' admin itself: registered again, scoped like every other (the
# gate shows a model it does not know to the operator only).
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(ScopedAdmin, DjangoGroupAdmin):
    pass


@admin.register(User)
class UserAdmin(ScopedHistoryAdmin, DjangoUserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ROLE_FIELDSET,
        ("个人信息", {"fields": ("last_name", "first_name", "email")}),
        (
            "权限",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("重要日期", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        ROLE_FIELDSET,
    )
    list_display = (
        "username",
        "last_name",
        "first_name",
        "role",
        "jurisdiction",
        "is_active",
        "is_staff",
        "is_superuser",
    )
    list_filter = ("role", "is_active", "is_staff", "is_superuser", "groups")
    search_fields = ("username", "last_name", "first_name", "email")
    autocomplete_fields = ("area", "unit", "party_org", "instructor")
    list_select_related = ("area", "unit", "party_org", "instructor__person")

    @admin.display(description="管辖范围")
    def jurisdiction(self, obj: User) -> str:
        return obj.jurisdiction_label()


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Tokens are created by `dangjian token create` (shown once); here they are listed and
    revoked."""

    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["prefix", "user__username", "name"]
    raw_id_fields = ["user"]
    list_select_related = ["user"]
    actions = ["revoke"]

    @admin.action(description="撤销所选令牌")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            token_revoke(token=token)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_superuser  # needed for the revoke action


@admin.register(LoginFailure)
class LoginFailureAdmin(ReadOnlyAdmin):
    list_display = ["username", "failures_since_start", "attempt_time", "ip_address"]
    search_fields = ["username"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_superuser  # deleting the record unlocks the account
