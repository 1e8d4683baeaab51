from django.contrib import admin

from dangjian.compliance.models import CheckRun, FindingRecord
from dangjian.core.admin import ReadOnlyAdmin


@admin.register(FindingRecord)
class FindingRecordAdmin(ReadOnlyAdmin):
    list_display = [
        "rule", "severity", "subject_key", "subject_name", "area", "due", "first_seen",
        "resolved_on",
    ]  # fmt: skip
    list_filter = ["rule", "severity", "resolved_on"]
    search_fields = ["subject_key", "subject_name", "area"]
    show_full_result_count = False


@admin.register(CheckRun)
class CheckRunAdmin(ReadOnlyAdmin):
    list_display = ["as_of", "ran_at", "opened", "resolved", "open", "policy_version"]
    date_hierarchy = "as_of"
