"""The pages of Party organizations, included into the `web` namespace (`web:party_orgs` …)."""

from django.urls import path

from dangjian.partyorgs import views

urlpatterns = [
    path("party-orgs/", views.party_org_list, name="party_orgs"),
    path("party-orgs/export.xlsx", views.party_org_export, name="party_orgs_export"),
    path("party-orgs/new/", views.party_org_new, name="party_org_new"),
    path("party-orgs/<str:code>/", views.party_org_detail, name="party_org"),
    path("party-orgs/<str:code>/edit/", views.party_org_edit, name="party_org_edit"),
    path("party-orgs/<str:code>/offices/new/", views.office_new, name="office_new"),
    path("offices/<int:pk>/edit/", views.office_edit, name="office_edit"),
]
