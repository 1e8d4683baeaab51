"""The pages of dues, included into the `web` namespace (docs/dues.md, "## 页面")."""

from django.urls import path

from dangjian.dues import pages

urlpatterns = [
    path("dues/", pages.dues_overview, name="dues_overview"),
    path("dues/<str:code>/<str:month>/", pages.dues_month, name="dues_month"),
    path("dues/<str:code>/ledger/<int:year>.xlsx", pages.dues_ledger, name="dues_ledger"),
]
