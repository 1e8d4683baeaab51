"""The findings list (待办问题), included into the `web` namespace (`web:findings` …)."""

from django.urls import path

from dangjian.compliance import views

urlpatterns = [
    path("findings/", views.findings, name="findings"),
    path("findings/export.xlsx", views.findings_export, name="findings_export"),
]
