"""The pages of venues, in the `web` namespace (docs/dynamics.md)."""

from django.urls import path

from dangjian.venues import views

urlpatterns = [
    path("venues/", views.venue_overview, name="venues"),
    path("venues/centres/", views.centre_list, name="service_centres"),
    path("venues/centres/new/", views.centre_new, name="service_centre_new"),
    path("venues/photos/<int:pk>/", views.venue_photo, name="venue_photo"),
    path("party-orgs/<str:code>/venues/new/", views.venue_new, name="venue_new"),
]
