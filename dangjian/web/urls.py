from django.urls import include, path

from dangjian.web import views

app_name = "web"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    # Liveness (no log-in, no database): for health checks and the page benchmark.
    path("healthz", views.healthz, name="healthz"),
    # The pages of the domain apps, in this namespace (their names are `web:…`).
    path("", include("dangjian.inspections.urls")),  # before orgs/<uscc>/
    path("", include("dangjian.feed.urls")),
    path("", include("dangjian.rectifications.urls")),
    path("", include("dangjian.venues.urls")),
    path("", include("dangjian.policies.urls")),  # before party-orgs/<code>/
    path("", include("dangjian.orgs.urls")),
    path("", include("dangjian.partyorgs.urls")),
    path("", include("dangjian.people.urls")),
    path("", include("dangjian.compliance.urls")),
    path("", include("dangjian.tasks.urls")),
    path("", include("dangjian.life.urls")),
    path("", include("dangjian.cadres.urls")),
    path("", include("dangjian.development.urls")),
    path("", include("dangjian.transfers.urls")),
    path("", include("dangjian.dissolutions.urls")),
    path("", include("dangjian.dues.page_urls")),
    path("", include("dangjian.care.urls")),
    path("", include("dangjian.bodies.urls")),
    path("", include("dangjian.reports.urls")),
    path("", include("dangjian.imports.urls")),
    path("", include("dangjian.accounts.urls")),
]
