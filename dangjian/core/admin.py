from django.contrib import admin
from django.http import HttpRequest

from dangjian.core.models import AuditEvent, DataVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    """Append-only logs: they are seen, never edited (their rows are the history)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "action", "detail"]
    list_filter = ["action"]
    search_fields = ["detail", "user__username"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(DataVersion)
class DataVersionAdmin(ReadOnlyAdmin):
    list_display = ["value"]
