from django.urls import path

from dangjian.web import views, views_findings, views_imports, views_orgs, views_reports

app_name = "web"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    # Organizations and Party organizations.
    path("orgs/", views_orgs.placeholder, name="orgs"),
    path("orgs/<str:uscc>/", views_orgs.placeholder, name="org"),
    path("party-orgs/", views_orgs.placeholder, name="party_orgs"),
    path("party-orgs/<str:code>/", views_orgs.placeholder, name="party_org"),
    # Findings (待办).
    path("findings/", views_findings.placeholder, name="findings"),
    # Reports.
    path("reports/coverage/", views_reports.placeholder, name="report_coverage"),
    path("reports/org-building/", views_reports.placeholder, name="report_org_building"),
    path("reports/joint/", views_reports.placeholder, name="report_joint"),
    # Imports.
    path("imports/", views_imports.placeholder, name="imports"),
]
