"""Admin of users: Django's user admin with change history, roles and jurisdictions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from dangjian.accounts.models import User

ROLE_FIELDS = ("role", "area", "unit", "party_org", "instructor")
ROLE_FIELDSET: Any = (  # a fieldset, in both the add and the change form
    "角色与管辖范围",
    {
        "fields": ROLE_FIELDS,
        "description": "市级、区级管理员和乡镇(街道)干部须指定管辖区划；登记管理机关和业务主管单位"
        "须指定所在单位；党组织书记须指定所在党组织；党建工作指导员须指定指导员身份。",
    },
)


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
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
