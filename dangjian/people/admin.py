"""Admin of people, their employment and their Party membership.

The identity number is shown masked and nowhere else: not in clear, not encrypted, not
hashed, not even in the change history. A full number typed in the search box finds the
person through the keyed hash.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.template_utils import HistoricalRecordContextHelper

from dangjian.areas.admin import dated_filter
from dangjian.core.admin import ScopedHistoryAdmin
from dangjian.people.forms import PersonAdminForm, id_number_hash
from dangjian.people.models import Employment, Membership, Person

# Fields of Person that must never reach a page, whatever the view.
HIDDEN_PERSON_FIELDS = frozenset({"id_encrypted", "id_hash"})


def search_id_number(
    results: QuerySet[Any], queryset: QuerySet[Any], search_term: str, hash_lookup: str
) -> QuerySet[Any]:
    """Add to `results` the rows whose person has the full identity number `search_term`."""
    id_hash = id_number_hash(search_term)
    if id_hash is None:
        return results
    return results | queryset.filter(**{hash_lookup: id_hash})


class PersonSearchAdmin(ScopedHistoryAdmin):
    """An admin searchable by a full identity number of its person, through the hash."""

    id_hash_lookup = "person__id_hash"

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return search_id_number(results, queryset, search_term, self.id_hash_lookup), (
            may_have_duplicates
        )


class _MaskedHistoryContextHelper(HistoricalRecordContextHelper):
    """Leaves the encrypted and hashed identity number out of the change-history diffs."""

    def context_for_delta_changes(self, delta: Any) -> list[dict[str, Any]]:
        shown = [change for change in delta.changes if change.field not in HIDDEN_PERSON_FIELDS]
        return [
            {"field": c.field, "old": c.old, "new": c.new}
            for c in map(self.format_delta_change, shown)
        ]


class EmploymentInline(admin.TabularInline):
    model = Employment
    fk_name = "person"
    fields = ("org", "position", "started_on", "ended_on")
    autocomplete_fields = ("org",)
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Employment]:
        return super().get_queryset(request).select_related("person", "org")


class MembershipInline(admin.StackedInline):
    model = Membership
    fields = ("joined_on", "confirmed_on", "relation_party_org", "is_mobile")
    autocomplete_fields = ("relation_party_org",)
    extra = 0
    max_num = 1

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).select_related("person", "relation_party_org")


@admin.register(Person)
class PersonAdmin(PersonSearchAdmin):
    form = PersonAdminForm
    id_hash_lookup = "id_hash"
    list_display = ("name", "id_masked", "gender", "birth_date", "political_status")
    list_filter = ("political_status", "gender")
    search_fields = ("name",)
    search_help_text = "按姓名检索，或输入完整的18位公民身份号码精确查找"
    readonly_fields = ("masked_id_number", "gender", "birth_date")
    inlines = (MembershipInline, EmploymentInline)
    show_full_result_count = False
    list_per_page = 50

    def get_fieldsets(self, request: HttpRequest, obj: Person | None = None) -> Any:
        if obj is None:
            return ((None, {"fields": ("name", "id_number", "political_status")}),)
        return (
            (None, {"fields": ("name", "political_status")}),
            (
                "公民身份号码",
                {"fields": ("masked_id_number", "id_number", "birth_date", "gender")},
            ),
        )

    @admin.display(description="当前公民身份号码（脱敏）")
    def masked_id_number(self, obj: Person) -> str:
        return obj.id_masked

    def get_historical_record_context_helper(
        self, request: HttpRequest, historical_record: Any
    ) -> HistoricalRecordContextHelper:
        return _MaskedHistoryContextHelper(self.model, historical_record)


@admin.register(Employment)
class EmploymentAdmin(PersonSearchAdmin):
    list_display = ("person", "org", "position", "started_on", "ended_on")
    list_filter = (
        "position",
        dated_filter(
            Employment.current_on_q, title="在职状态", holds_label="在职", ended_label="不在职"
        ),
    )
    search_fields = ("person__name", "org__name", "^org__uscc")
    search_help_text = "按姓名、完整公民身份号码、社会组织名称或统一社会信用代码检索"
    autocomplete_fields = ("person", "org")
    list_select_related = ("person", "org")
    show_full_result_count = False
    list_per_page = 50
    # The model orders by the related rows (a join and a sort of the whole table): newest first.
    ordering = ("-pk",)


@admin.register(Membership)
class MembershipAdmin(PersonSearchAdmin):
    list_display = (
        "person",
        "joined_on",
        "confirmed_on",
        "relation_party_org",
        "is_mobile",
    )
    list_filter = (
        dated_filter(
            lambda on: Membership.formal_on_q(on),
            title="党员类别",
            holds_label="正式党员",
            ended_label="预备党员",
            parameter_name="formal",
        ),
        "is_mobile",
    )
    search_fields = ("person__name", "^relation_party_org__code", "relation_party_org__name")
    search_help_text = "按姓名、完整公民身份号码或组织关系所在党组织检索"
    autocomplete_fields = ("person", "relation_party_org")
    list_select_related = ("person", "relation_party_org")
    show_full_result_count = False
    list_per_page = 50
    ordering = ("-pk",)
