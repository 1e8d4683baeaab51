"""The pages of people and Party members (the rows behind the member figures), included into
the `web` namespace (`web:people` …)."""

from django.urls import path

from dangjian.people import views

urlpatterns = [
    path("people/", views.people, name="people"),
    path("people/export.xlsx", views.people_export, name="people_export"),
    path("people/<int:pk>/", views.person_detail, name="person"),
]
