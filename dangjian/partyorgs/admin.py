"""Admin of Party organizations, their coverage and committees, and instructors."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from dangjian.areas.admin import dated_filter, district_filter
from dangjian.core.admin import ScopedHistoryAdmin
from dangjian.lib.dated import holds_on_q
from dangjian.partyorgs.models import (
    CommitteeMembership,
    Coverage,
    Instructor,
    InstructorAssignment,
    PartyOrganization,
)
from dangjian.people.admin import PersonSearchAdmin

# --- Party organizations ----------------------------------------------------------------------


class CoverageInline(admin.TabularInline):
    model = Coverage
    fields = ("org", "started_on", "ended_on")
    autocomplete_fields = ("org",)
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Coverage]:
        return super().get_queryset(request).select_related("party_org", "org")


class CommitteeMembershipInline(admin.TabularInline):
    model = CommitteeMembership
    fields = ("person", "role", "started_on", "ended_on", "full_time")
    autocomplete_fields = ("person",)
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[CommitteeMembership]:
        return super().get_queryset(request).select_related("party_org", "person")


@admin.register(PartyOrganization)
class PartyOrganizationAdmin(ScopedHistoryAdmin):
    list_display = (
        "code",
        "name",
        "level",
        "form",
        "township",
        "parent",
        "founded_on",
        "term_started_on",
        "status",
    )
    list_display_links = ("code", "name")
    list_filter = ("level", "form", "status", district_filter("township"))
    search_fields = ("^code", "name")
    search_help_text = "按党组织编码（从头匹配）或党组织名称检索"
    autocomplete_fields = ("parent", "township", "unit")
    list_select_related = ("township", "parent")
    show_full_result_count = False
    list_per_page = 50
    inlines = (CommitteeMembershipInline, CoverageInline)
    fieldsets = (
        ("基本信息", {"fields": ("code", "name", "level", "form", "parent", "township", "unit")}),
        (
            "成立、换届与撤销",
            {"fields": ("founded_on", "term_started_on", "status", "dissolved_on")},
        ),
    )


@admin.register(Coverage)
class CoverageAdmin(ScopedHistoryAdmin):
    list_display = ("party_org", "org", "started_on", "ended_on", "counts_today")
    list_filter = (
        dated_filter(
            Coverage.current_on_q, title="覆盖状态", holds_label="有效", ended_label="已失效"
        ),
        "party_org__form",
    )
    search_fields = ("^party_org__code", "party_org__name", "^org__uscc", "org__name")
    search_help_text = "按党组织编码或名称、统一社会信用代码或社会组织名称检索"
    autocomplete_fields = ("party_org", "org")
    list_select_related = ("party_org", "org")
    show_full_result_count = False
    list_per_page = 50

    @admin.display(description="当前有效", boolean=True)
    def counts_today(self, obj: Coverage) -> bool:
        return obj.is_current(timezone.localdate())


@admin.register(CommitteeMembership)
class CommitteeMembershipAdmin(PersonSearchAdmin):
    list_display = ("party_org", "role", "person", "started_on", "ended_on", "full_time")
    list_filter = (
        "role",
        "full_time",
        dated_filter(
            lambda on: holds_on_q(on, start_required=True),
            title="任职状态",
            holds_label="在任",
            ended_label="不在任",
        ),
    )
    search_fields = ("person__name", "^party_org__code", "party_org__name")
    search_help_text = "按姓名、完整公民身份号码、党组织编码或名称检索"
    autocomplete_fields = ("party_org", "person")
    list_select_related = ("party_org", "person")
    show_full_result_count = False
    list_per_page = 50


# --- Instructors ------------------------------------------------------------------------------


class InstructorAssignmentInline(admin.TabularInline):
    model = InstructorAssignment
    fields = ("org", "started_on", "ended_on")
    autocomplete_fields = ("org",)
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[InstructorAssignment]:
        return super().get_queryset(request).select_related("instructor__person", "org")


@admin.register(Instructor)
class InstructorAdmin(PersonSearchAdmin):
    list_display = ("person_name", "person_id_masked", "source")
    list_filter = ("source",)
    search_fields = ("person__name",)
    search_help_text = "按姓名或完整公民身份号码检索"
    autocomplete_fields = ("person",)
    list_select_related = ("person",)
    inlines = (InstructorAssignmentInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Instructor]:
        # The name comes from the person, also in the autocomplete of the users' admin.
        return super().get_queryset(request).select_related("person")

    @admin.display(description="姓名", ordering="person__name")
    def person_name(self, obj: Instructor) -> str:
        return obj.person.name

    @admin.display(description="公民身份号码")
    def person_id_masked(self, obj: Instructor) -> str:
        return obj.person.id_masked


@admin.register(InstructorAssignment)
class InstructorAssignmentAdmin(PersonSearchAdmin):
    id_hash_lookup = "instructor__person__id_hash"
    list_display = ("instructor", "org", "started_on", "ended_on")
    list_filter = (
        dated_filter(
            lambda on: holds_on_q(on, start_required=True),
            title="派驻状态",
            holds_label="在派",
            ended_label="已结束",
        ),
    )
    search_fields = ("instructor__person__name", "^org__uscc", "org__name")
    search_help_text = "按指导员姓名或完整公民身份号码、统一社会信用代码或社会组织名称检索"
    autocomplete_fields = ("instructor", "org")
    list_select_related = ("instructor__person", "org")
    show_full_result_count = False
    list_per_page = 50
