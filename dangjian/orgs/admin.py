"""Admin of social organizations (up to a million rows: no full counts, no plain selects)."""

from __future__ import annotations

from django.contrib import admin

from dangjian.core.admin import ScopedHistoryAdmin
from dangjian.orgs.models import SocialOrganization


@admin.register(SocialOrganization)
class SocialOrganizationAdmin(ScopedHistoryAdmin):
    list_display = (
        "uscc",
        "name",
        "kind",
        "registration_mode",
        "industry",
        "district",
        "township",
        "status",
        "registered_on",
    )
    list_display_links = ("uscc", "name")
    # `district` lists only districts: the filter honours the field's limit_choices_to.
    list_filter = (
        "kind",
        "status",
        "registration_mode",
        "industry",
        "district",
        "party_management",
    )
    search_fields = ("^uscc", "name")
    search_help_text = "按统一社会信用代码（从头匹配）或社会组织名称检索"
    autocomplete_fields = ("registry", "supervisor", "district", "township", "community")
    list_select_related = ("district", "township")
    show_full_result_count = False
    list_per_page = 50
    fieldsets = (
        (
            "登记信息",
            {
                "fields": (
                    "uscc",
                    "name",
                    "kind",
                    "registry",
                    "registration_mode",
                    "supervisor",
                    "industry",
                    "registered_on",
                    "staff_count",
                )
            },
        ),
        ("所在区划", {"fields": ("district", "township", "community")}),
        ("登记状态", {"fields": ("status", "status_changed_on")}),
        ("党建工作", {"fields": ("party_management",)}),
    )
