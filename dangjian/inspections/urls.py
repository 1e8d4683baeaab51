"""The pages of annual inspections and evaluations, included into the `web` namespace
(docs/dynamics.md)."""

from django.urls import path

from dangjian.inspections import views

urlpatterns = [
    path("inspections/", views.inspection_list, name="inspections"),
    path("orgs/<str:uscc>/inspections/new/", views.inspection_new, name="inspection_new"),
    path("orgs/<str:uscc>/evaluations/new/", views.evaluation_new, name="evaluation_new"),
]
