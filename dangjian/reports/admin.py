from django.contrib import admin

from dangjian.core.admin import ReadOnlyAdmin
from dangjian.reports.models import JointProposal


@admin.register(JointProposal)
class JointProposalAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "user", "as_of", "area", "policy_version"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    search_fields = ["area"]
