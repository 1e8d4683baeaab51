from django.urls import include, path

from dangjian.web import (
    views,
    views_imports,
    views_reports,
)

app_name = "web"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    # Liveness (no log-in, no database): for health checks and the page benchmark.
    path("healthz", views.healthz, name="healthz"),
    # The pages of the domain apps, in this namespace (their names are `web:…`).
    path("", include("dangjian.orgs.urls")),
    path("", include("dangjian.partyorgs.urls")),
    path("", include("dangjian.people.urls")),
    path("", include("dangjian.compliance.urls")),
    # Reports.
    path("reports/coverage/", views_reports.coverage, name="report_coverage"),
    path("reports/coverage.xlsx", views_reports.coverage_export, name="report_coverage_xlsx"),
    path("reports/org-building/", views_reports.org_building, name="report_org_building"),
    path(
        "reports/org-building.xlsx",
        views_reports.org_building_export,
        name="report_org_building_xlsx",
    ),
    path("reports/joint/", views_reports.joint, name="report_joint"),
    path("reports/joint.xlsx", views_reports.joint_export, name="report_joint_xlsx"),
    path("reports/joint/save/", views_reports.joint_save, name="report_joint_save"),
    # Imports.
    path("imports/", views_imports.index, name="imports"),
    path("imports/upload/", views_imports.upload, name="import_upload"),
    path("imports/<int:pk>/", views_imports.detail, name="import_detail"),
    path("imports/<int:pk>/progress/", views_imports.progress, name="import_progress"),
    path("imports/<int:pk>/confirm/", views_imports.confirm, name="import_confirm"),
    path("imports/<int:pk>/retry/", views_imports.retry, name="import_retry"),
    path("imports/<int:pk>/discard/", views_imports.discard, name="import_discard"),
    path(
        "imports/<int:pk>/errors/<str:phase>.csv", views_imports.errors_file, name="import_errors"
    ),
    path(
        "imports/templates/<str:kind>.<str:fmt>",
        views_imports.template_file,
        name="import_template",
    ),
]
