"""The report pages, included into the `web` namespace (`web:report_coverage` …)."""

from django.urls import path

from dangjian.reports import views, views_cadres, views_joint

urlpatterns = [
    path("reports/coverage/", views.coverage, name="report_coverage"),
    path("reports/coverage.xlsx", views.coverage_export, name="report_coverage_xlsx"),
    path("reports/org-building/", views.org_building, name="report_org_building"),
    path("reports/org-building.xlsx", views.org_building_export, name="report_org_building_xlsx"),
    path("reports/joint/", views_joint.joint, name="report_joint"),
    path("reports/joint.xlsx", views_joint.joint_export, name="report_joint_xlsx"),
    path("reports/joint/save/", views_joint.joint_save, name="report_joint_save"),
    path("reports/cadres/", views_cadres.report, name="report_cadres"),
    path("reports/cadres.xlsx", views_cadres.report_export, name="report_cadres_xlsx"),
    path("reports/cadres/rows/", views_cadres.figure_rows, name="report_cadres_rows"),
    path(
        "reports/cadres/rows.xlsx",
        views_cadres.figure_rows_export,
        name="report_cadres_rows_xlsx",
    ),
]
