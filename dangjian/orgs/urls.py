"""The pages of social organizations, included into the `web` namespace (`web:orgs` …)."""

from django.urls import path

from dangjian.orgs import views

urlpatterns = [
    path("orgs/", views.org_list, name="orgs"),
    path("orgs/export.xlsx", views.org_export, name="orgs_export"),
    path("orgs/new/", views.org_new, name="org_new"),
    path("orgs/<str:uscc>/", views.org_detail, name="org"),
    path("orgs/<str:uscc>/edit/", views.org_edit, name="org_edit"),
    path("orgs/<str:uscc>/instructors/new/", views.org_instructor_new, name="org_instructor_new"),
    path(
        "instructor-assignments/<int:pk>/edit/",
        views.instructor_assignment_edit,
        name="instructor_assignment_edit",
    ),
]
