from django.contrib import admin

from dangjian.core.admin import ReadOnlyAdmin
from dangjian.imports.models import ImportBatch, PendingUpload


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = [
        "id", "kind", "file_name", "user", "started_at", "rows", "created", "updated",
        "unchanged", "rejected",
    ]  # fmt: skip
    list_filter = ["kind"]
    search_fields = ["file_name", "user__username"]
    date_hierarchy = "started_at"
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(PendingUpload)
class PendingUploadAdmin(ReadOnlyAdmin):
    """Uploads on the import page, state by state: their rows are what happened (the import
    itself is the `ImportBatch` and its history)."""

    list_display = ["id", "kind", "file_name", "user", "state", "created_at", "finished_at"]
    list_filter = ["kind", "state"]
    search_fields = ["file_name", "user__username"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    raw_id_fields = ["user", "batch"]
