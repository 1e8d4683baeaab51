from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin

from dangjian.accounts.jurisdiction import scoped
from dangjian.core.models import AuditEvent, DataVersion


class ScopedAdmin(admin.ModelAdmin):
    """The admin reads through the jurisdiction gate too: lists, change pages and
    autocompletes see only what the user may see. Every model admin of the project derives
    from it (tests/test_admin_scoped.py checks the registry)."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scoped(super().get_queryset(request), request.user)  # type: ignore[arg-type]


class ScopedHistoryAdmin(ScopedAdmin, SimpleHistoryAdmin):
    """A scoped admin with django-simple-history's pages. Those show the history of an
    object they cannot find in the queryset (a deleted one): for anyone but the operator,
    what is outside the jurisdiction is missing."""

    def _guard(self, request: HttpRequest, object_id: str) -> None:
        if request.user.is_superuser:
            return
        try:
            found = self.get_queryset(request).filter(pk=object_id).exists()
        except (TypeError, ValueError):
            found = False
        if not found:
            raise Http404

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        self._guard(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        self._guard(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyAdmin(ScopedAdmin):
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
