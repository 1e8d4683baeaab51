"""The pages of people and Party members (the rows behind the member figures), included into
the `web` namespace (`web:people` …)."""

from django.urls import path

from dangjian.people import views

urlpatterns = [
    path("people/", views.people, name="people"),
    path("people/export.xlsx", views.people_export, name="people_export"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/new/", views.person_new, name="person_new"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/employments/new/", views.employment_new, name="employment_new"),
    path(
        "people/<int:pk>/employments/<int:job>/edit/",
        views.employment_edit,
        name="employment_edit",
    ),
]
